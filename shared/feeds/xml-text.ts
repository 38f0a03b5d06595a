import { randomUUID } from 'node:crypto';

/**
 * Text and markup helpers for the feed renderers. `feed` 6 serializes through xml-js, whose
 * escaping has gaps (see docs/feeds.md); these helpers prepare values so every output is
 * well-formed XML, and write the few elements `feed` cannot express.
 */

import { stripInvalidXmlChars } from '../text/xml-chars.js';

export { stripInvalidXmlChars, stripInvalidXmlCharsDeep } from '../text/xml-chars.js';

/** Escapes text for HTML or XML character data. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes an XML attribute value written between double quotes. */
export function escapeXmlAttribute(value: string): string {
  return escapeHtml(value).replace(/"/g, '&quot;');
}

/**
 * Prepares a value that `feed` passes to xml-js as element text (`_text` or a plain string).
 * xml-js first turns every `&amp;` back into `&` and then escapes `&`, `<` and `>`; escaping `&`
 * here makes that round trip exact, so a literal "&amp;" in a title survives as written.
 */
export function forXmlJsText(text: string): string {
  return stripInvalidXmlChars(text).replace(/&/g, '&amp;');
}

/**
 * Prepares HTML that `feed` wraps in a CDATA section. xml-js splits only the first "]]>", so every
 * "]]>" is written as "]]&gt;", which means the same in HTML text and attribute values.
 */
export function forCdataHtml(html: string): string {
  return stripInvalidXmlChars(html).replace(/]]>/g, ']]&gt;');
}

/**
 * Escapes plain text as XML character data the way the RSS Best Practices Profile asks:
 * "&" and "<" as hexadecimal character references, so readers and the W3C validator can tell
 * literal text from HTML. Parsers decode them to the same characters.
 */
export function escapePlainText(text: string): string {
  return stripInvalidXmlChars(text).replace(/&/g, '&#x26;').replace(/</g, '&#x3C;').replace(/>/g, '&gt;');
}

/**
 * Stand-ins for the plain-text values `feed` would write badly: it wraps RSS item titles and descriptions
 * and Atom entry titles and summaries in CDATA (where a character reference is not decoded, so "&" could
 * only reach readers as "&#x26;" or "&amp;") and escapes Atom author names with named entities (which the
 * W3C checker reads as HTML). `feed` gets a stand-in; `fill` swaps each element it wrote for one written
 * by `xmlElement` (escaped character data, hexadecimal references).
 * Stand-ins carry a random nonce, so no article text can ever match one; the output does not contain it.
 */
export class PlainTextSlots {
  private readonly nonce = randomUUID();
  private readonly slots: { written: string; element: string }[] = [];

  /**
   * A stand-in for `text` in a `<tag>` that `feed` writes with `writtenAttributes` (e.g. ` type="html"`),
   * as CDATA or as text; the final element gets `attributes`.
   */
  hold(tag: string, text: string, written: { attributes?: string; cdata: boolean }, attributes: XmlAttributes = {}): string {
    const placeholder = `warta-${this.nonce}-${this.slots.length}`;
    const inner = written.cdata ? `<![CDATA[${placeholder}]]>` : placeholder;
    this.slots.push({ written: `<${tag}${written.attributes ?? ''}>${inner}</${tag}>`, element: xmlElement(tag, attributes, text) });
    return placeholder;
  }

