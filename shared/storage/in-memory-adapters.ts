import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { ConcurrentModificationError } from '../errors.js';
import { feedPathsForArticle } from '../feeds/feed-paths.js';
import type { Article } from '../model/article.js';
import { listingSortKey, type ArchivePage } from '../feeds/feed-archive.js';
import type { FeedArchiveStore, FeedRevisionStore, ListingKey, ListingRange } from '../usecases/build-feeds.js';
import type { FeedMark } from '../usecases/published-feed-memory.js';
import { systemClock, type ArticleRepository, type Clock, type ListingChange, type ObjectPublisher, type PublishOptions } from '../ports.js';
import { isVisibleAt } from '../embargo/visibility.js';
import { ArticleCache } from './article-cache.js';
import type { PartnerDelivery, PartnerDeliveryChange, PartnerDeliveryStore, PartnerFormat } from '../partners/partner.js';

/**
 * Article repository and object publisher in process memory, so the evaluation script, the bench
 * and pure use-case tests run the same use cases as the Lambda functions, without servers.
 * Listings are derived from the stored articles, as the DynamoDB adapter's listing items are.
 */

export class InMemoryArticleRepository implements ArticleRepository {
  /**
   * `clock` decides, when an article is stored, whether it is listed at once (as a sync would) or waits,
   * scheduled for later, for the sync of its release build (shared/embargo/visibility.ts).
   */
  constructor(private readonly clock: Clock = systemClock) {}

  /**
   * Each article as one buffer of V8's structured serialization (what structuredClone does), not as
   * objects: `warta start --memory` and the bench hold the whole archive in the builder's heap, and as
   * objects every major garbage collection marked its ≈ 40 objects per article (100,000 articles: 0.8 GB
   * of a 1.25 GB heap, 2.2 → 10.2 ms of collection per change from 1k to 100k, docs/performance.md).
   * A buffer's bytes live outside the JavaScript heap and hold no references, so the collector marks one
   * object per article. Reads cost the same: a read deserializes where it used to clone, and every read
   * still hands out a copy the caller may change.
   */
  private readonly articles = new Map<string, Buffer>();

  private stored(id: string): Article | undefined {
    const bytes = this.articles.get(id);
    return bytes === undefined ? undefined : (deserialize(bytes) as Article);
  }
  /**
   * Listing keys (`<publishedAt>#<id>`) per feed path, kept sorted, as the DynamoDB adapter's listing
   * items are: a feed is read without scanning the archive, so the bench measures the use cases and
   * not this adapter at 100k articles.
   */
  private readonly listings = new Map<string, string[]>();

  async get(id: string): Promise<Article | undefined> {
    return this.stored(id);
  }

  /**
   * Articles as the feed builder last read them, shared and frozen, as DynamoDbArticleRepository keeps
   * them: an article held at the version its listing names is not deserialized again, and what the
   * builder derives from it (feed entries, digests) is remembered (shared/model/frozen-article.ts).
   */
  private readonly cache = new ArticleCache();
  /** The stored version of each article, which its listing keys name (as listing items do in DynamoDB). */
  private readonly versions = new Map<string, number>();

  async getMany(ids: readonly string[], listedVersions?: ReadonlyMap<string, number>): Promise<Article[]> {
    return ids.flatMap((id) => {
      const version = listedVersions?.get(id);
      const cached = version === undefined ? undefined : this.cache.at(id, version);
      if (cached) return [cached];
      const a = this.stored(id);
      return a ? [this.cache.remember(a)] : [];
    });
  }

  async save(article: Article, expectedVersion: number | undefined): Promise<number> {
    const stored = this.stored(article.id);
    const allowed =
      expectedVersion === undefined ? !stored : stored !== undefined && (stored.version === expectedVersion || stored.updatedAt < article.updatedAt);
    if (!allowed) {
      throw new ConcurrentModificationError(`Article ${article.id} is at version ${stored?.version ?? 'none'}, expected ${expectedVersion ?? 'none'}`);
    }
    const version = stored ? stored.version + 1 : article.version;
    this.store({ ...article, version });
    return version;
  }

