import { matchCorrectionNote } from '../article/correction.js';
import type { ArticleDraft, Author, Dateline, RelatedHeadline } from '../model/article.js';
import {
  cleanLine,
  escapeHtml,
  isBoilerplate,
  isCommentFormHeading,
  isCopyrightLine,
  isListItem,
  isSubheading,
  mentionsSubjectOf,
  sharesSubject,
  SECTION_PARAGRAPHS,
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
      if (credit.alsoEditor) editor ??= credit.names.join(' / ');
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
    // a run of list items or closes one (a total after the list of what was seized), and when it is about
    // something else than its own article (else it is a subheading).
    const section = followingParagraphs(items, index, outletLabels);
    const next = section[0];
    if (index === 0 || (next !== undefined && isListItem(next))) return;
    const previous = items[index - 1];
    if (previous !== undefined && isListItem(previous) && closesList(item, listRun(items, index - 1).join(' '))) return;
    if (isSubheading(item, title, section)) return;
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

/** A line that starts its own block even right after a filled line: a list item, a credit, a copyright line, a labelled headline. */
function standsAlone(line: string): boolean {
  return isListItem(line) || matchCredit(line) !== undefined || isCopyrightLine(line) || isCommentFormHeading(line) || splitHeadlineLabel(line) !== undefined;
}

/** The paragraphs a line at `index` would open: the next few items that are not labelled headlines (a bounded look, so long exports stay linear). */
function followingParagraphs(items: readonly string[], index: number, outletLabels: readonly string[]): string[] {
  const found: string[] = [];
  for (let i = index + 1; i < items.length && found.length < SECTION_PARAGRAPHS; i++) {
    const later = items[i] ?? '';
    if (!splitHeadlineLabel(later, outletLabels)) found.push(later);
  }
  return found;
}

/**
 * Whether a bare line right after a list item closes that list (a total, a note on what was listed):
 * most of its subject words come from the list, or it names something the list names and reads as a
 * sentence ("Total aset yang disita … senilai Rp 38,5 miliar"). A Title Case line sharing one incidental
 * word with the list ("Juta" after a list of figures, "Syarat" after a list of requirements) is another
 * story's headline.
 */
function closesList(line: string, list: string): boolean {
  if (sharesSubject(line, list)) return true;
  if (!mentionsSubjectOf(line, list)) return false;
  return !isTitleCase(line);
}

/** Whether most longer words of `line` (four letters or more) start with a capital, as headlines are written. */
function isTitleCase(line: string): boolean {
  const words = line.match(/\p{L}{4,}/gu) ?? [];
  const capitalised = words.filter((w) => /^\p{Lu}/u.test(w)).length;
  return words.length > 0 && capitalised * 4 >= words.length * 3;
}

/** The list run ending at `last`: its items and the line that introduces them. */
function listRun(items: readonly string[], last: number): string[] {
  let first = last;
  while (first > 0 && isListItem(items[first - 1] ?? '')) first--;
  return items.slice(Math.max(0, first - 1), last + 1);
}

const SENTENCE_END = /[.!?”"'’…:;]$/u;

/** Widest line of a hard-wrapped export (mail clients wrap at 72 to 78); real one-paragraph lines are longer. */
const MAX_WRAP_WIDTH = 100;
/** A wrapped line is filled to within this many characters of the export's widest line; a shorter one ends its paragraph. */
const WRAP_SLACK = 25;

/**
 * Splits the export into cleaned, non-empty blocks. Every line is its own block (the CMS puts one
 * paragraph per line), except that a line continuing a hard-wrapped sentence is joined back: within one
 * blank-line group, a line starting in lower case after a line that does not end a sentence; and, when
 * the whole export is hard-wrapped (no line wider than 100 characters, and some line filled to that width
 * breaks a sentence that goes on in the next line), every line after a filled line, unless it stands alone
 * (a list item, a credit, a copyright line, a labelled headline).
 */
function splitBlocks(text: string): string[] {
  const lines = text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/).map(cleanLine);
  // The title line is not wrapped by every exporter; the body's widest line is the wrap width.
  const titleAt = lines.findIndex((l) => l.length > 0);
  // A loop, not Math.max(...lines): an export of hundreds of thousands of lines must not overflow the call stack.
  let width = 0;
  lines.forEach((l, i) => {
    if (i > titleAt && l.length > width) width = l.length;
  });
  const filled = (line: string) => line.length > 0 && line.length >= width - WRAP_SLACK;
  // Evidence of wrapping: a filled line whose sentence visibly goes on in the next line.
  const wrapped =
    width <= MAX_WRAP_WIDTH &&
    lines.some((line, i) => i > titleAt && filled(line) && !SENTENCE_END.test(line) && (lines[i + 1]?.length ?? 0) > 0 && !standsAlone(lines[i + 1] ?? ''));
  // Each block is built from its lines and joined once at the end: testing or growing one long string per
  // line would make an export of many continuation lines quadratic.
  const blocks: string[][] = [];
  let previousInGroup = false;
  let previousLine = '';
  for (const line of lines) {
    if (line.length === 0) {
      previousInGroup = false;
      continue;
    }
    const current = blocks.at(-1);
    const continuesSentence = !SENTENCE_END.test(previousLine) && /^\p{Ll}/u.test(line);
    const continuesWrap = wrapped && filled(previousLine) && !standsAlone(line);
    if (previousInGroup && current !== undefined && blocks.length > 1 && (continuesSentence || continuesWrap)) {
      current.push(line);
    } else {
      blocks.push([line]);
    }
    previousInGroup = true;
    previousLine = line;
  }
  return blocks.map((parts) => parts.join(' '));
}
