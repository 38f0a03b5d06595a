import { matchCorrectionNote } from '../article/correction.js';
import type { ArticleDraft, Author, Dateline, RelatedHeadline } from '../model/article.js';
import {
  cleanLine,
  escapeHtml,
  isBoilerplate,
  isCommentFormHeading,
  isCopyrightLine,
  introducesParagraph,
  isListItem,
  isSharePrompt,
  isShareTarget,
  matchCredit,
  matchDateline,
  matchRelatedHeadline,
  splitHeadlineLabel,
} from './newsroom-conventions.js';

/**
 * Parses the outlet's raw text export: title on the first line, a dateline opening the first
 * paragraph, paragraphs separated by blank lines, the editor's inline related headlines between
 * paragraphs, a credit line, a copyright line and the CMS comment form at the end.
 * Never throws: whatever is missing is simply absent and validation reports it.
 */
export function parseRawText(text: string): ArticleDraft {
  const blocks = splitBlocks(text);
  const title = blocks[0] ?? '';
  /** Body paragraphs and headline candidates, in order; headlines are told apart once their neighbours are known. */
  const items: string[] = [];
  const authors: Author[] = [];
  let dateline: Dateline | undefined;
  let editor: string | undefined;
  let copyright: string | undefined;
  let correction: string | undefined;
  let afterSharePrompt = false;

  for (const block of blocks.slice(1)) {
    if (isCommentFormHeading(block)) break;
    if (afterSharePrompt && isShareTarget(block)) continue;
    afterSharePrompt = isSharePrompt(block);
    if (isBoilerplate(block)) continue;

    const credit = matchCredit(block);
    if (credit?.kind === 'editor') {
      editor ??= credit.name;
      continue;
    }
    if (credit?.kind === 'reporter') {
      for (const name of credit.names) {
        if (!authors.some((a) => a.name === name)) authors.push({ name });
      }
      continue;
    }
    if (isCopyrightLine(block)) {
      copyright ??= block;
      continue;
    }
    const note = matchCorrectionNote(block);
    if (note) {
      correction = correction ? `${correction} ${note}` : note;
      continue;
    }

    let paragraph = block;
    if (items.length === 0 && dateline === undefined) {
      const match = matchDateline(block);
      if (match) {
        dateline = match.dateline;
        paragraph = block.slice(match.length).trim();
        if (paragraph.length === 0) continue;
      }
    }
    items.push(paragraph);
  }

  // The dateline's source is the outlet's name, which its editors also use as a headline label.
  const outletLabels = dateline?.source ? [dateline.source] : [];
  const headlineAt = new Map<number, RelatedHeadline>();
  items.forEach((item, index) => {
    const headline = matchRelatedHeadline(item, outletLabels);
    if (!headline) return;
    if (headline.label !== undefined) {
      headlineAt.set(index, headline);
      return;
    }
    // A bare line is a headline only between paragraphs (never before the first one), not when it opens
    // a run of list items, and when it is about something else than the paragraph after it (else it is
    // that paragraph's subheading).
    const next = items.slice(index + 1).find((later) => !splitHeadlineLabel(later, outletLabels));
    if (index === 0 || (next !== undefined && isListItem(next))) return;
    if (introducesParagraph(item, next)) return;
    headlineAt.set(index, headline);
  });
  const paragraphs = items.filter((_, index) => !headlineAt.has(index));
  const relatedHeadlines = [...headlineAt.entries()].sort(([a], [b]) => a - b).map(([, headline]) => headline);

  const draft: ArticleDraft = {
    title,
    bodyHtml: paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n'),
    authors,
    relatedHeadlines,
  };
  if (dateline) draft.dateline = dateline;
  if (editor) draft.editor = editor;
  if (copyright) draft.copyright = copyright;
  if (correction) draft.correction = correction;
  return draft;
}

const SENTENCE_END = /[.!?”"'’…:;]$/u;

/**
 * Splits the export into cleaned, non-empty blocks. Every line is its own block (the CMS puts one
 * paragraph per line), except that a line continuing a hard-wrapped sentence (previous line open,
 * next line starting in lower case within the same blank-line group) is joined back.
 */
function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let previousInGroup = false;
  for (const raw of text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/)) {
    const line = cleanLine(raw);
    if (line.length === 0) {
      previousInGroup = false;
      continue;
    }
    const last = blocks.length - 1;
    const previous = blocks[last];
    if (previousInGroup && previous !== undefined && last > 0 && !SENTENCE_END.test(previous) && /^\p{Ll}/u.test(line)) {
      blocks[last] = `${previous} ${line}`;
    } else {
      blocks.push(line);
    }
    previousInGroup = true;
  }
  return blocks;
}
