import { ConcurrentModificationError } from '../errors.js';
import { feedPathsForArticle } from '../feeds/feed-paths.js';
import type { Article } from '../model/article.js';
import type { ArticleRepository, ObjectPublisher, PublishOptions } from '../ports.js';

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
