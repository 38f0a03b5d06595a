import { TextDecoder } from 'node:util';
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
 * refused only where UTF-8 is declared or nothing is. Other charsets are decoded by the platform's WHATWG
 * `TextDecoder` (Node's full ICU, on Lambda too): it knows every label the Encoding Standard defines and
 * maps them as browsers do (ISO-8859-1 is read as windows-1252, as every browser reads such pages), and it
 * costs no bundle bytes, where iconv-lite's tables were half a megabyte of each Lambda bundle.
 */
export function decodeBody(bytes: Uint8Array, contentType: string | undefined, sniffMeta: boolean): Result<string> {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return decodeUtf8(bytes.subarray(3), 'a UTF-8 byte-order mark');
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { ok: true, value: new TextDecoder(bytes[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(bytes.subarray(2)) };
  }
  const fromHeader = charsetOfContentType(contentType);
  const declared = fromHeader ?? (sniffMeta ? charsetOfMeta(bytes) : undefined);
  if (declared === undefined || UTF8_NAMES.has(declared)) {
    return decodeUtf8(bytes, declared === undefined ? 'no declared charset' : `the declared charset ${declared}`);
  }
  const decoder = decoderFor(declared);
  if (decoder === undefined) {
    return { ok: false, problems: [{ field: 'body', message: `declares charset "${declared}", which Warta cannot decode (send UTF-8)` }] };
  }
  const text = decoder.decode(bytes);
  return { ok: true, value: decoder.encoding === 'windows-1252' ? fixWindows1252(text) : text };
}

function decoderFor(label: string): TextDecoder | undefined {
  try {
    return new TextDecoder(label);
  } catch {
    // RangeError: a label the Encoding Standard does not define.
    return undefined;
  }
}

/**
 * Node 20's TextDecoder reads windows-1252 (and every label mapped to it: iso-8859-1, latin1, ascii…)
 * through its Latin-1 fast path, so bytes 0x80–0x9F come out as C1 controls instead of “ ” – — € and
 * the rest. Those 32 code points are mapped here as the Encoding Standard's index-windows-1252 does
 * (the five bytes it leaves undefined stay as they are); every other byte is already right.
 */
const WINDOWS_1252_C1 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];
function fixWindows1252(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => String.fromCharCode(WINDOWS_1252_C1[c.charCodeAt(0) - 0x80] ?? c.charCodeAt(0)));
}

function decodeUtf8(bytes: Uint8Array, why: string): Result<string> {
  try {
    return { ok: true, value: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { ok: false, problems: [{ field: 'body', message: `is not valid UTF-8 (read as UTF-8 because of ${why}; re-export the article as UTF-8 or declare its charset)` }] };
  }
}
