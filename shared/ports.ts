import type { Article } from './model/article.js';

/**
 * Ports: what the use cases need from the outside world, named by what they do.
 * Adapters (DynamoDB, S3, in-memory for pure tests) implement them in shared/storage/.
 */

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ArticleRepository {
  /** The current stored article (any status), read strongly consistent. */
  get(id: string): Promise<Article | undefined>;
  /**
   * Several articles by id, in the order asked, missing ones left out. `listedVersions`: the version
   * each id's listing item names; an adapter may answer an article it holds at exactly that version
   * without reading it again (shared/storage/article-cache.ts).
   */
  getMany(ids: readonly string[], listedVersions?: ReadonlyMap<string, number>): Promise<Article[]>;
  /**
   * Writes `article` only if no article with this id exists (`expectedVersion` undefined), or if the stored
   * one is still at `expectedVersion` or was updated before `article.updatedAt`, decided atomically by the
   * store. An update counts the stored version up by one; returns the version written.
   * Throws ConcurrentModificationError when the condition fails (re-read and decide again), and
   * InvalidInputError, naming the largest fields, when the store can never hold the article (DynamoDB's 400 KB item limit).
   */
  save(article: Article, expectedVersion: number | undefined): Promise<number>;
  /** Newest-first published articles of one feed listing (see docs/storage.md), at most `limit`. */
  listFeed(feedPath: string, limit: number): Promise<Article[]>;
  /**
   * Makes the listing items of `articleId` match its current stored state at `now`
   * (none when withdrawn, missing, or scheduled for later than `now`: shared/embargo/visibility.ts)
   * and returns every feed path whose membership or content may have changed.
   */
  syncListings(articleId: string, now: Date): Promise<string[]>;
  /**
   * Same as `syncListings`, with the listing sort keys each path had before and has after the sync
   * (one key, or two when the publication time moved; the archive pages they fall in are rebuilt).
   */
  syncListingChanges(articleId: string, now: Date): Promise<ListingChange[]>;
}

/** One feed whose membership or content may have changed, with the article's sort keys in it before and after. */
export interface ListingChange {
  path: string;
  sortKeys: string[];
}

export interface PublishOptions {
  contentType: string;
  cacheControl: string;
}

/**
 * Where published objects go. A body belongs to the caller and is valid only until the call settles (the feed
 * builder assembles documents in reused memory, shared/feeds/document-buffers.ts): an implementation that
 * keeps a body afterwards keeps a copy.
 */
export interface ObjectPublisher {
  /**
   * Writes the object unless the stored bytes are identical; says which happened. `sha256`: the body's
   * SHA-256 (hex) when the caller has already computed it, so a large document is not hashed twice.
   */
  publish(key: string, body: string | Uint8Array, options: PublishOptions, sha256?: string): Promise<'written' | 'unchanged'>;
  /**
   * Writes the object without first reading what is stored: for callers that keep their own record
   * of the published bytes (partner documents), saving one HEAD per object.
   */
  write(key: string, body: string | Uint8Array, options: PublishOptions, sha256?: string): Promise<void>;
  /** Deletes one object; deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every key under a prefix: for repair commands only, never on the path of an article change (its cost grows with the archive). */
  list(prefix: string): Promise<string[]>;
}
