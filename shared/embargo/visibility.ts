import type { Article } from '../model/article.js';

/**
 * Scheduled stories (embargo, docs/feeds.md): an article whose `publishedAt` is later than now is stored
 * but is in no public output (feeds, archive pages, sitemaps, related lists and stories, partner feeds and
 * ninjs, the discovery index) until that instant. Every builder decides with these two functions and the
 * instant its injected clock gives, never with the system clock, so tests move time at will.
 */

type Timed = Pick<Article, 'status' | 'publishedAt'>;

/** Whether `article` may appear in public outputs at `now`: published, and its publication time reached. */
export function isVisibleAt(article: Timed, now: Date): boolean {
  return article.status === 'published' && Date.parse(article.publishedAt) <= now.getTime();
}

/** The instant a published article scheduled for later becomes visible, or undefined when it is not embargoed at `now`. */
export function embargoedUntil(article: Timed, now: Date): Date | undefined {
  if (article.status !== 'published') return undefined;
  const at = Date.parse(article.publishedAt);
  return at > now.getTime() ? new Date(at) : undefined;
}
