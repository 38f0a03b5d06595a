import { isVisibleAt } from '../embargo/visibility.js';
import type { SiteConfig } from '../config/load-config.js';
import { listingSortKey } from '../feeds/feed-archive.js';
import { feedPathsForArticle, LATEST_FEED_PATH, parseFeedPath } from '../feeds/feed-paths.js';
import type { Article } from '../model/article.js';
import type { ArticleRepository, Clock, ListingChange, ObjectPublisher } from '../ports.js';
import { StorageError } from '../errors.js';
import { slugify } from '../text/slugify.js';
import {
  HEADLINE_COUNT,
  INDEX_CONTENT_TYPE,
  INDEX_KEY,
  OPML_CONTENT_TYPE,
  OPML_KEY,
  renderIndexHtml,
  renderOpml,
  type DirectoryFeed,
  type Headline,
} from './render-discovery.js';

/**
 * The feed directory: one record per public feed (a feed with at least one article readers may see
 * now), with the name its newest article gives it. The builder keeps it current from each change, so
 * the discovery files are rendered from one Query, never from a scan of the archive (docs/storage.md).
 */
export interface DirectoryRecord extends DirectoryFeed {
  /** Listing key (`<publishedAt>#<id>`) of the feed's newest article: the one whose spelling `name` is. */
  newest: string;
}

export interface FeedDirectoryStore {
  /** Every record (the full rebuild's repair). */
  all(): Promise<DirectoryRecord[]>;
  /** The records of these feeds (those that have one). */
  get(paths: readonly string[]): Promise<Map<string, DirectoryRecord>>;
  /**
   * Path and name of every record, for the discovery files. Unlike `all`, a store may serve it without
   * reading every record, while no feed joined, left or was renamed since it last read them.
   */
  feeds(): Promise<DirectoryFeed[]>;
  /**
   * Stores `record` unless the stored one names a newer article (another builder got there first);
   * with `force`, stores it whatever is stored (the record was read from the listing itself).
   */
  put(record: DirectoryRecord, force?: boolean): Promise<void>;
  delete(path: string): Promise<void>;
}

/** The revision counter (FeedRevisionStore) key of the discovery files. */
export const DISCOVERY_REVISION_KEY = 'discovery';

export interface DiscoveryDeps {
  articles: ArticleRepository;
  revisions: { bump(key: string): Promise<number>; current(key: string): Promise<number> };
  publisher: ObjectPublisher;
  site: SiteConfig;
  directory: FeedDirectoryStore;
  clock: Clock;
}

export interface DiscoveryResult {
  written: string[];
  deleted: string[];
}

/**
 * Whether readers may see an article now: published and not scheduled for later. The same rule the
 * sitemaps apply; an article scheduled for later names no feed and no headline before its time.
 */
export function isPublicNow(article: Pick<Article, 'status' | 'publishedAt'>, now: Date): boolean {
  // The one visibility rule every output follows (scheduled stories).
  return isVisibleAt(article, now);
}

/** How a path's name is spelled by an article in it (section, tag or author name); empty for `latest`. */
export function feedNameIn(path: string, article: Pick<Article, 'section' | 'tags' | 'authors'>): string | undefined {
  const { kind, slug } = parseFeedPath(path);
  switch (kind) {
    case 'latest':
      return '';
    case 'section':
      return slugify(article.section) === slug ? article.section : undefined;
    case 'tag':
      return article.tags.find((t) => slugify(t) === slug);
    case 'author':
      return article.authors.find((a) => slugify(a.name) === slug)?.name;
  }
}

/**
 * The newest `count` public articles of a feed. Reads `count` first and, only when some of those are not
 * public yet (scheduled for later), a longer stretch: listings carry whole articles, so reads stay short.
 */
