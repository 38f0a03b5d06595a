import { Feed, type Item } from 'feed';
import type { Article, Image } from '../model/article.js';
import { FEED_HISTORY_NAMESPACE, type ArchiveLinks } from './feed-archive.js';
import { EMPTY_FEED_DATE, feedTagUri } from './feed-ids.js';
import { toFeedEntry, type FeedEntry, type RelatedLink } from './feed-entry.js';
import { renderJsonFeed } from './json-feed.js';
import {
  appendToElements,
  escapeHtml,
  forCdataHtml,
  forXmlJsText,
  PlainTextSlots,
  replaceRootStartTag,
  stripInvalidXmlChars,
  xmlElement,
  type XmlAttributes,
} from './xml-text.js';

export type { RelatedLink } from './feed-entry.js';

/**
 * Feed rendering: one listing of articles as RSS 2.0, Atom 1.0 and JSON Feed 1.1.
 * `feed` 6 renders the RSS and Atom skeleton; what it cannot express (namespaces, xml:lang,
 * dc:creator, Media RSS, related links, escaping gaps) is filled here. See docs/feeds.md.
 */

export interface FeedMeta {
  /** Feed path such as "latest" or "section/politik"; part of the feed id. */
  path: string;
  title: string;
  description: string;
  /** Site home page, e.g. https://jurnalpagi.example (no trailing slash); its host is the tag URI authority. */
  siteUrl: string;
  /** BCP 47, e.g. "id". */
  language: string;
  /** Absolute self URLs of the three files. */
  links: { rss: string; atom: string; json: string };
  copyright?: string;
  /** Optional WebSub hub URL (rendered as rel="hub" when given). */
  hubUrl?: string;
  /** Who publishes the feed (Atom feed author, JSON Feed `authors`); defaults to `title`. */
  publisher?: string;
  /** RFC 5005 links: the older archive page, and on archive pages the subscription document (see feed-archive.ts). */
  archive?: ArchiveLinks;
}

export interface RenderOptions {
  /** Related links per article id: Atom `<link rel="related">`, RSS `<atom:link rel="related">`, JSON Feed `_warta.related`. */
  relatedLinks?: ReadonlyMap<string, readonly RelatedLink[]>;
  /** Include full HTML content (RSS content:encoded, Atom content, JSON content_html). Default true. */
  fullText?: boolean;
  /** Include the lead image (RSS media:content, Atom enclosure link, JSON image). Default true. */
  includeImages?: boolean;
}

export interface RenderedFeeds {
  rss: string;
  atom: string;
  json: string;
}

export const GENERATOR = 'Warta';

const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
} as const;

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
};

/** MIME type of an image: the one the CMS gave, else one known from the file extension, else none. */
export function imageMediaType(image: Pick<Image, 'url' | 'type'>): string | undefined {
  if (image.type && /^image\/[a-z0-9.+-]+$/i.test(image.type)) return image.type.toLowerCase();
  const extension = new URL(image.url).pathname.split('.').pop()?.toLowerCase() ?? '';
  return IMAGE_TYPES[extension];
}

/** Newest `updated` among the entries, or the fixed empty-feed date: never the wall clock. */
export function feedBuildDate(entries: readonly Pick<FeedEntry, 'updated'>[]): Date {
  let newest: Date | undefined;
  for (const entry of entries) if (!newest || entry.updated.getTime() > newest.getTime()) newest = entry.updated;
  return newest ?? EMPTY_FEED_DATE;
}

function uniqueById(articles: readonly Article[]): Article[] {
  const seen = new Set<string>();
  return articles.filter((a) => (seen.has(a.id) ? false : (seen.add(a.id), true)));
}

function cleanMeta(meta: FeedMeta) {
  const clean = (text: string) => stripInvalidXmlChars(text).trim();
  return {
    ...meta,
    title: clean(meta.title),
    description: clean(meta.description),
    copyright: meta.copyright === undefined ? undefined : clean(meta.copyright),
    publisher: clean(meta.publisher ?? meta.title),
  };
}
type CleanMeta = ReturnType<typeof cleanMeta>;

function baseFeed(meta: CleanMeta, updated: Date, feedLinks: { rss?: string; atom?: string }): Feed {
  return new Feed({
    id: feedTagUri(meta.siteUrl, meta.path),
    title: forXmlJsText(meta.title),
    description: forXmlJsText(meta.description),
    link: meta.siteUrl,
    language: meta.language,
    updated,
    generator: GENERATOR,
    feedLinks,
    ...(meta.hubUrl ? { hub: meta.hubUrl } : {}),
    ...(meta.copyright ? { copyright: forXmlJsText(meta.copyright) } : {}),
  });
}

