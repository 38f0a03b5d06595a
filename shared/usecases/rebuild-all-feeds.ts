import { StorageError } from '../errors.js';
import { rebuildDiscovery } from '../discovery/build-discovery.js';
import { publishFeed, type BuildFeedsDeps } from './build-feeds.js';

/** The whole archive's listings, read in pages rather than one request per article. */
export interface ArchiveListings {
  /**
   * Makes every stored article's listing items match its state at `now` (articles scheduled for later have
   * none: shared/embargo/visibility.ts) and returns every feed path that
   * has (or had, before this sync) a listing item. `onArticles` is called with the running count.
   */
  syncAll(now: Date, onArticles?: (articles: number) => void): Promise<{ articles: number; paths: string[] }>;
}

export interface RebuildAllDeps extends Omit<BuildFeedsDeps, 'partnerOutputs'> {
  archive: ArchiveListings;
  /** Rebuilds every partner's outputs (a repair: see rebuildAllPartnerOutputs). */
  partnerOutputs?: () => Promise<{ written: string[]; deleted: string[] }>;
}

export interface RebuildProgress {
  phase: 'listings' | 'feeds' | 'partners';
  done: number;
  /** Known once the listings are synced. */
  total?: number;
  elapsedMs: number;
}

export interface RebuildAllOptions {
  /** Feeds built at once (DynamoDB and S3 round trips overlap; more risks throttling). */
  concurrency: number;
  onProgress?: (progress: RebuildProgress) => void;
  /** Milliseconds; defaults to performance.now. */
  now?: () => number;
}

export interface RebuildAllResult {
  articles: number;
  feeds: number;
  written: number;
  unchanged: number;
  deleted: number;
  seconds: number;
  feedsPerSecond: number;
  articlesPerSecond: number;
}

export const DEFAULT_REBUILD_CONCURRENCY = 8;
const MAX_BUILD_ATTEMPTS = 5;

/**
 * Rebuilds every public feed and partner output from the table: listings synced from one paged
 * read of the archive, then each feed rendered from its own Query, `concurrency` at a time. Each
 * feed's revision is bumped before it renders and checked after, as in the incremental build, so a
 * change arriving meanwhile is never overwritten by an older render.
 */
export async function rebuildAllFeeds(deps: RebuildAllDeps, options: RebuildAllOptions): Promise<RebuildAllResult> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const report = (progress: Omit<RebuildProgress, 'elapsedMs'>) => options.onProgress?.({ ...progress, elapsedMs: now() - started });

  const { articles, paths } = await deps.archive.syncAll(deps.clock.now(), (done) => report({ phase: 'listings', done }));
  report({ phase: 'listings', done: articles, total: articles });

  let written = 0;
  let unchanged = 0;
  let done = 0;
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++] as string;
      let revision = await deps.revisions.bump(path);
      for (let attempt = 1; ; attempt++) {
        const outcome = await publishFeed(deps, path);
        const after = await deps.revisions.current(path);
        if (after === revision) {
          written += outcome.written.length;
          unchanged += outcome.unchanged.length;
          break;
        }
        if (attempt >= MAX_BUILD_ATTEMPTS) throw new StorageError(`Feed ${path} kept changing while it was rebuilt (${attempt} attempts)`);
        // Seen by builders that remember what they published of this feed: its files are written again without a new mark.
        await deps.revisions.countRestart(path);
        revision = after;
      }
      done += 1;
      report({ phase: 'feeds', done, total: paths.length });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, paths.length)) }, worker));

  let deleted = 0;
  if (deps.discovery) {
    // The feed directory from every listing, so the index repairs itself as the feeds do.
    const discovery = await rebuildDiscovery({ ...deps, ...deps.discovery }, paths);
    written += discovery.written.length;
    deleted += discovery.deleted.length;
  }
  if (deps.partnerOutputs) {
    report({ phase: 'partners', done: 0 });
    const partner = await deps.partnerOutputs();
    written += partner.written.length;
    deleted += partner.deleted.length;
    report({ phase: 'partners', done: 1, total: 1 });
  }
  const seconds = (now() - started) / 1000;
  return {
    articles,
    feeds: paths.length,
    written,
    unchanged,
    deleted,
    seconds,
    feedsPerSecond: seconds > 0 ? paths.length / seconds : paths.length,
    articlesPerSecond: seconds > 0 ? articles / seconds : articles,
  };
}
