import { LRUCache } from 'lru-cache';
import type { ArchivePage } from '../feeds/feed-archive.js';
import type { PublishOptions } from '../ports.js';

/** A feed's revision as a build marked it, and how many builds of it ever started over (docs/storage.md). */
export interface FeedMark {
  revision: number;
  restarts: number;
}

/** What a build left of a feed: the digest of each file by key, and its newest sealed archive page. */
export interface PublishedFeed {
  objects: ReadonlyMap<string, string>;
  /** The newest sealed page, all of its files written; null when the feed has none; undefined when unknown. */
  lastPage?: ArchivePage | null;
}

/** Feeds remembered: a newsroom has a few hundred to a few thousand; each entry is a few hundred bytes of digests. */
const FEEDS_REMEMBERED = 10_000;

/** What a published object is: its bytes (their SHA-256) and the headers readers get with them. */
export function publishedDigest(sha256: string, options: PublishOptions): string {
  return `${sha256} ${options.contentType} ${options.cacheControl}`;
}

/**
 * What this process last published of each feed (the digest of every file: subscription documents and
 * archive pages; and its newest archive page, read with a Query per build otherwise), and the feed's mark
 * when it did. Before writing a file the publisher asks S3 what is
 * stored (a HEAD per file, ≈ 22 per change at 10k articles: a fifth of a change's requests). That is
 * needed only if someone else may have written the file since this process did, and every build of a
 * feed marks it first (its revision counts up) and counts a restart when it builds again: so if this
 * build's mark is exactly one revision after the remembered one, with no restart since, no other build
 * has touched the feed, and S3 holds what this process left there.
 *
 * What it cannot see: a build elsewhere that marked the feed before this process's last build, wrote a
 * stale file after this process checked its revision, and then stopped before its own check (a crash),
 * never to be retried. The feed builder's stream batches are retried (and a retry marks the feed again)
 * until they go to the dead-letter queue, which is replayed; a file left that way is corrected by the next
 * change that alters it.
 */
export class PublishedFeedMemory {
  private readonly feeds = new LRUCache<string, { mark: FeedMark; feed: PublishedFeed }>({ max: FEEDS_REMEMBERED });

  /** What this process left of the feed, if no other build can have changed it since. */
  recall(path: string, mark: FeedMark): PublishedFeed | undefined {
    const remembered = this.feeds.get(path);
    if (remembered && remembered.mark.revision + 1 === mark.revision && remembered.mark.restarts === mark.restarts) return remembered.feed;
    this.feeds.delete(path);
    return undefined;
  }

  /** Records what a build left, at the mark its revision check confirmed, over what it recalled. */
  remember(path: string, mark: FeedMark, recalled: PublishedFeed | undefined, published: PublishedFeed): void {
    this.feeds.set(path, {
      mark,
      feed: { objects: new Map([...(recalled?.objects ?? []), ...published.objects]), lastPage: published.lastPage },
    });
  }

  forget(path: string): void {
    this.feeds.delete(path);
  }
}