async function newestPublic(deps: Pick<DiscoveryDeps, 'articles' | 'clock'>, path: string, count: number): Promise<Article[]> {
  const now = deps.clock.now();
  let limit = count;
  for (;;) {
    const listed = await deps.articles.listFeed(path, limit);
    const visible = listed.filter((a) => isPublicNow(a, now) && feedNameIn(path, a) !== undefined);
    if (visible.length >= count || listed.length < limit || limit >= MAX_LOOKAHEAD) return visible.slice(0, count);
    limit = Math.min(MAX_LOOKAHEAD, limit * 4);
  }
}

/** Longest stretch of a listing read past articles scheduled for later. */
const MAX_LOOKAHEAD = 200;

/** The record of a feed from its listing: its newest public article, or undefined when it has none. */
async function recordFromListing(deps: Pick<DiscoveryDeps, 'articles' | 'clock'>, path: string): Promise<DirectoryRecord | undefined> {
  const [article] = await newestPublic(deps, path, 1);
  const name = article && feedNameIn(path, article);
  return article && name !== undefined ? { path, name, newest: listingSortKey(article) } : undefined;
}

/** Runs `work` over `items`, at most `limit` at a time (listing reads of a large first build stay under throttling). */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const READ_CONCURRENCY = 8;

/**
 * Brings the feed directory up to date after a change to `articleIds` whose listings changed as
 * `changes` says (sort keys before and after), then renders and publishes `index.html` and
 * `feeds.opml` (unchanged bytes are not written).
 *
 * A feed's record moves forward without a read when a changed article is now its newest; the feed's
 * listing is read only when its newest article left it or moved back in time, or it has no record yet.
 */
export async function updateDiscovery(deps: DiscoveryDeps, changes: readonly ListingChange[], articleIds: readonly string[]): Promise<DiscoveryResult> {
  if (changes.length === 0) return { written: [], deleted: [] };
  const now = deps.clock.now();
  const changed = (await deps.articles.getMany([...new Set(articleIds)])).filter((a) => isPublicNow(a, now));
  // Only the records of the feeds this change touched: the directory grows with every section, tag and author.
  const records = await deps.directory.get(changes.map((c) => c.path));
  await eachLimited(changes, READ_CONCURRENCY, async ({ path, sortKeys }) => {
      const stored = records.get(path);
      let newestMember: DirectoryRecord | undefined;
      for (const article of changed) {
        const name = feedNameIn(path, article);
        if (name === undefined || !feedPathsForArticle(article).includes(path)) continue;
        const key = listingSortKey(article);
        if (!newestMember || key > newestMember.newest) newestMember = { path, name, newest: key };
      }
      // Every other article of the feed sorts at or before the stored newest one, so a changed article
      // at or after it is the newest now; otherwise, if the stored newest one changed, read the listing.
      if (stored && newestMember && newestMember.newest >= stored.newest) {
        if (newestMember.name !== stored.name || newestMember.newest !== stored.newest) await deps.directory.put(newestMember);
      } else if (!stored || sortKeys.includes(stored.newest)) {
        const fresh = await recordFromListing(deps, path);
        if (fresh) {
          if (fresh.name !== stored?.name || fresh.newest !== stored.newest) await deps.directory.put(fresh, true);
        } else if (stored) {
          await deps.directory.delete(path);
        }
      }
  });
  return publishDiscovery(deps);
}

/**
 * Rebuilds the directory from the listings of `paths` (every feed that has or had a listing item,
 * as the full rebuild knows them), removes records of other feeds, and publishes the discovery files.
 */
export async function rebuildDiscovery(deps: DiscoveryDeps, paths: readonly string[]): Promise<DiscoveryResult> {
  const wanted = new Set(paths);
  const stored = await deps.directory.all();
  for (const record of stored) if (!wanted.has(record.path)) await deps.directory.delete(record.path);
  const before = new Map(stored.map((r) => [r.path, r]));
  await eachLimited(paths, READ_CONCURRENCY, async (path) => {
    const fresh = await recordFromListing(deps, path);
    const old = before.get(path);
    if (fresh && (fresh.name !== old?.name || fresh.newest !== old.newest)) await deps.directory.put(fresh, true);
    else if (!fresh && old) await deps.directory.delete(path);
  });
  return publishDiscovery(deps);
}

