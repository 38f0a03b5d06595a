import { createHash } from 'node:crypto';
import type { SiteConfig } from '../config/load-config.js';
import { StorageError } from '../errors.js';
import {
  ARCHIVE_CACHE_CONTROL,
  archiveObjectKey,
  archivePageSize,
  pagesToSeal,
  type ArchiveLinks,
  type ArchivePage,
  type FormatLinks,
} from '../feeds/feed-archive.js';
import { FEED_FORMATS, feedObjectKey, feedPathsForArticle, LATEST_FEED_PATH, parseFeedPath, type FeedFormat } from '../feeds/feed-paths.js';
import type { FeedMeta, RelatedLink, RenderedFeedBytes } from '../feeds/render-feeds.js';
import { renderFeedBytes } from '../feeds/render-feeds.js';
import { renderWithinBudget } from '../feeds/feed-budget.js';
import { largestDocument, type FragmentCache } from '../feeds/fragment-cache.js';
import type { DocumentBuffers } from '../feeds/document-buffers.js';
import type { Article } from '../model/article.js';
import { isVisibleAt } from '../embargo/visibility.js';
import type { ArticleRepository, Clock, ObjectPublisher } from '../ports.js';
import { updateSitemaps, type SitemapStore } from '../sitemaps/build-sitemaps.js';
import { updateDiscovery, type FeedDirectoryStore } from '../discovery/build-discovery.js';
import { slugify } from '../text/slugify.js';
import { publishedDigest, type FeedMark, type PublishedFeed, type PublishedFeedMemory } from './published-feed-memory.js';

/** A revision counter per feed; see DynamoDbFeedRevisions. */
export interface FeedRevisionStore {
  bump(feedKey: string): Promise<number>;
  /** Marks the feed changed (as `bump`); returns the new revision with the feed's count of restarted builds. */
  mark(feedKey: string): Promise<FeedMark>;
  /** Counts a build of the feed that starts over because its revision moved (published-feed-memory.ts). */
  countRestart(feedKey: string): Promise<void>;
  current(feedKey: string): Promise<number>;
  /** Current revisions of several feeds, read strongly consistent (a feed never bumped is 0). */
  currentMany(feedKeys: readonly string[]): Promise<Map<string, number>>;
}

/** A range of listing sort keys: `after < sortKey <= upTo`, either bound optional. */
export interface ListingRange {
  after?: string;
  upTo?: string;
}

export interface ListingKey {
  sortKey: string;
  articleId: string;
  /** The article's version the listing item names, when it names one. */
  articleVersion?: number;
}

/** Sealed RFC 5005 archive pages of each feed (docs/feeds.md, docs/storage.md). */
export interface FeedArchiveStore {
  /** The newest sealed page, or undefined when the feed has none yet. */
  lastPage(feedPath: string): Promise<ArchivePage | undefined>;
  /** The sealed page whose range holds `sortKey`, or undefined when it is after the last one. */
  pageContaining(feedPath: string, sortKey: string): Promise<ArchivePage | undefined>;
  /** Records page `page` ending at `upTo`; false when that page number was already taken (another builder sealed it). */
  seal(feedPath: string, page: number, upTo: string): Promise<boolean>;
  /** Records that page `page`'s files were written, so a crash between sealing and writing is repaired by the next build. */
  markPublished(feedPath: string, page: number): Promise<void>;
  /** Listing keys of a feed within a range, oldest first. */
  listingKeys(feedPath: string, range: ListingRange): Promise<ListingKey[]>;
}

export interface RelatedLinksSource {
  relatedLinks(articleIds: readonly string[]): Promise<Map<string, RelatedLink[]>>;
}

