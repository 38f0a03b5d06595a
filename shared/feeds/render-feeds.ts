import { Feed, type Item } from 'feed';
import type { Article, Image } from '../model/article.js';
import { FEED_HISTORY_NAMESPACE, type ArchiveLinks } from './feed-archive.js';
import { EMPTY_FEED_DATE, feedTagUri } from './feed-ids.js';
import { digestedFeedEntry, type FeedEntry, type RelatedLink } from './feed-entry.js';
import { entryFragments, largestDocument, recordBytes, type Fragment, type FragmentCache, type FragmentUse } from './fragment-cache.js';
import { renderJsonFeedBytes } from './json-feed.js';
import { concatInto } from './document-buffers.js';
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
  /** Where rendered entries are kept for the next documents that show them; default `entryFragments`. */
  fragments?: FragmentCache;
  /** Memory to assemble each document in (a DocumentBuffers lease); new buffers when absent. */
  allocate?: (size: number) => Buffer;
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

/** A fixed head for rendering one entry alone: what `feed` writes for an item does not depend on it. */
const FRAGMENT_META: CleanMeta = cleanMeta({
  path: 'fragment',
  title: 'fragment',
  description: 'fragment',
  siteUrl: 'https://fragment.invalid',
  language: 'en',
  links: { rss: 'https://fragment.invalid/f.rss', atom: 'https://fragment.invalid/f.atom', json: 'https://fragment.invalid/f.json' },
});
const FRAGMENT_DATE = new Date(0);

/**
 * Cuts the entries out of a document of `count` entries, each from the line break before its start tag at
 * `indent` to the end of its end tag: entries are consecutive, so each starts where the one before ends.
 * End tags are looked for only outside CDATA sections (article HTML is the only raw text in an entry: titles,
 * summaries, names and attributes are escaped), as appendToElements does.
 */
function cutEntries(xml: string, tag: string, indent: string, count: number): string[] {
  let start = xml.indexOf(`\n${indent}<${tag}>`);
  if (start === -1) throw new Error(`Rendered feed has no <${tag}> element`);
  const endTag = `</${tag}>`;
  const entries: string[] = [];
  let cursor = start;
  while (cursor < xml.length) {
    const cdataStart = xml.indexOf('<![CDATA[', cursor);
    const markupEnd = cdataStart === -1 ? xml.length : cdataStart;
    for (let at = xml.indexOf(endTag, cursor); at !== -1 && at < markupEnd; at = xml.indexOf(endTag, at + endTag.length)) {
      entries.push(xml.slice(start, at + endTag.length));
      start = at + endTag.length;
    }
    if (cdataStart === -1) break;
    const cdataEnd = xml.indexOf(']]>', cdataStart);
    if (cdataEnd === -1) throw new Error('Unterminated CDATA section in rendered feed');
    cursor = cdataEnd + 3;
  }
  if (entries.length !== count) throw new Error(`Expected ${count} <${tag}> elements in rendered feed, found ${entries.length}`);
  return entries;
}

/**
 * Entries whose fragments the cache does not hold are rendered a few at a time, in one `feed` document per
 * group: `feed` and xml-js cost about 70-80 µs per document besides each item's own serialization, which
 * made a document's head most of a fragment's cost when each was rendered alone (a change at 100,000 stored
 * articles renders about 60, the full rebuild 1.58 million; docs/performance.md). A group stays well below
 * the 128 KiB where V8 puts a string in its own pages (see fragment-cache.ts), which made whole documents of
 * 50 entries dearer per entry than single ones.
 */
const GROUP_ENTRIES = 12;
const GROUP_CHARACTERS = 24 * 1024;

function inGroups(entries: readonly FeedEntry[], render: (group: readonly FeedEntry[]) => string[]): string[] {
  const out: string[] = [];
  let group: FeedEntry[] = [];
  let characters = 0;
  for (const entry of entries) {
    const size = (entry.contentHtml?.length ?? 0) + entry.summary.length + entry.title.length;
    if (group.length > 0 && (group.length >= GROUP_ENTRIES || characters + size > GROUP_CHARACTERS)) {
      out.push(...render(group));
      group = [];
      characters = 0;
    }
    group.push(entry);
    characters += size;
  }
  if (group.length > 0) out.push(...render(group));
  return out;
}

