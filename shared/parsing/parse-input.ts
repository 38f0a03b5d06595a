import { ArticleDraftSchema, type ArticleDraft, type ParsedDraft } from '../model/article.js';
import type { Problem, Result } from '../errors.js';
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
  /** The request's Content-Type or the file's; decides the format when given. */
  contentType?: string;
  /** The file name, for file drops: its extension decides the format, its stem can be the id. */
  filename?: string;
  /** An id given beside the content (an API path or header); used when the content names none. */
  idHint?: string;
}

export interface ParsedInput {
  format: InputFormat;
  draft: ParsedDraft;
}

/**
 * Turns any accepted input (our JSON, the outlet's raw text, a WordPress post page) into a
 * validated draft, or every problem found, each naming its field. Never throws on bad input.
 */
export function parseArticleInput(input: RawInput): Result<ParsedInput> {
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

  let format: InputFormat = detectFormat(text, input.contentType, input.filename);
  let draft: ArticleDraft;
  if (format === 'json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return fail('body', `is not valid JSON (${(error as Error).message})`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return fail('body', 'must be a JSON object describing one article');
    }
    if (isWordPressRestPost(parsed)) {
      const fromRest = draftFromWordPressRest(parsed);
      if (!fromRest.ok) return fromRest;
      format = 'wordpress-rest';
      draft = fromRest.value;
    } else {
      draft = parsed as ArticleDraft;
    }
  } else if (format === 'html') {
    const tooDeep = htmlDepthProblem(text);
    if (tooDeep) return fail('body', tooDeep);
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
      problems: validated.error.issues.map((issue) => ({
        field: issue.path.length > 0 ? issue.path.join('.') : 'body',
        message: issue.message,
      })),
    };
  }
  return { ok: true, value: { format, draft: validated.data } };
}

/** Whether the input can be an HTML page, judged before decoding: by its declared type, name or first bytes. */
function mayBeHtml(input: RawInput): boolean {
  const head = typeof input.body === 'string' ? input.body.slice(0, 64) : Buffer.from(input.body.subarray(0, 64)).toString('latin1');
  return detectFormat(head, input.contentType, input.filename) === 'html';
}

/** Content type first, then file extension, then the first character of the content. */
export function detectFormat(text: string, contentType?: string, filename?: string): InputFormat {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json' || type?.endsWith('+json')) return 'json';
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'html';
  if (type === 'text/plain' || type === 'text/markdown') return 'text';
  const extension = filename?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (extension === 'json') return 'json';
  if (extension === 'html' || extension === 'htm') return 'html';
  if (extension === 'txt' || extension === 'text') return 'text';
  const start = text.trimStart();
  if (start.startsWith('{')) return 'json';
  if (/^<(!doctype|html|head|body|article|\?xml)/i.test(start)) return 'html';
  return 'text';
}

/** A dropped file's stem (`000_1274e15701f62eef.txt` → `000_1274e15701f62eef`) is a stable id when it fits the id rules. */
export function idFromFilename(filename: string | undefined): string | undefined {
  if (!filename) return undefined;
  const base = filename.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.[^.]+$/, '').toLowerCase();
  return /^[a-z0-9][a-z0-9._-]{0,127}$/.test(stem) ? stem : undefined;
}

function fail(field: string, message: string): { ok: false; problems: Problem[] } {
  return { ok: false, problems: [{ field, message }] };
}
