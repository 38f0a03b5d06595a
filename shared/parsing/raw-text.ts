import { matchCorrectionNote } from '../article/correction.js';
import type { ArticleDraft, Author, Dateline, RelatedHeadline } from '../model/article.js';
import {
  cleanLine,
  escapeHtml,
  isBoilerplate,
  isCommentFormHeading,
  isCopyrightLine,
  isKnownHeadlineLabel,
  isSharePrompt,
  isShareTarget,
  matchCredit,
  matchDateline,
  matchRelatedHeadline,
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
  const paragraphs: string[] = [];
  const relatedHeadlines: RelatedHeadline[] = [];
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

    // Headlines sit between paragraphs; before the first paragraph a short line is the lead, unless labelled.
    const headline = matchRelatedHeadline(block);
    if (headline && (paragraphs.length > 0 || (headline.label !== undefined && isKnownHeadlineLabel(headline.label)))) {
      relatedHeadlines.push(headline);
      continue;
    }

    let paragraph = block;
    if (paragraphs.length === 0 && dateline === undefined) {
      const match = matchDateline(block);
      if (match) {
        dateline = match.dateline;
        paragraph = block.slice(match.length).trim();
        if (paragraph.length === 0) continue;
      }
    }
    paragraphs.push(paragraph);
  }

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