export interface BuildFeedsDeps {
  articles: ArticleRepository;
  revisions: FeedRevisionStore;
  publisher: ObjectPublisher;
  site: SiteConfig;
  /** The build's notion of now: articles scheduled for later stay out of every output (shared/embargo/visibility.ts). */
  clock: Clock;
  /** RFC 5005 archive pages; without it, feeds hold the newest FEED_ITEM_LIMIT entries and link no archive. */
  archives?: FeedArchiveStore;
  /** Sitemaps (news, monthly, index) rebuilt for the same change; none are written when absent. */
  sitemaps?: { store: SitemapStore; clock: Clock };
  /** The feed directory behind `index.html` and `feeds.opml` (docs/feeds.md, "Discovery"); neither is written when absent. */
  discovery?: { directory: FeedDirectoryStore; clock: Clock };
  /** What this process last published of each feed, to skip asking S3 what is stored (published-feed-memory.ts). */
  publishedFeeds?: PublishedFeedMemory;
  /** Related links rendered into entries; feeds build without them when absent. */
  related?: RelatedLinksSource;
  /** The builder's rendered entries, kept across builds (fragment-cache.ts); the process-wide one when absent. */
  fragments?: FragmentCache;
  /** Memory documents are assembled in, reused once each is published (document-buffers.ts); new buffers when absent. */
  documentBuffers?: Pick<DocumentBuffers, 'lease'>;
  /** Rebuilds partner outputs for the same change (partners/<id>/…). */
  partnerOutputs?: (changedArticleIds: readonly string[]) => Promise<{ written: string[]; deleted: string[] }>;
  /**
   * Told the keys written once every feed of the build is published, before sitemaps, the discovery index
   * and partner outputs: WebSub hubs hear of new entries without waiting for outputs no subscriber reads.
   */
  feedsPublished?: (written: readonly string[]) => void;
}

export interface BuildFeedsResult {
  /** Feed paths rebuilt. */
  feeds: string[];
  /** Object keys whose bytes changed and were written. */
  written: string[];
  /** Object keys rendered again but left alone because their bytes were already published. */
  unchanged: string[];
  deleted: string[];
}

/** A rebuild that keeps seeing new revisions gives up and lets the batch retry, rather than spin. */
const MAX_BUILD_ATTEMPTS = 5;
/** Feeds built at once: enough to overlap DynamoDB and S3 round trips, few enough to stay under throttling. */
const FEED_CONCURRENCY = 4;

/** Runs `work` over `items` with at most FEED_CONCURRENCY in flight; the first failure rejects once all have settled. */
async function forEachConcurrently<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FEED_CONCURRENCY, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

/**
 * Brings every feed touched by a change to these articles up to date with the table.
 * Listings are synced from the current article state (never from the event), each feed is
 * rendered from one Query, and a feed whose revision moved while it was being built is built
 * again, so the last object written always reflects the newest state.
 */
export async function buildFeedsForArticles(deps: BuildFeedsDeps, articleIds: readonly string[]): Promise<BuildFeedsResult> {
  const touched = new Map<string, Set<string>>();
  // One instant for the whole build: an article released during it is in all of its outputs or in none.
  const now = deps.clock.now();
  await forEachConcurrently([...new Set(articleIds)], async (id) => {
    for (const change of await deps.articles.syncListingChanges(id, now)) {
      touched.set(change.path, new Set([...(touched.get(change.path) ?? []), ...change.sortKeys]));
    }
  });
  const result: BuildFeedsResult = { feeds: [...touched.keys()].sort(), written: [], unchanged: [], deleted: [] };
  // Mark every affected feed first, so a concurrent builder already rendering one of them knows to render again.
  const marks = new Map<string, FeedMark>();
  await forEachConcurrently(result.feeds, async (path) => {
    marks.set(path, await deps.revisions.mark(path));
  });
  const revisions = new Map([...marks].map(([path, mark]) => [path, mark.revision]));
  const recalled = new Map(result.feeds.flatMap((path) => {
    const known = deps.publishedFeeds?.recall(path, marks.get(path) as FeedMark);
    return known ? [[path, known] as const] : [];
  }));
  const published = new Map<string, PublishedFeed>();

  // Every feed is built, then all their revisions are checked in one read: a feed whose revision moved
  // meanwhile (another builder marked it) is built again, until none moved.
  const written = new Set<string>();
  const rendered = new Set<string>();
  let pending = result.feeds;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > MAX_BUILD_ATTEMPTS) {
      throw new StorageError(`Feed ${pending.join(', ')} kept changing while it was built (${attempt - 1} attempts)`);
    }
    await forEachConcurrently(pending, async (path) => {
      const outcome = await publishFeed({ ...deps, clock: { now: () => now } }, path, [...(touched.get(path) ?? [])], recalled.get(path));
      for (const key of outcome.written) written.add(key);
      for (const key of [...outcome.written, ...outcome.unchanged]) rendered.add(key);
      published.set(path, outcome.left);
    });
    const after = await deps.revisions.currentMany(pending);
    const moved = pending.filter((path) => after.get(path) !== revisions.get(path));
    for (const path of pending) {
      if (moved.includes(path) || attempt > 1) deps.publishedFeeds?.forget(path);
      else deps.publishedFeeds?.remember(path, marks.get(path) as FeedMark, recalled.get(path), published.get(path) ?? { objects: new Map() });
    }
    // A restart is counted where every builder sees it: another process that remembers this feed must ask S3 again.
    await forEachConcurrently(moved, async (path) => {
      await deps.revisions.countRestart(path);
      recalled.delete(path);
      revisions.set(path, after.get(path) ?? 0);
    });
    pending = moved;
  }
  // A key written by any attempt was written, even if a later attempt found its bytes already there.
  result.written = [...written].sort();
  result.unchanged = [...rendered].filter((key) => !written.has(key)).sort();
  deps.feedsPublished?.([...result.written]);

  if (deps.sitemaps) {
    const changed = await deps.articles.getMany([...new Set(articleIds)]);
    const sitemaps = await updateSitemaps(
      { store: deps.sitemaps.store, clock: { now: () => now }, publisher: deps.publisher, site: deps.site },
      changed,
      [...(touched.get(LATEST_FEED_PATH) ?? [])],
    );
    result.written.push(...sitemaps.written);
    result.deleted.push(...sitemaps.deleted);
  }

  if (deps.discovery) {
    // After the feeds: the index links only feeds whose files exist.
    const changes = [...touched].map(([path, sortKeys]) => ({ path, sortKeys: [...sortKeys] }));
    const discovery = await updateDiscovery({ ...deps, ...deps.discovery, clock: { now: () => now } }, changes, articleIds);
    result.written.push(...discovery.written);
    result.deleted.push(...discovery.deleted);
  }

  if (deps.partnerOutputs) {
    const partner = await deps.partnerOutputs(articleIds);
    result.written.push(...partner.written);
    result.deleted.push(...partner.deleted);
  }
  return result;
}

