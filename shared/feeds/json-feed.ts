import type { FeedEntry } from './feed-entry.js';
import { fragmentOf } from './fragment-cache.js';
import { concatInto } from './document-buffers.js';
import type { CachedEntries } from './render-feeds.js';
import { stripInvalidXmlCharsDeep } from './xml-text.js';

/**
 * JSON Feed 1.1 (https://jsonfeed.org/version/1.1). Built here rather than with `feed` 6,
 * whose `json1()` emits version 1 (singular `author`, no `language`).
 */
export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

export interface JsonFeedAuthor {
  name: string;
  url?: string;
}

export interface JsonFeedItem {
  id: string;
  url: string;
  title: string;
  summary?: string;
  content_html?: string;
  content_text?: string;
  image?: string;
  date_published: string;
  date_modified: string;
  authors?: JsonFeedAuthor[];
  tags?: string[];
  language: string;
  /** Warta extension: related articles, present only when there are some. */
  _warta?: { related: { id: string; title: string; url: string; reason?: string }[] };
}

export interface JsonFeed {
  version: typeof JSON_FEED_VERSION;
  title: string;
  home_page_url: string;
  feed_url: string;
  description: string;
  language: string;
  authors: JsonFeedAuthor[];
  hubs?: { type: 'WebSub'; url: string }[];
  /** The next page of older items: the feed's archive chain (RFC 5005 pages; docs/feeds.md). */
  next_url?: string;
  items: JsonFeedItem[];
}

/** Feed-level facts the JSON Feed needs, already cleaned. */
export interface JsonFeedHead {
  title: string;
  description: string;
  siteUrl: string;
  feedUrl: string;
  language: string;
  publisher: JsonFeedAuthor;
  hubUrl?: string;
  nextUrl?: string;
}

function jsonItem(entry: FeedEntry): JsonFeedItem {
  const item: JsonFeedItem = {
    id: entry.id,
    url: entry.url,
    title: entry.title,
    date_published: entry.published.toISOString(),
    date_modified: entry.updated.toISOString(),
    language: entry.language,
  };
  if (entry.summary !== '') item.summary = entry.summary;
  // The spec requires content_html or content_text; without full text the summary (or title) is the content.
  if (entry.contentHtml !== undefined) item.content_html = entry.contentHtml;
  else item.content_text = entry.summary || entry.title;
  if (entry.leadImage) item.image = entry.leadImage.url;
  if (entry.authors.length > 0) {
    item.authors = entry.authors.map((a) => (a.url ? { name: a.name, url: a.url } : { name: a.name }));
  }
  if (entry.categories.length > 0) item.tags = entry.categories;
  if (entry.related.length > 0) {
    item._warta = {
      related: entry.related.map((r) => ({ id: r.id, title: r.title, url: r.url, ...(r.reason === undefined ? {} : { reason: r.reason }) })),
    };
  }
  return item;
}

/** One item as `JSON.stringify(feed, null, 2)` writes it inside `items` (at two levels of indentation). */
function itemJson(entry: FeedEntry): string {
  return JSON.stringify(stripInvalidXmlCharsDeep(jsonItem(entry)), null, 2).replace(/\n/g, '\n    ');
}

/** Renders a JSON Feed 1.1 document; key order is fixed so output is byte-stable. */
export function renderJsonFeed(head: JsonFeedHead, entries: readonly FeedEntry[]): string {
  return renderJsonFeedBytes(head, entries).toString('utf8');
}

/**
 * `renderJsonFeed` as UTF-8 bytes. Items are serialized one by one (and reused across documents when
 * `cached` gives the entries' cache keys: see fragment-cache.ts), then placed where
 * `JSON.stringify` of the whole document puts them.
 */
export function renderJsonFeedBytes(head: JsonFeedHead, entries: readonly FeedEntry[], cached?: CachedEntries): Buffer {
  const feed: JsonFeed = {
    version: JSON_FEED_VERSION,
    title: head.title,
    home_page_url: head.siteUrl,
    feed_url: head.feedUrl,
    description: head.description,
    language: head.language,
    authors: [head.publisher],
    // JSON.stringify leaves out undefined members, so feeds without a hub carry no `hubs`.
    hubs: head.hubUrl ? [{ type: 'WebSub', url: head.hubUrl }] : undefined,
    next_url: head.nextUrl,
    items: [],
  };
  // Every string, including URLs and ids the entry did not clean, without the characters XML forbids (docs/feeds.md).
  const skeleton = JSON.stringify(stripInvalidXmlCharsDeep(feed), null, 2);
  if (entries.length === 0) return Buffer.from(`${skeleton}\n`, 'utf8');
  const items = cached
    ? cached.fragments.getAll(cached.keys, (missing) => missing.map((i) => itemJson(entries[i] as FeedEntry)), cached.use)
    : entries.map((entry) => fragmentOf(itemJson(entry)));
  // `items` is the last member, and an unescaped `"items": []` can only be that key (quotes inside strings are escaped).
  const empty = '"items": []';
  const at = skeleton.lastIndexOf(empty);
  const separator = Buffer.from(',\n    ');
  const parts: Buffer[] = [Buffer.from(`${skeleton.slice(0, at)}"items": [\n    `, 'utf8')];
  items.forEach((item, i) => {
    if (i > 0) parts.push(separator);
    parts.push(item.utf8);
  });
  parts.push(Buffer.from(`\n  ]${skeleton.slice(at + empty.length)}\n`, 'utf8'));
  return concatInto(parts, cached?.allocate);
}
