import iconv from 'iconv-lite';
import type { Result } from '../errors.js';

/** How far into a page a `<meta charset>` may appear; HTML requires it within the first 1024 bytes, many CMSs put it later. */
const META_SNIFF_BYTES = 4096;

/** The charset a Content-Type header declares (`text/html; charset=windows-1252`), if any. */
export function charsetOfContentType(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}

/** The charset an HTML page declares in `<meta charset>` or `<meta http-equiv="Content-Type" content="…; charset=…">`. */
export function charsetOfMeta(bytes: Uint8Array): string | undefined {
  // Every charset a page can declare this way is ASCII-compatible here, so reading the head as Latin-1 is safe.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, META_SNIFF_BYTES)).toString('latin1');
  for (const tag of head.match(/<meta\b[^>]*>/gi) ?? []) {
    const direct = /\bcharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(tag);
    if (direct?.[1]) return direct[1].toLowerCase();
  }
  return undefined;
}

const UTF8_NAMES = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);

/**
 * Decodes an input's bytes to text. A byte-order mark decides first; then the charset the Content-Type
 * header declares, then the one the page's `<meta>` declares (HTML only); else UTF-8. Invalid UTF-8 is
 * refused only where UTF-8 is declared or nothing is; other charsets are decoded with iconv-lite.
 */
export function decodeBody(bytes: Uint8Array, contentType: string | undefined, sniffMeta: boolean): Result<string> {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decodeUtf8(bytes.subarray(3), 'a UTF-8 byte-order mark');
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: true, value: iconv.decode(Buffer.from(bytes), bytes[0] === 0xff ? 'utf-16le' : 'utf-16be') };
  }
  const fromHeader = charsetOfContentType(contentType);
  const declared = fromHeader ?? (sniffMeta ? charsetOfMeta(bytes) : undefined);
  if (declared === undefined || UTF8_NAMES.has(declared)) {
    return decodeUtf8(bytes, declared === undefined ? 'no declared charset' : `the declared charset ${declared}`);
  }
  if (!iconv.encodingExists(declared)) {
    return { ok: false, problems: [{ field: 'body', message: `declares charset "${declared}", which Warta cannot decode (send UTF-8)` }] };
  }
  return { ok: true, value: iconv.decode(Buffer.from(bytes), declared) };
}

function decodeUtf8(bytes: Uint8Array, why: string): Result<string> {
  try {
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, problems: [{ field: 'body', message: `is not valid UTF-8 (read as UTF-8 because of ${why}; re-export the article as UTF-8 or declare its charset)` }] };
  }
}