type DocumentOutcome = {
  written: string[];
  unchanged: string[];
  /** The digest of every file the build left (written or found unchanged), by key. */
  published: Map<string, string>;
};
type PublishOutcome = {
  written: string[];
  unchanged: string[];
  /** What the build left of the feed, for the process's memory (published-feed-memory.ts). */
  left: PublishedFeed;
};

/**
 * Renders one public feed from the table and publishes its three files. With archives, it first
 * seals full pages off the subscription document, then writes the subscription document, every
 * page it sealed, and the archive pages holding `touchedSortKeys` (the changed articles' keys,
 * before and after the change): never any other archive page.
 */
export async function publishFeed(
  deps: Pick<BuildFeedsDeps, 'articles' | 'publisher' | 'site' | 'related' | 'archives' | 'clock' | 'fragments' | 'documentBuffers'>,
  path: string,
  touchedSortKeys: readonly string[] = [],
  /** What this process left of the feed, when no other build can have changed it since. */
  recalled?: PublishedFeed,
): Promise<PublishOutcome> {
  const now = deps.clock.now();
  // Listing items exist only for visible articles (the sync decides); this check also covers a listing
  // item that briefly outlives a move of the publication time into the future, before its own build syncs it.
  const belongs = (a: Article) => isVisibleAt(a, now) && feedPathsForArticle(a).includes(path);
  if (!deps.archives) {
    const articles = (await deps.articles.listFeed(path, deps.site.feedItemLimit)).filter(belongs);
    const outcome = await publishDocument(deps, path, articles, recalled?.objects, { format: (f) => feedObjectKey(path, f), cacheControl: feedCacheControl(deps.site) });
    return { written: outcome.written, unchanged: outcome.unchanged, left: { objects: outcome.published } };
  }
  const archives = deps.archives;
  const pageSize = archivePageSize(deps.site.feedItemLimit);
  // The newest page as this process left it, when no other build can have sealed one since; a page sealed
  // anyway (the case published-feed-memory.ts cannot see) makes the seal below lose, and it reads the page.
  let last = recalled?.lastPage !== undefined ? (recalled.lastPage ?? undefined) : await archives.lastPage(path);
  let tail = await archives.listingKeys(path, { after: last?.upTo });
  // Pages to write besides the subscription document: pages sealed now, a page sealed earlier whose
  // files were never confirmed written (a crash between sealing and publishing), and touched pages.
  const pages = new Map<number, ArchivePage>(last && !last.published ? [[last.page, last]] : []);
  for (let attempt = 1; ; attempt++) {
    const ends = pagesToSeal(tail.map((k) => k.sortKey), pageSize, last?.page ?? 0);
    if (ends.length === 0) break;
    let lost = false;
    for (const upTo of ends) {
      const page: ArchivePage = { page: (last?.page ?? 0) + 1, upTo, ...(last ? { after: last.upTo } : {}) };
      if (!(await archives.seal(path, page.page, upTo))) {
        lost = true;
        break;
      }
      pages.set(page.page, page);
      last = page;
    }
    if (lost) {
      // Another builder sealed this page number first: continue from what it recorded.
      if (attempt >= MAX_BUILD_ATTEMPTS) throw new StorageError(`Archive pages of ${path} kept being sealed by others (${attempt} attempts)`);
      last = await archives.lastPage(path);
      tail = await archives.listingKeys(path, { after: last?.upTo });
    } else {
      const upTo = last?.upTo;
      tail = tail.filter((k) => upTo === undefined || k.sortKey > upTo);
    }
  }
  for (const sortKey of touchedSortKeys) {
    if (last && sortKey <= last.upTo && ![...pages.values()].some((p) => inPage(p, sortKey))) {
      const page = await archives.pageContaining(path, sortKey);
      if (page) pages.set(page.page, page);
    }
  }

  const links = (page: number): FormatLinks => formatLinks(deps.site, (f) => archiveObjectKey(path, page, f));
  const currentLinks = formatLinks(deps.site, (f) => feedObjectKey(path, f));
  const newestFirst = async (keys: readonly ListingKey[]) => {
    const versions = new Map(keys.flatMap((k) => (k.articleVersion !== undefined ? [[k.articleId, k.articleVersion] as const] : [])));
    return (await deps.articles.getMany(keys.map((k) => k.articleId).reverse(), versions)).filter(belongs);
  };
  const outcomes: DocumentOutcome[] = [];
  // Archive pages first: the subscription document links the newest page only once it exists.
  await forEachConcurrently([...pages.values()], async (page) => {
    outcomes.push(
      await publishDocument(deps, path, await newestFirst(await archives.listingKeys(path, page)), recalled?.objects, {
        format: (f) => archiveObjectKey(path, page.page, f),
        cacheControl: ARCHIVE_CACHE_CONTROL,
        archive: { current: currentLinks, ...(page.page > 1 ? { prevArchive: links(page.page - 1) } : { nextArchive: links(2) }) },
        wholePage: true,
      }),
    );
    if (!page.published) await archives.markPublished(path, page.page);
  });
  outcomes.push(
    await publishDocument(deps, path, await newestFirst(tail), recalled?.objects, {
      format: (f) => feedObjectKey(path, f),
      cacheControl: feedCacheControl(deps.site),
      ...(last ? { archive: { prevArchive: links(last.page) } } : {}),
    }),
  );
  return {
    written: outcomes.flatMap((o) => o.written).sort(),
    unchanged: outcomes.flatMap((o) => o.unchanged).sort(),
    // Every page up to the newest has its files written by now (unpublished ones were written above).
    left: { objects: new Map(outcomes.flatMap((o) => [...o.published])), lastPage: last ? { ...last, published: true } : null },
  };
}