  async listFeed(feedPath: string, limit: number): Promise<Article[]> {
    const keys = this.listings.get(feedPath) ?? [];
    return this.getMany(keys.slice(Math.max(0, keys.length - limit)).reverse().map(idOfListingKey));
  }

  /** Stores articles as they are, without the version check of `save`: test and bench set-up. */
  seed(...articles: Article[]): void {
    for (const article of articles) this.store(article);
  }

  /** Every stored article id, in no particular order. */
  ids(): string[] {
    return [...this.articles.keys()];
  }

  /** Every feed path with at least one listed article, sorted. */
  feedPaths(): string[] {
    return [...this.listings].filter(([, keys]) => keys.length > 0).map(([path]) => path).sort();
  }

  async syncListings(articleId: string, now: Date): Promise<string[]> {
    return (await this.syncListingChanges(articleId, now)).map((change) => change.path);
  }

  /** The listing each article had at its last sync, so a change reports the sort keys it left, as the DynamoDB adapter does. */
  private readonly listed = new Map<string, ListingChange[]>();

  async syncListingChanges(articleId: string, now: Date): Promise<ListingChange[]> {
    const a = this.stored(articleId);
    const visible = a !== undefined && isVisibleAt(a, now);
    const desired = a && visible ? feedPathsForArticle(a).map((path) => ({ path, sortKeys: [listingSortKey(a)] })) : [];
    if (a) for (const path of feedPathsForArticle(a)) (visible ? this.list : this.unlist).call(this, path, listingSortKey(a));
    const changes = new Map<string, Set<string>>();
    for (const l of [...(this.listed.get(articleId) ?? []), ...desired]) {
      changes.set(l.path, new Set([...(changes.get(l.path) ?? []), ...l.sortKeys]));
    }
    this.listed.set(articleId, desired);
    return [...changes].map(([path, sortKeys]) => ({ path, sortKeys: [...sortKeys] }));
  }

  /** Sort keys and ids of a feed listing in `(after, upTo]`, oldest first (as listing items would be). */
  async listingKeys(feedPath: string, range: ListingRange): Promise<ListingKey[]> {
    const keys = this.listings.get(feedPath) ?? [];
    const from = range.after === undefined ? 0 : sortedIndex(keys, range.after) + (keys[sortedIndex(keys, range.after)] === range.after ? 1 : 0);
    const to = range.upTo === undefined ? keys.length : sortedIndex(keys, range.upTo) + (keys[sortedIndex(keys, range.upTo)] === range.upTo ? 1 : 0);
    return keys.slice(from, Math.max(from, to)).map((sortKey) => {
      const articleId = idOfListingKey(sortKey);
      const articleVersion = this.versions.get(articleId);
      return articleVersion === undefined ? { sortKey, articleId } : { sortKey, articleId, articleVersion };
    });
  }

  private store(article: Article): void {
    const previous = this.stored(article.id);
    if (previous) for (const path of feedPathsForArticle(previous)) this.unlist(path, listingSortKey(previous));
    this.articles.set(article.id, serialize(article));
    this.versions.set(article.id, article.version);
    if (isVisibleAt(article, this.clock.now())) for (const path of feedPathsForArticle(article)) this.list(path, listingSortKey(article));
  }

  private list(path: string, key: string): void {
    const keys = this.listings.get(path) ?? [];
    this.listings.set(path, keys);
    const at = sortedIndex(keys, key);
    if (keys[at] !== key) keys.splice(at, 0, key);
  }

  private unlist(path: string, key: string): void {
    const keys = this.listings.get(path);
    if (!keys) return;
    const at = sortedIndex(keys, key);
    if (keys[at] === key) keys.splice(at, 1);
  }
}

/** Ids never contain '#', so the id of a listing sort key follows its last one. */
const idOfListingKey = (key: string) => key.slice(key.lastIndexOf('#') + 1);

