import { findAll, getAttributeValue, textContent } from 'domutils';
import type { Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import { SaxesParser } from 'saxes';

/**
 * What a reader of the discovery files sees, read back with real parsers: htmlparser2 for the page
 * (as a browser tokenizes it) and saxes, a strict XML parser, for the OPML (it throws on anything
 * not well-formed).
 */

export interface ReadIndex {
  lang: string | undefined;
  title: string;
  headings: string[];
  headlines: { text: string; href: string; lang: string | undefined }[];
  /** Shown feed names per section id (`section`, `tag`, `author`). */
  names: Record<string, string[]>;
  /** Every `<link rel="alternate">` in the head. */
  alternates: { type: string; title: string; href: string }[];
  /** Every link in the body whose `type` names a feed format. */
  feedLinks: { type: string; href: string; text: string }[];
  landmarks: string[];
}

export function readIndex(html: string): ReadIndex {
  const dom = parseDocument(html);
  const all = (test: (e: Element) => boolean) => findAll(test, dom.children);
  const attr = (e: Element, name: string) => getAttributeValue(e, name);
  const html0 = all((e) => e.name === 'html')[0];
  const headlineList = all((e) => e.name === 'ol' && attr(e, 'class') === 'headlines')[0];
  const names: Record<string, string[]> = {};
  for (const section of all((e) => e.name === 'section')) {
    const id = attr(section, 'aria-labelledby') ?? '';
    const shown = findAll((e) => e.name === 'span' && attr(e, 'class') === 'name', section.children).map((e) => textContent(e));
    if (shown.length > 0) names[id] = shown;
  }
  return {
    lang: html0 ? attr(html0, 'lang') : undefined,
    title: textContent(all((e) => e.name === 'title')),
    headings: all((e) => /^h[1-6]$/.test(e.name)).map((e) => textContent(e)),
    headlines: headlineList
      ? findAll((e) => e.name === 'a', headlineList.children).map((a) => ({ text: textContent(a), href: attr(a, 'href') ?? '', lang: attr(a, 'lang') }))
      : [],
    names,
    alternates: all((e) => e.name === 'link' && attr(e, 'rel') === 'alternate').map((e) => ({
      type: attr(e, 'type') ?? '',
      title: attr(e, 'title') ?? '',
      href: attr(e, 'href') ?? '',
    })),
    feedLinks: all((e) => e.name === 'a' && /rss|atom|feed\+json/.test(attr(e, 'type') ?? '')).map((e) => ({
      type: attr(e, 'type') ?? '',
      href: attr(e, 'href') ?? '',
      text: textContent(e),
    })),
    landmarks: all((e) => ['header', 'nav', 'main', 'footer'].includes(e.name)).map((e) => e.name),
  };
}

export interface OpmlOutline {
  text: string;
  title?: string;
  type?: string;
  xmlUrl?: string;
  /** Texts of the enclosing outlines. */
  group: string[];
}

/** The OPML's version, head title and every outline; throws when it is not well-formed XML. */
export function readOpml(xml: string): { version: string | undefined; title: string; outlines: OpmlOutline[] } {
  const parser = new SaxesParser();
  const outlines: OpmlOutline[] = [];
  const groups: string[] = [];
  const stack: string[] = [];
  let version: string | undefined;
  let title = '';
  parser.on('error', (error) => {
    throw error;
  });
  parser.on('opentag', (tag) => {
    const attrs = tag.attributes as Record<string, string>;
    stack.push(tag.name);
    if (tag.name === 'opml') version = attrs['version'];
    if (tag.name === 'outline') {
      const outline: OpmlOutline = { text: attrs['text'] ?? '', group: [...groups] };
      if (attrs['title'] !== undefined) outline.title = attrs['title'];
      if (attrs['type'] !== undefined) outline.type = attrs['type'];
      if (attrs['xmlUrl'] !== undefined) outline.xmlUrl = attrs['xmlUrl'];
      outlines.push(outline);
      groups.push(outline.text);
      if (tag.isSelfClosing) groups.pop();
    }
  });
  parser.on('closetag', (tag) => {
    stack.pop();
    if (tag.name === 'outline' && !tag.isSelfClosing) groups.pop();
  });
  parser.on('text', (text) => {
    if (stack.at(-1) === 'title' && stack.at(-2) === 'head') title += text;
  });
  parser.write(xml).close();
  return { version, title, outlines };
}