  /**
   * Replaces every held element in one pass; throws when one is missing or not exactly as `feed` was
   * expected to write it, which would mean `feed` changed its output shape. The stand-ins are found by
   * their nonce (a string search), not by a pattern tried at every tag of the article HTML around them.
   */
  fill(xml: string): string {
    const marker = `warta-${this.nonce}-`;
    const out: string[] = [];
    let cursor = 0;
    let filled = 0;
    for (let at = xml.indexOf(marker); at !== -1; at = xml.indexOf(marker, at + marker.length)) {
      let end = at + marker.length;
      while (end < xml.length && xml.charCodeAt(end) >= 48 && xml.charCodeAt(end) <= 57) end += 1;
      const slot = this.slots[Number(xml.slice(at + marker.length, end))];
      const start = slot === undefined ? -1 : at - slot.written.indexOf(marker);
      if (slot === undefined || start < cursor || xml.slice(start, start + slot.written.length) !== slot.written) {
        throw new Error(`Rendered feed has an unexpected element around ${xml.slice(Math.max(0, at - 40), end + 20)}`);
      }
      out.push(xml.slice(cursor, start), slot.element);
      cursor = start + slot.written.length;
      filled += 1;
    }
    out.push(xml.slice(cursor));
    if (filled !== this.slots.length) throw new Error(`Expected ${this.slots.length} plain-text elements in rendered feed, found ${filled}`);
    return out.join('');
  }
}

export type XmlAttributes = Readonly<Record<string, string | number | undefined>>;

/**
 * One XML element as a string: attributes in the given order (undefined ones left out),
 * plain text content (see escapePlainText), or nested pre-rendered children, or self-closing when it has neither.
 */
export function xmlElement(name: string, attributes: XmlAttributes, content?: string | { children: readonly string[]; indent: string }): string {
  const attrs = Object.entries(attributes)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeXmlAttribute(stripInvalidXmlChars(String(value)))}"`)
    .join('');
  if (content === undefined) return `<${name}${attrs}/>`;
  if (typeof content === 'string') return `<${name}${attrs}>${escapePlainText(content)}</${name}>`;
  const inner = content.children.map((child) => `\n${content.indent}    ${child}`).join('');
  return `<${name}${attrs}>${inner}\n${content.indent}</${name}>`;
}

/**
 * Inserts extra child elements at the end of each `<tag>` element of a serialized document,
 * in document order: `extras[i]` goes into the i-th element. End tags are looked for only
 * outside CDATA sections, so article HTML can never be mistaken for markup.
 * Throws when the number of elements found differs from `extras.length`, which would mean
 * `feed` changed its output shape.
 */
export function appendToElements(xml: string, tag: string, extras: readonly (readonly string[])[], childIndent: string): string {
  const endTag = new RegExp(`\\n[ ]*</${tag}>`, 'g');
  const out: string[] = [];
  let index = 0;
  let cursor = 0;
  while (cursor < xml.length) {
    const cdataStart = xml.indexOf('<![CDATA[', cursor);
    const markupEnd = cdataStart === -1 ? xml.length : cdataStart;
    const markup = xml.slice(cursor, markupEnd);
    out.push(
      markup.replace(endTag, (match) => {
        const children = extras[index];
        index += 1;
        if (children === undefined) return match;
        return children.map((child) => `\n${childIndent}${child}`).join('') + match;
      }),
    );
    if (cdataStart === -1) break;
    const cdataEnd = xml.indexOf(']]>', cdataStart);
    if (cdataEnd === -1) throw new Error('Unterminated CDATA section in rendered feed');
    out.push(xml.slice(cdataStart, cdataEnd + 3));
    cursor = cdataEnd + 3;
  }
  if (index !== extras.length) {
    throw new Error(`Expected ${extras.length} <${tag}> elements in rendered feed, found ${index}`);
  }
  return out.join('');
}

/**
 * Replaces the start tag of the root element, which must directly follow the XML declaration.
 * Used to declare namespaces and `xml:lang`, which `feed` cannot emit.
 */
export function replaceRootStartTag(xml: string, root: string, startTag: string): string {
  const pattern = new RegExp(`^(<\\?xml [^>]*\\?>\\s*)<${root}(?:\\s[^>]*)?>`);
  if (!pattern.test(xml)) throw new Error(`Rendered feed does not start with a <${root}> element`);
  return xml.replace(pattern, (_match, declaration: string) => `${declaration}${startTag}`);
}