/**
 * Places entry fragments before the container's end tag (entries are the container's last children in
 * `feed`'s output) and ends the document with a line break, as UTF-8 bytes. The skeleton is cut at an
 * ASCII end tag, so its two parts encode on their own exactly as within the whole text.
 */
function spliceEntries(skeleton: string, containerEnd: string, fragments: readonly Fragment[], allocate?: (size: number) => Buffer): Buffer {
  if (fragments.length === 0) return Buffer.from(`${skeleton}\n`, 'utf8');
  const at = skeleton.lastIndexOf(containerEnd);
  if (at === -1) throw new Error(`Rendered feed has no ${containerEnd.trim()}`);
  return concatInto([Buffer.from(skeleton.slice(0, at), 'utf8'), ...fragments.map((f) => f.utf8), Buffer.from(`${skeleton.slice(at)}\n`, 'utf8')], allocate);
}

/**
 * RSS `<item>`s (each with its leading line break), rendered by `feed` as the items of one document and
 * completed here; documents are assembled from these (see fragment-cache.ts), byte for byte what
 * rendering all items in one document gives, since `feed` serializes each item on its own.
 */
function rssItems(entries: readonly FeedEntry[]): string[] {
  const feed = baseFeed(FRAGMENT_META, FRAGMENT_DATE, {});
  // Written as escaped character data, never CDATA (see PlainTextSlots). The title is plain text.
  // RSS 2.0 defines <description> as HTML and readers render it so: the summary is HTML-escaped first,
  // or a summary mentioning "<BBM>" would lose that word in every reader.
  const slots = new PlainTextSlots();
  const indent = ' '.repeat(12);
  const extras = entries.map((entry) => {
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
    return [
      // Categories are written here: through feed's text escaping "<" could only be double-encoded.
      ...entry.categories.map((name) => xmlElement('category', {}, name)),
      ...rssAuthors(entry),
      ...(entry.leadImage ? [mediaContent(entry.leadImage, indent)] : []),
      ...entry.related.map((r) => relatedLinkElement('atom:link', r)),
      // RSS has no update date; Atom's, which readers and the W3C checker accept in RSS, tells them an item was corrected.
      xmlElement('atom:updated', {}, entry.updated.toISOString()),
    ];
  });
  return cutEntries(slots.fill(appendToElements(feed.rss2(), 'item', extras, indent)), 'item', ' '.repeat(8), entries.length);
}

function renderRss(meta: CleanMeta, entries: readonly FeedEntry[], cached: CachedEntries, updated: Date): Buffer {
  const feed = baseFeed(meta, updated, { rss: meta.links.rss });
  const history = meta.archive?.current ? ` xmlns:fh="${FEED_HISTORY_NAMESPACE}"` : '';
  const rootTag = `<rss version="2.0" xmlns:atom="${NS.atom}" xmlns:content="${NS.content}" xmlns:dc="${NS.dc}" xmlns:media="${NS.media}"${history}>`;
  // Feed-level elements go before the first item, that is at the end of the channel before the items are placed.
  const skeleton = insertFeedElements(replaceRootStartTag(feed.rss2(), 'rss', rootTag), 'channel', 'item', archiveElements(meta.archive, 'atom:link', 'rss'), ' '.repeat(8));
  const items = cached.fragments.getAll(cached.keys, (missing) => inGroups(missing.map((i) => entries[i] as FeedEntry), rssItems), cached.use);
  return spliceEntries(skeleton, '\n    </channel>', items, cached.allocate);
}