function inPage(page: ArchivePage, sortKey: string): boolean {
  return (page.after === undefined || sortKey > page.after) && sortKey <= page.upTo;
}

function formatLinks(site: SiteConfig, key: (format: FeedFormat) => string): FormatLinks {
  return { rss: `${site.feedsBaseUrl}/${key('rss')}`, atom: `${site.feedsBaseUrl}/${key('atom')}`, json: `${site.feedsBaseUrl}/${key('json')}` };
}

/**
 * Renders and publishes one document (subscription feed or archive page) in the three formats.
 * The subscription document keeps the newest entries that fit FEED_MAX_BYTES; an archive page
 * (`wholePage`) must lose no entry, so when it would not fit it is rendered without full text.
 */
async function publishDocument(
  deps: Pick<BuildFeedsDeps, 'publisher' | 'site' | 'related' | 'fragments' | 'documentBuffers'>,
  path: string,
  articles: readonly Article[],
  recalled: ReadonlyMap<string, string> | undefined,
  target: { format: (format: FeedFormat) => string; cacheControl: string; archive?: ArchiveLinks; wholePage?: boolean },
): Promise<DocumentOutcome> {
  const relatedLinks = deps.related ? await deps.related.relatedLinks(articles.map((a) => a.id)) : undefined;
  const meta = (entries: readonly Article[]) => {
    const base = feedMetaFor(path, entries, deps.site);
    return {
      ...base,
      links: formatLinks(deps.site, target.format),
      ...(target.archive ? { archive: target.archive } : {}),
    };
  };
  // As bytes: what is uploaded, assembled from cached fragments without building the text (fragment-cache.ts).
  // The document's buffers go back to the pool once its three files are published (document-buffers.ts).
  const lease = deps.documentBuffers?.lease();
  const options = { relatedLinks, ...(deps.fragments ? { fragments: deps.fragments } : {}), ...(lease ? { allocate: lease.allocate } : {}) };
  let outcomes: { key: string; outcome: 'written' | 'unchanged'; digest: string }[];
  try {
    let rendered: RenderedFeedBytes;
    if (target.wholePage) {
      rendered = renderFeedBytes(meta(articles), articles, options);
      if (largestDocument(rendered) > deps.site.feedMaxBytes) rendered = renderFeedBytes(meta(articles), articles, { ...options, fullText: false });
    } else {
      rendered = renderWithinBudget(articles, (entries) => renderFeedBytes(meta(entries), entries, options), deps.site.feedMaxBytes);
    }
    const formats = Object.keys(FEED_FORMATS) as FeedFormat[];
    // allSettled, not all: a buffer goes back to the pool only once no upload of the document still reads it.
    const settled = await Promise.allSettled(
      formats.map(async (format) => {
        const key = target.format(format);
        const bytes = rendered[format as keyof RenderedFeedBytes];
        const options = { contentType: FEED_FORMATS[format].contentType, cacheControl: target.cacheControl };
        const sha256 = createHash('sha256').update(bytes).digest('hex');
        const digest = publishedDigest(sha256, options);
        const known = recalled?.get(key);
        let outcome: 'written' | 'unchanged';
        if (known === undefined) {
          outcome = await deps.publisher.publish(key, bytes, options, sha256);
        } else if (known === digest) {
          outcome = 'unchanged';
        } else {
          await deps.publisher.write(key, bytes, options, sha256);
          outcome = 'written';
        }
        return { key, outcome, digest };
      }),
    );
    outcomes = settled.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
  } finally {
    lease?.release();
  }
  return {
    written: outcomes.filter((o) => o.outcome === 'written').map((o) => o.key),
    unchanged: outcomes.filter((o) => o.outcome === 'unchanged').map((o) => o.key),
    published: new Map(outcomes.map((o) => [o.key, o.digest])),
  };
}

