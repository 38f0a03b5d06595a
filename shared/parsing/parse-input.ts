import { ArticleDraftSchema, type ArticleDraft, type ParsedDraft } from '../model/article.js';
import type { Problem } from '../errors.js';
import { decodeBody } from './decode-body.js';
import { htmlDepthProblem } from './html-depth.js';
import { parseRawText } from './raw-text.js';
import { parseWordPressHtml } from './wordpress-html.js';
import { draftFromWordPressRest, isWordPressRestPost } from './wordpress-rest.js';

/** Largest request or file we read at all; the sanitized body has its own, smaller limit. */
export const MAX_INPUT_BYTES = 2 * 1024 * 1024;

/** `wordpress-rest` is a JSON body shaped as a WordPress REST API post (docs/wordpress.md). */
export type InputFormat = 'json' | 'wordpress-rest' | 'html' | 'text';

export interface RawInput {
  body: string | Uint8Array;
  /** The request's Content-Type or the file's; decides the format when the content itself does not (see `detectInput`). */
  contentType?: string;
  /** The file name, for file drops: its extension decides the format, its stem can be the id. */
  filename?: string;
  /** A format the caller insists on (`warta parse --format`); skips detection. */
  format?: Detection['format'];
  /** An id given beside the content (an API path or header); used when the content names none. */
  idHint?: string;
}

export interface ParsedInput {
  format: InputFormat;
  /** Which format was read and the signal that decided it, in words (``Warta JSON, because the content starts with `{"` ``). */
  detected: string;
  /** Set when the content contradicted the declared Content-Type, for the sender's notes. */
  note?: string;
  draft: ParsedDraft;
}

/** A refusal, with the format the input was read as and why, when it got that far. */
export type ParseResult = { ok: true; value: ParsedInput } | { ok: false; problems: Problem[]; detected?: string };

/** The formats as their users know them. */
export const FORMAT_NAMES: Readonly<Record<InputFormat, string>> = {
  json: 'Warta JSON',
  'wordpress-rest': 'WordPress REST JSON',
  html: 'WordPress HTML',
  text: 'raw text',
};

/**
 * Turns any accepted input (our JSON, the outlet's raw text, a WordPress post page) into a
 * validated draft, or every problem found, each naming its field. Never throws on bad input.
 */
export function parseArticleInput(input: RawInput): ParseResult {
  const size = typeof input.body === 'string' ? Buffer.byteLength(input.body, 'utf8') : input.body.byteLength;
  if (size > MAX_INPUT_BYTES) {
    return fail('body', `is ${size} bytes; the largest accepted input is ${MAX_INPUT_BYTES} bytes`);
  }
  let text: string;
  if (typeof input.body === 'string') {
    text = input.body;
  } else {
    // A page may declare its charset in a <meta>; JSON and raw text only in the Content-Type.
    const decoded = decodeBody(input.body, input.contentType, mayBeHtml(input));
    if (!decoded.ok) return decoded;
    text = decoded.value;
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') return fail('body', 'is empty');

  const detection: Detection = input.format ? { format: input.format, because: 'it was asked for' } : detectInput(text, input.contentType, input.filename);
  let format: InputFormat = detection.format;
  let detected = describeDetection(format, detection);
  let draft: ArticleDraft;
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return fail('body', `was read as ${detected}; it is not valid JSON: ${(error as Error).message}`, detected);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return fail('body', `was read as ${detected}; it must be a JSON object describing one article`, detected);
    }
    if (isWordPressRestPost(parsed)) {
      format = 'wordpress-rest';
      detected = describeDetection(format, detection, `${detection.because} and it has a numeric id, title.rendered and content.rendered`);
      const fromRest = draftFromWordPressRest(parsed);
      if (!fromRest.ok) return { ...fromRest, detected };
      draft = fromRest.value;
    } else {
      draft = parsed as ArticleDraft;
    }
  } else if (format === 'html') {
    const tooDeep = htmlDepthProblem(text);
    if (tooDeep) return fail('body', tooDeep, detected);
    draft = parseWordPressHtml(text);
  } else {
    draft = parseRawText(text);
  }

  const idFromName = input.idHint ?? idFromFilename(input.filename);
  if (idFromName && (draft.id === undefined || draft.id === null)) draft = { ...draft, id: idFromName };

  const validated = ArticleDraftSchema.safeParse(draft);
  if (!validated.success) {
    return {
      ok: false,
      detected,
      problems: validated.error.issues.map((issue) => ({
        field: issue.path.length > 0 ? issue.path.join('.') : 'body',
        message: issue.message,
      })),
    };
  }
  const note = detection.overruled === undefined ? undefined : `format: read as ${detected}`;
  return { ok: true, value: { format, detected, ...(note === undefined ? {} : { note }), draft: validated.data } };
}

function describeDetection(format: InputFormat, detection: Detection, because = detection.because): string {
  return `${FORMAT_NAMES[format]}, because ${because}${detection.overruled === undefined ? '' : ` (${detection.overruled} was not followed)`}`;
}

