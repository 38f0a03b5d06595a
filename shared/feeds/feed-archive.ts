import type { Article } from '../model/article.js';
import { FEED_FORMATS, type FeedFormat } from './feed-paths.js';

/**
 * RFC 5005 archived feeds (docs/feeds.md, "Complete history").
 *
 * Every entry of a feed has a stable position: its listing sort key `<publishedAt>#<id>`
 * (docs/storage.md). Archive pages are numbered from the oldest (1, 2, …); page n holds the
 * entries whose sort key is after page n−1's last key and at most page n's last key. A page's
 * last key is recorded once, when the page is sealed, and never moves, so an entry belongs to
 * the same page for life: a correction rewrites that page only, a withdrawal removes the entry
 * from it, an entry published late with an old date joins the page its date falls in.
 *
 * The subscription document (`feeds/<path>.rss`, …) holds the entries after the last sealed key,
 * newest first, so every entry is in exactly one document of the chain. When that tail reaches
 * twice the page size, its oldest `pageSize` entries are sealed into the next page; so once a feed
 * has archives its subscription document holds between FEED_ITEM_LIMIT and twice that minus one
 * entries (fewer only after withdrawals): aggregators that never walk archives still see at least
 * as many entries as before archives existed.
 *
 * The first seal makes two pages at once (when the tail reaches three pages' worth), so that page 1
 * can link rel="next-archive" to page 2 from the start: an archive page with neither a prev- nor a
 * next-archive link is "incomplete" to feed checkers, and adding the link later would rewrite page 1.
 */

/** The namespace of `fh:archive` (RFC 5005 §4). */
export const FEED_HISTORY_NAMESPACE = 'http://purl.org/syndication/history/1.0';

/**
 * Archive pages change only when an entry in them is corrected or withdrawn, so crawlers and
 * CloudFront may keep them a day without asking again; `immutable` tells browsers not to revalidate.
 * A day rather than a year so that a correction to an archived article reaches every cache within a day.
 */
export const ARCHIVE_CACHE_CONTROL = 'public, max-age=86400, immutable';

/** Entries per archive page: the feed's item limit, the unit a reader already gets in one document. */
export function archivePageSize(feedItemLimit: number): number {
  return Math.max(1, feedItemLimit);
}

/** S3 key of one format of archive page `page` (1 = oldest) of a feed: `feeds/<path>/archive/<page>.<ext>`. */
export function archiveObjectKey(path: string, page: number, format: FeedFormat): string {
  if (!Number.isInteger(page) || page < 1) throw new RangeError(`Archive page must be a positive integer, got ${page}`);
  return `feeds/${path}/archive/${page}.${FEED_FORMATS[format].extension}`;
}

/** The listing sort key of an article: publication instant, then id, so the order is total and stable. */
export function listingSortKey(article: Pick<Article, 'publishedAt' | 'id'>): string {
  return `${article.publishedAt}#${article.id}`;
}

/** One sealed archive page: entries with `after < sortKey <= upTo` (`after` undefined for page 1). */
export interface ArchivePage {
  page: number;
  after?: string;
  upTo: string;
  /** False when the page was sealed but its files may not have been written yet. */
  published?: boolean;
}

/**
 * The last keys of the pages to seal from a tail (sort keys after the last sealed page, oldest first):
 * while at least two pages' worth remain, the oldest page's worth is sealed. A feed without pages
 * waits for three pages' worth and seals two (see above).
 */
export function pagesToSeal(tailOldestFirst: readonly string[], pageSize: number, sealedPages: number): string[] {
  if (sealedPages === 0 && tailOldestFirst.length < 3 * pageSize) return [];
  const ends: string[] = [];
  for (let start = 0; tailOldestFirst.length - start >= 2 * pageSize; start += pageSize) {
    ends.push(tailOldestFirst[start + pageSize - 1] as string);
  }
  return ends;
}

/** Links of one document in an archive chain, absolute URLs per format. */
export type FormatLinks = Record<FeedFormat, string>;

export interface ArchiveLinks {
  /** The next older archive page (rel="prev-archive"; JSON Feed next_url). */
  prevArchive?: FormatLinks;
  /** Page 1 only: page 2 (rel="next-archive"). */
  nextArchive?: FormatLinks;
  /** Set on archive pages: the subscription document (rel="current"); marks the page fh:archive. */
  current?: FormatLinks;
}