export { renderWithinBudget } from '../feeds/feed-budget.js';

/** Aggregators may cache for max-age; stale-while-revalidate lets CloudFront answer while it refetches. */
export function feedCacheControl(site: SiteConfig): string {
  return `public, max-age=${site.feedMaxAgeSeconds}, stale-while-revalidate=60`;
}

/** Title, description and self links of a feed; display names come from the articles listed in it. */
export function feedMetaFor(path: string, articles: readonly Article[], site: SiteConfig): FeedMeta {
  const { kind, slug } = parseFeedPath(path);
  const displayName = (() => {
    const fallback = slug.replace(/-/g, ' ').replace(/\b\p{L}/gu, (c) => c.toUpperCase());
    switch (kind) {
      case 'latest':
        return '';
      case 'section':
        return articles.find((a) => slugify(a.section) === slug)?.section ?? fallback;
      case 'tag':
        return articles.flatMap((a) => a.tags).find((t) => slugify(t) === slug) ?? fallback;
      case 'author':
        return articles.flatMap((a) => a.authors).find((a) => slugify(a.name) === slug)?.name ?? fallback;
    }
  })();
  const titles: Record<typeof kind, [string, string]> = {
    latest: [site.siteTitle, site.siteDescription],
    section: [`${site.siteTitle}: ${displayName}`, `Berita terbaru rubrik ${displayName} dari ${site.siteTitle}`],
    tag: [`${site.siteTitle}: ${displayName}`, `Berita terbaru bertopik ${displayName} dari ${site.siteTitle}`],
    author: [`${site.siteTitle}: ${displayName}`, `Tulisan terbaru ${displayName} di ${site.siteTitle}`],
  };
  const [title, description] = titles[kind];
  const link = (format: FeedFormat) => `${site.feedsBaseUrl}/${feedObjectKey(path, format)}`;
  return {
    path,
    title,
    description,
    siteUrl: site.siteUrl,
    language: site.language,
    publisher: site.siteTitle,
    links: { rss: link('rss'), atom: link('atom'), json: link('json') },
    copyright: articles[0]?.copyright,
    ...(site.websubHubs?.[0] !== undefined ? { hubUrl: site.websubHubs[0] } : {}),
  };
}