/** First position in sorted `keys` whose key is not below `key`. */
function sortedIndex(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((keys[mid] as string) < key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Archive pages of every feed in memory; see FeedArchiveStore. */
export class InMemoryFeedArchive implements FeedArchiveStore {
  private readonly pages = new Map<string, string[]>();
  private readonly published = new Set<string>();

  constructor(private readonly articles: InMemoryArticleRepository) {}

  async lastPage(feedPath: string): Promise<ArchivePage | undefined> {
    const ends = this.pages.get(feedPath) ?? [];
    return ends.length === 0 ? undefined : this.describe(feedPath, ends, ends.length);
  }

  async pageContaining(feedPath: string, sortKey: string): Promise<ArchivePage | undefined> {
    // Page ends ascend: the first end at or after the key closes its page (a search, not a scan of a
    // feed's thousands of pages at 100,000 articles).
    const ends = this.pages.get(feedPath) ?? [];
    const index = sortedIndex(ends, sortKey);
    return index === ends.length ? undefined : this.describe(feedPath, ends, index + 1);
  }

  async seal(feedPath: string, page: number, upTo: string): Promise<boolean> {
    const ends = this.pages.get(feedPath) ?? [];
    if (ends.length !== page - 1) return false;
    ends.push(upTo);
    this.pages.set(feedPath, ends);
    return true;
  }

  async markPublished(feedPath: string, page: number): Promise<void> {
    this.published.add(`${feedPath}#${page}`);
  }

  listingKeys(feedPath: string, range: ListingRange): Promise<ListingKey[]> {
    return this.articles.listingKeys(feedPath, range);
  }

  private describe(feedPath: string, ends: readonly string[], page: number): ArchivePage {
    const after = ends[page - 2];
    return { page, upTo: ends[page - 1] as string, ...(after === undefined ? {} : { after }), published: this.published.has(`${feedPath}#${page}`) };
  }
}

export interface StoredObject {
  body: string | Uint8Array;
  options: PublishOptions;
}

export class InMemoryObjectPublisher implements ObjectPublisher {
  readonly objects = new Map<string, StoredObject>();

  async publish(key: string, body: string | Uint8Array, options: PublishOptions): Promise<'written' | 'unchanged'> {
    const stored = this.objects.get(key);
    if (
      stored &&
      Buffer.from(stored.body).equals(Buffer.from(body)) &&
      stored.options.contentType === options.contentType &&
      stored.options.cacheControl === options.cacheControl
    ) {
      return 'unchanged';
    }
    this.objects.set(key, { body: kept(body), options: { ...options } });
    return 'written';
  }

  async write(key: string, body: string | Uint8Array, options: PublishOptions): Promise<void> {
    this.objects.set(key, { body: kept(body), options: { ...options } });
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  /** A stored object's body as text, for reading published JSON. */
  text(key: string): string | undefined {
    const o = this.objects.get(key);
    return o === undefined ? undefined : typeof o.body === 'string' ? o.body : Buffer.from(o.body).toString('utf8');
  }

  /** A stored object parsed as JSON; throws when there is none. */
  json(key: string): unknown {
    const text = this.text(key);
    if (text === undefined) throw new Error(`no object ${key}`);
    return JSON.parse(text);
  }
}

/** What `DigestObjectPublisher` keeps of one object: enough to tell whether new bytes differ, not the bytes. */
export interface ObjectDigest {
  /** SHA-256 of the body, hex. */
  sha256: string;
  /** Body size in bytes. */
  bytes: number;
  options: PublishOptions;
}

/**
 * An object store that keeps each object's SHA-256, size and headers instead of its bytes, for the
 * publish bench at archive scale: a full rebuild at 100,000 articles writes about 32,000 feed documents
 * (archive pages of 50 full-text entries), several gigabytes that S3 would hold, not the builder. It
 * answers `publish` exactly as S3 behind the ObjectPublisher does (unchanged when the stored bytes and
 * headers are the same), so the use cases do the same work as against InMemoryObjectPublisher.
 */
export class DigestObjectPublisher implements ObjectPublisher {
  readonly objects = new Map<string, ObjectDigest>();

  async publish(key: string, body: string | Uint8Array, options: PublishOptions, sha256?: string): Promise<'written' | 'unchanged'> {
    const digest = digestOf(body, options, sha256);
    const stored = this.objects.get(key);
    if (
      stored &&
      stored.sha256 === digest.sha256 &&
      stored.bytes === digest.bytes &&
      stored.options.contentType === options.contentType &&
      stored.options.cacheControl === options.cacheControl
    ) {
      return 'unchanged';
    }
    this.objects.set(key, digest);
    return 'written';
  }

  async write(key: string, body: string | Uint8Array, options: PublishOptions, sha256?: string): Promise<void> {
    this.objects.set(key, digestOf(body, options, sha256));
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
}

/** A body as a store keeps it: bytes are copied, since the caller may reuse its buffer once the call settles (ObjectPublisher). */
function kept(body: string | Uint8Array): string | Uint8Array {
  return typeof body === 'string' ? body : Buffer.from(body);
}

/** `sha256`, when the caller already hashed the body, is taken as S3ObjectPublisher takes it: the feed builder hashes each document once. */
function digestOf(body: string | Uint8Array, options: PublishOptions, sha256?: string): ObjectDigest {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { sha256: sha256 ?? createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength, options: { ...options } };
}

/** The record of what partners were sent, in memory (see DynamoDbPartnerDeliveries). */
export class InMemoryPartnerDeliveries implements PartnerDeliveryStore {
  private readonly sent = new Map<string, { formats: PartnerFormat[]; documents: Map<string, string>; indexed: boolean }>();

  async read(partnerIds: readonly string[], articleIds: readonly string[]): Promise<Map<string, PartnerDelivery>> {
    return new Map(
      partnerIds.map((id) => {
        const s = this.sent.get(id);
        const documents = new Map(articleIds.flatMap((a) => (s?.documents.has(a) ? [[a, s.documents.get(a) as string] as const] : [])));
        return [id, { indexed: s?.indexed ?? false, formats: [...(s?.formats ?? [])], documents }];
      }),
    );
  }

  async record(changes: readonly PartnerDeliveryChange[]): Promise<void> {
    for (const change of changes) {
      const s = this.sent.get(change.partnerId) ?? { formats: [], documents: new Map<string, string>(), indexed: false };
      this.sent.set(change.partnerId, s);
      if (change.formats) {
        s.formats = [...change.formats];
        s.indexed = true;
      }
      for (const [id, sha] of change.documents ?? []) s.documents.set(id, sha);
      for (const id of change.removed ?? []) s.documents.delete(id);
    }
  }

  async documentIds(partnerId: string): Promise<string[]> {
    return [...(this.sent.get(partnerId)?.documents.keys() ?? [])].sort();
  }

  async forget(partnerId: string): Promise<void> {
    this.sent.delete(partnerId);
  }
}

/** Feed revision counters in memory, for tests and the in-memory benches. */
export class InMemoryFeedRevisions implements FeedRevisionStore {
  private readonly revisions = new Map<string, number>();
  private readonly restarts = new Map<string, number>();
  async mark(key: string): Promise<FeedMark> {
    return { revision: await this.bump(key), restarts: this.restarts.get(key) ?? 0 };
  }
  async countRestart(key: string): Promise<void> {
    this.restarts.set(key, (this.restarts.get(key) ?? 0) + 1);
  }
  async bump(key: string): Promise<number> {
    const next = (this.revisions.get(key) ?? 0) + 1;
    this.revisions.set(key, next);
    return next;
  }
  async current(key: string): Promise<number> {
    return this.revisions.get(key) ?? 0;
  }
  async currentMany(keys: readonly string[]): Promise<Map<string, number>> {
    return new Map(keys.map((key) => [key, this.revisions.get(key) ?? 0]));
  }
}