/** Builds that find the discovery revision moved while they rendered render again, at most this often. */
const MAX_RENDER_ATTEMPTS = 5;

/**
 * Renders both files from the directory and the newest public headlines and publishes them. The
 * revision is bumped after this build's directory writes and checked after publishing: a builder
 * that sees it move renders again, so the last files written include every builder's changes.
 */
async function publishDiscovery(deps: DiscoveryDeps): Promise<DiscoveryResult> {
  let revision = await deps.revisions.bump(DISCOVERY_REVISION_KEY);
  for (let attempt = 1; ; attempt++) {
    const result = await renderAndPublish(deps);
    const after = await deps.revisions.current(DISCOVERY_REVISION_KEY);
    if (after === revision) return result;
    if (attempt >= MAX_RENDER_ATTEMPTS) throw new StorageError(`The discovery files kept changing while they were built (${attempt} attempts)`);
    revision = after;
  }
}

async function renderAndPublish(deps: DiscoveryDeps): Promise<DiscoveryResult> {
  const [feeds, latest] = await Promise.all([deps.directory.feeds(), newestPublic(deps, LATEST_FEED_PATH, HEADLINE_COUNT)]);
  const headlines: Headline[] = latest.map((a) => ({ title: a.title, url: a.url, publishedAt: a.publishedAt, language: a.language, section: a.section }));
  const model = { site: deps.site, feeds, headlines };
  const cacheControl = discoveryCacheControl(deps.site);
  const result: DiscoveryResult = { written: [], deleted: [] };
  const index = await deps.publisher.publish(INDEX_KEY, renderIndexHtml(model), { contentType: INDEX_CONTENT_TYPE, cacheControl });
  if (index === 'written') result.written.push(INDEX_KEY);
  // OPML 2.0 wants at least one outline: with no public feed there is no subscription list.
  if (feeds.length > 0) {
    const opml = await deps.publisher.publish(OPML_KEY, renderOpml(model), { contentType: OPML_CONTENT_TYPE, cacheControl });
    if (opml === 'written') result.written.push(OPML_KEY);
  } else if ((await deps.publisher.list(OPML_KEY)).includes(OPML_KEY)) {
    await deps.publisher.delete(OPML_KEY);
    result.deleted.push(OPML_KEY);
  }
  return result;
}

/** Like the feeds: cached for the feed max-age, served stale for a minute while CloudFront refetches. */
export function discoveryCacheControl(site: Pick<SiteConfig, 'feedMaxAgeSeconds'>): string {
  return `public, max-age=${site.feedMaxAgeSeconds}, stale-while-revalidate=60`;
}

/** The feed directory in memory, for pure tests and the bench. */
export class InMemoryFeedDirectory implements FeedDirectoryStore {
  private readonly records = new Map<string, DirectoryRecord>();

  async all(): Promise<DirectoryRecord[]> {
    return [...this.records.values()].sort((a, b) => (a.path < b.path ? -1 : 1)).map((r) => ({ ...r }));
  }
  async get(paths: readonly string[]): Promise<Map<string, DirectoryRecord>> {
    return new Map(paths.flatMap((path) => {
      const record = this.records.get(path);
      return record ? [[path, { ...record }] as const] : [];
    }));
  }
  async feeds(): Promise<DirectoryFeed[]> {
    return (await this.all()).map(({ path, name }) => ({ path, name }));
  }
  async put(record: DirectoryRecord, force = false): Promise<void> {
    const stored = this.records.get(record.path);
    if (force || !stored || stored.newest <= record.newest) this.records.set(record.path, { ...record });
  }
  async delete(path: string): Promise<void> {
    this.records.delete(path);
  }
}