/** Whether the input can be an HTML page, judged before decoding: by its first bytes, declared type or name. */
function mayBeHtml(input: RawInput): boolean {
  if (input.format) return input.format === 'html';
  const head = typeof input.body === 'string' ? input.body.slice(0, 256) : Buffer.from(input.body.subarray(0, 256)).toString('latin1');
  return detectInput(head.replace(/^(\uFEFF|\u00EF\u00BB\u00BF)/, ''), input.contentType, input.filename).format === 'html';
}

/** The format an input is read as, and the signal that decided it, in words for the sender. */
export interface Detection {
  format: 'json' | 'html' | 'text';
  because: string;
  /** What the sender declared and the content contradicted (`the Content-Type image/png`), when it did. */
  overruled?: string;
}

/** A JSON object or array opens here: `{"`, `{}`, `[{`, `["`, `[]`, `[[` (after optional whitespace). Raw text rarely does. */
const JSON_START = /^(\{\s*["}]|\[\s*[{["\]])/;
/** A whole HTML document opens here. */
const HTML_DOCUMENT_START = /^<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|\?xml\s)/i;
/** Any element opens here (`<article`, `<p>`, `<!DOCTYPE`): HTML unless the sender said otherwise. */
const HTML_TAG_START = /^<(!doctype|[a-z][a-z0-9-]*[\s/>])/i;

/**
 * Decides the format by the content first, because senders' Content-Types lie (JSON posted as
 * `image/png` or `text/html`): content that opens as JSON (`{"`) or as an HTML document (`<!DOCTYPE html>`,
 * `<html>`) is read as such whatever was declared. Only content that gives no such signal goes by the
 * declared Content-Type, then the file extension, then weaker signs in the content (a leading `{` or tag).
 */
export function detectInput(text: string, contentType?: string, filename?: string): Detection {
  const start = text.slice(0, 1024).trimStart();
  const declared = declaredFormat(contentType, filename);
  const byContent = (format: Detection['format'], because: string): Detection => {
    const type = mediaType(contentType);
    const overruled = declared ? (declared.format === format ? undefined : declared.source) : type !== undefined && !NO_TYPE.has(type) ? `the Content-Type ${type}` : undefined;
    return { format, because, ...(overruled === undefined ? {} : { overruled }) };
  };
  const jsonStart = JSON_START.exec(start);
  if (jsonStart) return byContent('json', `the content starts with ${quote(jsonStart[0].replace(/\s+/g, ''))}`);
  const documentStart = HTML_DOCUMENT_START.exec(start);
  if (documentStart) return byContent('html', `the content starts with ${quote(tagAt(start))}`);
  if (declared) return { format: declared.format, because: `${declared.source} says so` };
  if (start.startsWith('{') || start.startsWith('[')) return byContent('json', `the content starts with ${quote(start.slice(0, 1))}`);
  if (HTML_TAG_START.test(start)) return byContent('html', `the content starts with the tag ${quote(tagAt(start))}`);
  return byContent('text', 'the content starts with neither JSON nor an HTML tag, and no format was declared');
}

/** Content-Types that say nothing about the format (S3's default for an upload without one). */
const NO_TYPE = new Set(['application/octet-stream', 'binary/octet-stream']);

function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

/** What the Content-Type (a known one), else the file extension, says; undefined when neither names a format. */
function declaredFormat(contentType?: string, filename?: string): { format: Detection['format']; source: string } | undefined {
  const type = mediaType(contentType);
  const source = `the Content-Type ${type}`;
  if (type === 'application/json' || type?.endsWith('+json')) return { format: 'json', source };
  if (type === 'text/html' || type === 'application/xhtml+xml') return { format: 'html', source };
  if (type === 'text/plain' || type === 'text/markdown') return { format: 'text', source };
  const extension = filename?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  const named = `the file name's extension .${extension}`;
  if (extension === 'json') return { format: 'json', source: named };
  if (extension === 'html' || extension === 'htm') return { format: 'html', source: named };
  if (extension === 'txt' || extension === 'text') return { format: 'text', source: named };
  return undefined;
}

/** The tag the content opens with (up to 40 characters), for a message. */
function tagAt(start: string): string {
  const end = start.indexOf('>');
  return end >= 0 && end < 40 ? start.slice(0, end + 1) : `${start.slice(0, 40)}…`;
}

/** Text in backticks for a message, control characters shown as escapes. */
function quote(text: string): string {
  const shown = text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `\`${shown}\``;
}

/** The format an input is read as (see `detectInput`). */
export function detectFormat(text: string, contentType?: string, filename?: string): InputFormat {
  return detectInput(text, contentType, filename).format;
}

/** A dropped file's stem (`000_1274e15701f62eef.txt` → `000_1274e15701f62eef`) is a stable id when it fits the id rules. */
export function idFromFilename(filename: string | undefined): string | undefined {
  if (!filename) return undefined;
  const base = filename.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.[^.]+$/, '').toLowerCase();
  return /^[a-z0-9][a-z0-9._-]{0,127}$/.test(stem) ? stem : undefined;
}

function fail(field: string, message: string, detected?: string): { ok: false; problems: Problem[]; detected?: string } {
  return { ok: false, problems: [{ field, message }], ...(detected === undefined ? {} : { detected }) };
}