/** Atom `<entry>`s (each with its leading line break); see rssItems. */
function atomEntries(entries: readonly FeedEntry[]): string[] {
  const feed = baseFeed(FRAGMENT_META, FRAGMENT_DATE, {});
  // feed declares entry titles and summaries type="html" in CDATA; ours are plain text, so they become type="text".
  const slots = new PlainTextSlots();
  const html = { attributes: ' type="html"', cdata: true };
  const extras = entries.map((entry) => {
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
    return [
      // Rendered here because feed writes category terms unescaped and guesses enclosure types from file names.
      ...entry.categories.map((name) => xmlElement('category', { term: name })),
      ...(entry.leadImage ? [xmlElement('link', { rel: 'enclosure', type: imageMediaType(entry.leadImage), href: entry.leadImage.url })] : []),
      ...entry.related.map((r) => relatedLinkElement('link', r)),
    ];
  });
  return cutEntries(slots.fill(appendToElements(feed.atom1(), 'entry', extras, ' '.repeat(8))), 'entry', ' '.repeat(4), entries.length);
}

function renderAtom(meta: CleanMeta, entries: readonly FeedEntry[], cached: CachedEntries, updated: Date): Buffer {
  const feed = baseFeed(meta, updated, { atom: meta.links.atom });
  // Atom requires an author on every entry or on the feed; the publisher covers entries without a byline.
  feed.options.author = { name: forXmlJsText(meta.publisher), link: meta.siteUrl };
  const history = meta.archive?.current ? ` xmlns:fh="${FEED_HISTORY_NAMESPACE}"` : '';
  const rootTag = `<feed xmlns="${NS.atom}"${history} xml:lang="${escapeHtml(meta.language)}">`;
  const skeleton = insertFeedElements(replaceRootStartTag(feed.atom1(), 'feed', rootTag), 'feed', 'entry', archiveElements(meta.archive, 'link', 'atom'), ' '.repeat(4));
  const items = cached.fragments.getAll(cached.keys, (missing) => inGroups(missing.map((i) => entries[i] as FeedEntry), atomEntries), cached.use);
  return spliceEntries(skeleton, '\n</feed>', items, cached.allocate);
}

/** How a document's entries are found and where the document is assembled. */
export interface CachedEntries {
  keys: readonly string[];
  use: FragmentUse;
  fragments: FragmentCache;
  allocate: ((size: number) => Buffer) | undefined;
}

/** One feed document in the three formats as the UTF-8 bytes that are published. */
export interface RenderedFeedBytes {
  rss: Buffer;
  atom: Buffer;
  json: Buffer;
}

/**
 * Renders one feed listing in the three formats. `articles` are already newest-first and published;
 * their order is kept, and a repeated article id keeps only its first occurrence.
 * Pure and deterministic: the build date is the newest entry's update time (EMPTY_FEED_DATE when
 * there are none), so rendering the same input twice gives byte-identical output.
 */
export function renderFeeds(meta: FeedMeta, articles: readonly Article[], options: RenderOptions = {}): RenderedFeeds {
  const bytes = renderFeedBytes(meta, articles, options);
  return recordBytes(
    { rss: bytes.rss.toString('utf8'), atom: bytes.atom.toString('utf8'), json: bytes.json.toString('utf8') },
    largestDocument(bytes),
  );
}

/** `renderFeeds` as the UTF-8 bytes to publish: what the feed builder uploads, without a round trip through text. */
export function renderFeedBytes(meta: FeedMeta, articles: readonly Article[], options: RenderOptions = {}): RenderedFeedBytes {
  const fullText = options.fullText ?? true;
  const includeImages = options.includeImages ?? true;
  const digested = uniqueById(articles).map((article) =>
    digestedFeedEntry(article, meta.siteUrl, { fullText, includeImages, related: options.relatedLinks?.get(article.id) ?? [] }),
  );
  const entries = digested.map((d) => d.entry);
  const clean = cleanMeta(meta);
  const updated = feedBuildDate(entries);
  // Only archive pages link their subscription document (rel="current"); see FragmentUse.
  const use: FragmentUse = meta.archive?.current ? 'archive' : 'current';
  const fragments = options.fragments ?? entryFragments;
  const allocate = options.allocate;
  const rss = renderRss(clean, entries, { keys: digested.map((d) => d.keys.rss), use, fragments, allocate }, updated);
  const atom = renderAtom(clean, entries, { keys: digested.map((d) => d.keys.atom), use, fragments, allocate }, updated);
  const json = renderJsonFeedBytes(
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
    { keys: digested.map((d) => d.keys.json), use, fragments, allocate },
  );
  return { rss, atom, json };
}