function mediaContent(image: Image, indent: string): string {
  const attributes: XmlAttributes = {
    url: image.url,
    medium: 'image',
    type: imageMediaType(image),
    width: image.width,
    height: image.height,
  };
  const children = [
    ...(image.caption ? [xmlElement('media:description', { type: 'plain' }, image.caption)] : []),
    ...(image.credit ? [xmlElement('media:credit', {}, image.credit)] : []),
  ];
  return children.length === 0 ? xmlElement('media:content', attributes) : xmlElement('media:content', attributes, { children, indent });
}

function relatedLinkElement(name: string, link: RelatedLink): string {
  return xmlElement(name, { rel: 'related', type: 'text/html', href: link.url, title: link.title });
}

/**
 * Inserts feed-level elements before the first entry (validators want feed metadata ahead of the
 * entries), or at the end of the feed element when there is none. Nothing before the first entry
 * is CDATA or article text, so the first `<item>`/`<entry>` start tag found is the real one.
 */
function insertFeedElements(xml: string, container: string, entryTag: string, elements: readonly string[], indent: string): string {
  if (elements.length === 0) return xml;
  const firstEntry = new RegExp(`\\n[ ]*<${entryTag}>`).exec(xml);
  if (!firstEntry) return appendToElements(xml, container, [elements], indent);
  const inserted = elements.map((element) => `\n${indent}${element}`).join('');
  return xml.slice(0, firstEntry.index) + inserted + xml.slice(firstEntry.index);
}

/**
 * RFC 5005 elements of a feed document: `fh:archive` on archive pages, rel="current" to the
 * subscription document, rel="prev-archive" to the next older page (`feed` 6 cannot write them).
 */
function archiveElements(archive: ArchiveLinks | undefined, linkName: string, format: 'rss' | 'atom'): string[] {
  if (!archive) return [];
  const type = format === 'rss' ? 'application/rss+xml' : 'application/atom+xml';
  return [
    ...(archive.current ? [xmlElement('fh:archive', {}), xmlElement(linkName, { rel: 'current', type, href: archive.current[format] })] : []),
    ...(archive.prevArchive ? [xmlElement(linkName, { rel: 'prev-archive', type, href: archive.prevArchive[format] })] : []),
    ...(archive.nextArchive ? [xmlElement(linkName, { rel: 'next-archive', type, href: archive.nextArchive[format] })] : []),
  ];
}

/**
 * RSS <author> must hold an e-mail address and may appear once; validators also object to an item
 * carrying both <author> and dc:creator. So a single byline with an address is an <author>,
 * and every other byline set is one dc:creator per name.
 */
function rssAuthors(entry: FeedEntry): string[] {
  const [only, ...others] = entry.authors;
  if (only?.email && others.length === 0) return [xmlElement('author', {}, `${only.email} (${only.name})`)];
  return entry.authors.map((a) => xmlElement('dc:creator', {}, a.name));
}

function renderRss(meta: CleanMeta, entries: readonly FeedEntry[], updated: Date): string {
  const feed = baseFeed(meta, updated, { rss: meta.links.rss });
  // Written as escaped character data, never CDATA (see plainTextPlaceholder). The title is plain text.
  // RSS 2.0 defines <description> as HTML and readers render it so: the summary is HTML-escaped first,
  // or a summary mentioning "<BBM>" would lose that word in every reader.
  const slots = new PlainTextSlots();
  for (const entry of entries) {
    const item: Item = {
      title: slots.hold('title', entry.title, { cdata: true }),
      id: entry.id,
      guid: entry.id,
      link: entry.url,
      date: entry.updated,
      published: entry.published,
    };
    if (entry.summary !== '') item.description = slots.hold('description', escapeHtml(entry.summary), { cdata: true });
    if (entry.contentHtml !== undefined) item.content = forCdataHtml(entry.contentHtml);
    feed.addItem(item);
  }
  const indent = ' '.repeat(12);
  const extras = entries.map((entry) => [
    // Categories are written here: through feed's text escaping "<" could only be double-encoded.
    ...entry.categories.map((name) => xmlElement('category', {}, name)),
    ...rssAuthors(entry),
    ...(entry.leadImage ? [mediaContent(entry.leadImage, indent)] : []),
    ...entry.related.map((r) => relatedLinkElement('atom:link', r)),
    // RSS has no update date; Atom's, which readers and the W3C checker accept in RSS, tells them an item was corrected.
    xmlElement('atom:updated', {}, entry.updated.toISOString()),
  ]);
  const history = meta.archive?.current ? ` xmlns:fh="${FEED_HISTORY_NAMESPACE}"` : '';
  const rootTag = `<rss version="2.0" xmlns:atom="${NS.atom}" xmlns:content="${NS.content}" xmlns:dc="${NS.dc}" xmlns:media="${NS.media}"${history}>`;
  const withItems = appendToElements(replaceRootStartTag(feed.rss2(), 'rss', rootTag), 'item', extras, indent);
  return `${slots.fill(insertFeedElements(withItems, 'channel', 'item', archiveElements(meta.archive, 'atom:link', 'rss'), ' '.repeat(8)))}\n`;
}

