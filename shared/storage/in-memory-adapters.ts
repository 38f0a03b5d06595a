import { ConcurrentModificationError } from '../errors.js';
import { feedPathsForArticle } from '../feeds/feed-paths.js';
import type { Article } from '../model/article.js';
import { listingSortKey, type ArchivePage } from '../feeds/feed-archive.js';
import type { FeedArchiveStore, ListingKey, ListingRange } from '../usecases/build-feeds.js';
import type { ArticleRepository, ListingChange, ObjectPublisher, PublishOptions } from '../ports.js';

/**
 * Article repository and object publisher in process memory, so the evaluation script, the bench
 * and pure use-case tests run the same use cases as the Lambda functions, without servers.
 * Listings are derived from the stored articles, as the DynamoDB adapter's listing items are.
 */

export class InMemoryArticleRepository implements ArticleRepository {
  private readonly articles = new Map<string, Article>();

  async get(id: string): Promise<Article | undefined> {
    const a = this.articles.get(id);
    return a ? structuredClone(a) : undefined;
  }

  async getMany(ids: readonly string[]): Promise<Article[]> {
    return ids.flatMap((id) => {
      const a = this.articles.get(id);
      return a ? [structuredClone(a)] : [];
    });
  }

  async save(article: Article, expectedVersion: number | undefined): Promise<number> {
    const stored = this.articles.get(article.id);
    const allowed =
      expectedVersion === undefined ? !stored : stored !== undefined && (stored.version === expectedVersion || stored.updatedAt < article.updatedAt);
    if (!allowed) {
      throw new ConcurrentModificationError(`Article ${article.id} is at version ${stored?.version ?? 'none'}, expected ${expectedVersion ?? 'none'}`);
    }
    const version = stored ? stored.version + 1 : article.version;
    this.articles.set(article.id, structuredClone({ ...article, version }));
    return version;
  }

  async listFeed(feedPath: string, limit: number): Promise<Article[]> {
    return [...this.articles.values()]
      .filter((a) => feedPathsForArticle(a).includes(feedPath))
      .sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : 0))
      .slice(0, limit)
      .map((a) => structuredClone(a));
  }

  /** Stores articles as they are, without the version check of `save`: test and bench set-up. */
  seed(...articles: Article[]): void {
    for (const article of articles) this.articles.set(article.id, structuredClone(article));
  }

  async syncListings(articleId: string): Promise<string[]> {
    const a = this.articles.get(articleId);
    return a ? feedPathsForArticle(a) : [];
  }

  /** The listing each article had at its last sync, so a change reports the sort keys it left, as the DynamoDB adapter does. */
  private readonly listed = new Map<string, ListingChange[]>();

  async syncListingChanges(articleId: string): Promise<ListingChange[]> {
    const a = this.articles.get(articleId);
    const desired = a ? feedPathsForArticle(a).map((path) => ({ path, sortKeys: [listingSortKey(a)] })) : [];
    const changes = new Map<string, Set<string>>();
    for (const l of [...(this.listed.get(articleId) ?? []), ...desired]) {
      changes.set(l.path, new Set([...(changes.get(l.path) ?? []), ...l.sortKeys]));
    }
    this.listed.set(articleId, desired);
    return [...changes].map(([path, sortKeys]) => ({ path, sortKeys: [...sortKeys] }));
  }

  /** Sort keys and ids of a feed listing in `(after, upTo]`, oldest first (as listing items would be). */
  async listingKeys(feedPath: string, range: ListingRange): Promise<ListingKey[]> {
    return [...this.articles.values()]
      .filter((a) => feedPathsForArticle(a).includes(feedPath))
      .map((a) => ({ sortKey: listingSortKey(a), articleId: a.id }))
      .filter((k) => (range.after === undefined || k.sortKey > range.after) && (range.upTo === undefined || k.sortKey <= range.upTo))
      .sort((x, y) => (x.sortKey < y.sortKey ? -1 : x.sortKey > y.sortKey ? 1 : 0));
  }
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
    const ends = this.pages.get(feedPath) ?? [];
    const index = ends.findIndex((end) => sortKey <= end);
    return index === -1 ? undefined : this.describe(feedPath, ends, index + 1);
  }

  async seal(feedPath: string, page: number, upTo: string): Promise<boolean> {
    const ends = this.pages.get(feedPath) ?? [];
    if (ends.length !== page - 1) return false;
    this.pages.set(feedPath, [...ends, upTo]);
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
    this.objects.set(key, { body, options: { ...options } });
    return 'written';
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
