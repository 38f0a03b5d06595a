import type { Article } from '../model/article.js';
import { embargoedUntil } from './visibility.js';

/**
 * One pending release per article scheduled for later (docs/feeds.md, "Scheduled stories"): at the
 * article's publication time the release runs the same build an article change runs, so its feeds,
 * archive pages, sitemaps, related lists and partner outputs appear together. In AWS an EventBridge
 * Scheduler one-time schedule (shared/embargo/eventbridge-release-scheduler.ts); locally a timer of the
 * main job (cli/local/release-timers.ts).
 */
export interface ReleaseScheduler {
  /** Creates the release of `articleId` at `at`, or moves the one pending to `at`. */
  schedule(articleId: string, at: Date): Promise<void>;
  /** Removes the pending release of `articleId`; none pending is not an error. */
  cancel(articleId: string): Promise<void>;
}

type Timed = Pick<Article, 'status' | 'publishedAt'>;

/** One changed article: its current stored state, and what is known of the state before the change. */
export interface ReleaseChange {
  articleId: string;
  /** The current stored article; undefined when missing. */
  current: Timed | undefined;
  /**
   * The state before the change when the event carries it (the stream's old image); undefined for a new
   * article, 'unknown' when the event does not say (then a release that may be pending is cancelled).
   */
  previous: Timed | undefined | 'unknown';
}

export interface ReleaseSyncResult {
  scheduled: { articleId: string; at: string }[];
  cancelled: string[];
}

/**
 * Schedules are fired to the whole second (`at(yyyy-mm-ddThh:mm:ss)`), so a release is set for the first
 * whole second at or after the publication time, never before it.
 */
export function releaseInstant(publishedAt: Date): Date {
  return new Date(Math.ceil(publishedAt.getTime() / 1000) * 1000);
}

/**
 * Brings the pending releases in line with the changed articles at `now`: an article scheduled for later
 * gets its release created or moved to its (new) publication time; one that no longer is (withdrawn,
 * or its time moved into the past, so this very build publishes it) loses the release it may have had.
 * A change that cannot have had a pending release (new, or public before) costs no call.
 */
export async function syncReleases(scheduler: ReleaseScheduler, changes: readonly ReleaseChange[], now: Date): Promise<ReleaseSyncResult> {
  const result: ReleaseSyncResult = { scheduled: [], cancelled: [] };
  for (const change of changes) {
    const until = change.current ? embargoedUntil(change.current, now) : undefined;
    if (until) {
      const at = releaseInstant(until);
      await scheduler.schedule(change.articleId, at);
      result.scheduled.push({ articleId: change.articleId, at: at.toISOString() });
      continue;
    }
    const mayBePending = change.previous === 'unknown' || (change.previous !== undefined && embargoedUntil(change.previous, now) !== undefined);
    if (mayBePending) {
      await scheduler.cancel(change.articleId);
      result.cancelled.push(change.articleId);
    }
  }
  return result;
}

/**
 * One change per article from several events about it (a batch may hold many): the current state once,
 * and as previous state the one most likely to have left a release pending ('unknown' first, then one
 * that was scheduled for later at `now`).
 */
export function mergeReleaseChanges(
  events: readonly { articleId: string; previous: ReleaseChange['previous'] }[],
  current: ReadonlyMap<string, Timed>,
  now: Date,
): ReleaseChange[] {
  const merged = new Map<string, ReleaseChange>();
  for (const { articleId, previous } of events) {
    const seen = merged.get(articleId);
    const rank = (p: ReleaseChange['previous']) => (p === 'unknown' ? 2 : p !== undefined && embargoedUntil(p, now) ? 1 : 0);
    if (!seen || rank(previous) > rank(seen.previous)) merged.set(articleId, { articleId, current: current.get(articleId), previous });
  }
  return [...merged.values()];
}