function renderAtom(meta: CleanMeta, entries: readonly FeedEntry[], updated: Date): string {
  const feed = baseFeed(meta, updated, { atom: meta.links.atom });
  // Atom requires an author on every entry or on the feed; the publisher covers entries without a byline.
  feed.options.author = { name: forXmlJsText(meta.publisher), link: meta.siteUrl };
  // feed declares entry titles and summaries type="html" in CDATA; ours are plain text, so they become type="text".
  const slots = new PlainTextSlots();
  const html = { attributes: ' type="html"', cdata: true };
  for (const entry of entries) {
    const item: Item = {
      title: slots.hold('title', entry.title, html, { type: 'text' }),
      id: entry.id,
      link: entry.url,
      date: entry.updated,
      published: entry.published,
    };
    if (entry.summary !== '') item.description = slots.hold('summary', entry.summary, html, { type: 'text' });
    if (entry.contentHtml !== undefined) item.content = forCdataHtml(entry.contentHtml);
    if (entry.authors.length > 0) {
      item.author = entry.authors.map((a) => ({
        name: slots.hold('name', a.name, { cdata: false }),
        ...(a.email ? { email: a.email } : {}),
        ...(a.url ? { link: a.url } : {}),
      }));
    }
    feed.addItem(item);
  }
  const extras = entries.map((entry) => [
    // Rendered here because feed writes category terms unescaped and guesses enclosure types from file names.
    ...entry.categories.map((name) => xmlElement('category', { term: name })),
    ...(entry.leadImage ? [xmlElement('link', { rel: 'enclosure', type: imageMediaType(entry.leadImage), href: entry.leadImage.url })] : []),
    ...entry.related.map((r) => relatedLinkElement('link', r)),
  ]);
  const history = meta.archive?.current ? ` xmlns:fh="${FEED_HISTORY_NAMESPACE}"` : '';
  const rootTag = `<feed xmlns="${NS.atom}"${history} xml:lang="${escapeHtml(meta.language)}">`;
  const withEntries = appendToElements(replaceRootStartTag(feed.atom1(), 'feed', rootTag), 'entry', extras, ' '.repeat(8));
  return `${slots.fill(insertFeedElements(withEntries, 'feed', 'entry', archiveElements(meta.archive, 'link', 'atom'), ' '.repeat(4)))}\n`;
}

/**
 * Renders one feed listing in the three formats. `articles` are already newest-first and published;
 * their order is kept, and a repeated article id keeps only its first occurrence.
 * Pure and deterministic: the build date is the newest entry's update time (EMPTY_FEED_DATE when
 * there are none), so rendering the same input twice gives byte-identical output.
 */
export function renderFeeds(meta: FeedMeta, articles: readonly Article[], options: RenderOptions = {}): RenderedFeeds {
  const fullText = options.fullText ?? true;
  const includeImages = options.includeImages ?? true;
  const entries = uniqueById(articles).map((article) =>
    toFeedEntry(article, meta.siteUrl, { fullText, includeImages, related: options.relatedLinks?.get(article.id) ?? [] }),
  );
  const clean = cleanMeta(meta);
  const updated = feedBuildDate(entries);
  return {
    rss: renderRss(clean, entries, updated),
    atom: renderAtom(clean, entries, updated),
    json: renderJsonFeed(
      {
        title: clean.title,
        description: clean.description,
        siteUrl: clean.siteUrl,
        feedUrl: clean.links.json,
        language: clean.language,
        publisher: { name: clean.publisher, url: clean.siteUrl },
        ...(clean.hubUrl ? { hubUrl: clean.hubUrl } : {}),
        ...(clean.archive?.prevArchive ? { nextUrl: clean.archive.prevArchive.json } : {}),
      },
      entries,
    ),
  };
}
