import type { SiteConfig } from '../config/load-config.js';
import { feedPathsForArticle, LATEST_FEED_PATH } from '../feeds/feed-paths.js';
import { listingSortKey } from '../feeds/feed-archive.js';
import type { Article } from '../model/article.js';
import type { Clock, ObjectPublisher } from '../ports.js';
import {
  monthSitemapKey,
  NEWS_SITEMAP_MAX_URLS,
  newsSitemapKey,
  renderNewsSitemap,
  renderSitemapIndex,
  renderUrlSitemap,
  SITEMAP_CONTENT_TYPE,
  SITEMAP_INDEX_KEY,
  SITEMAP_MAX_URLS,
} from './render-sitemaps.js';

/**
 * Sitemaps kept up to date incrementally (docs/feeds.md, "Sitemaps"):
 * - one entry per public article, filed under the month of its publication (`YYYY-MM`, UTC), keyed by
 *   its listing key, holding what the sitemaps show (URL, title, language, publication and update time);
 * - `sitemaps/articles-YYYY-MM.xml` (more files past 50,000 URLs) from one month's entries;
 * - `sitemaps/news.xml` from the entries published in the last 48 hours (more files past 1,000 URLs);
 * - `sitemaps/index.xml` listing them, from a summary per sitemap (its file count and newest update).
 * A change writes the entries of the changed articles and rebuilds only the months they were or are
 * in, the news sitemap when it holds or held one of them, and the index; unchanged bytes are not written.
 */

export interface SitemapEntryRecord {
  sortKey: string;
  url: string;
  title: string;
  language: string;
  publishedAt: string;
  updatedAt: string;
}

/** What the index shows of one sitemap name ('news' or 'YYYY-MM'): the newest update in each of its files. */
export interface SitemapSummary {
  name: string;
  fileLastmods: string[];
}

export interface SitemapStore {
  /** The entry an article has under `month`, if any. */
  putEntry(month: string, entry: SitemapEntryRecord): Promise<void>;
  deleteEntry(month: string, sortKey: string): Promise<void>;
  /** A month's entries with sort keys after `after` (all when undefined), oldest first. */
  entries(month: string, after?: string): Promise<SitemapEntryRecord[]>;
  summaries(): Promise<SitemapSummary[]>;
  putSummary(summary: SitemapSummary): Promise<void>;
  deleteSummary(name: string): Promise<void>;
}

export interface SitemapDeps {
  store: SitemapStore;
  publisher: ObjectPublisher;
  site: SiteConfig;
  clock: Clock;
}

export interface SitemapBuildResult {
  written: string[];
  deleted: string[];
}

/** How long an article stays in the Google News sitemap after its publication. */
export const NEWS_WINDOW_MS = 48 * 3_600_000;

const monthOf = (sortKey: string) => sortKey.slice(0, 7);
const instantOf = (sortKey: string) => sortKey.slice(0, sortKey.indexOf('#'));

/**
 * Brings the sitemaps up to date after a change to `articles` (their current state; withdrawn or missing
 * ones included) whose listing keys before the change were `previousSortKeys`.
 */
export async function updateSitemaps(
  deps: SitemapDeps,
  articles: readonly Article[],
  previousSortKeys: readonly string[],
): Promise<SitemapBuildResult> {
  const now = deps.clock.now();
  const current = new Map<string, Article>();
  for (const article of articles) {
    // Only what is public now: published, in the latest feed, and not scheduled for later.
    if (feedPathsForArticle(article).includes(LATEST_FEED_PATH) && new Date(article.publishedAt).getTime() <= now.getTime()) {
      current.set(listingSortKey(article), article);
    }
  }
  const writes = [
    ...previousSortKeys.filter((key) => !current.has(key)).map((key) => () => deps.store.deleteEntry(monthOf(key), key)),
    ...[...current].map(([key, article]) => () =>
      deps.store.putEntry(monthOf(key), {
        sortKey: key,
        url: article.url,
        title: article.title,
        language: article.language,
        publishedAt: article.publishedAt,
        updatedAt: article.updatedAt,
      }),
    ),
  ];
  for (let i = 0; i < writes.length; i += WRITE_CONCURRENCY) await Promise.all(writes.slice(i, i + WRITE_CONCURRENCY).map((write) => write()));

  const touched = [...new Set([...previousSortKeys, ...current.keys()])];
  const result: SitemapBuildResult = { written: [], deleted: [] };
  const summaries = new Map((await deps.store.summaries()).map((s) => [s.name, s.fileLastmods]));
  await Promise.all([...new Set(touched.map(monthOf))].map((month) => rebuildMonth(deps, month, summaries, result)));
  const windowStart = new Date(now.getTime() - NEWS_WINDOW_MS).toISOString();
  if (touched.some((key) => instantOf(key) >= windowStart)) await rebuildNews(deps, summaries, result);
  await rebuildIndex(deps, summaries, result);
  result.written.sort();
  result.deleted.sort();
  return result;
}

/** Entry writes in flight at once: a batch of changed articles overlaps its round trips. */
const WRITE_CONCURRENCY = 16;

/**
 * The scheduled rebuild: articles leave the news sitemap 48 hours after publication even when
 * nothing is published (a scheduled article enters it with its release build). Writes nothing when nothing changed.
 */
export async function refreshNewsSitemap(deps: SitemapDeps): Promise<SitemapBuildResult> {
  const result: SitemapBuildResult = { written: [], deleted: [] };
  const summaries = new Map((await deps.store.summaries()).map((s) => [s.name, s.fileLastmods]));
  await rebuildNews(deps, summaries, result);
  await rebuildIndex(deps, summaries, result);
  return result;
}

/** File lastmods per sitemap name, read once per update and kept current as files are written. */
type Summaries = Map<string, string[]>;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

const newest = (values: readonly string[]) => values.reduce((a, b) => (a > b ? a : b), '');

async function publishFiles(
  deps: SitemapDeps,
  name: string,
  files: { key: string; body: string; lastmod: string }[],
  keyOf: (file: number) => string,
  summaries: Summaries,
  result: SitemapBuildResult,
): Promise<void> {
  const before = summaries.get(name);
  const previous = before?.length ?? 0;
  await Promise.all(
    files.map(async (file) => {
      const outcome = await deps.publisher.publish(file.key, file.body, {
        contentType: SITEMAP_CONTENT_TYPE,
        cacheControl: `public, max-age=${deps.site.feedMaxAgeSeconds}, stale-while-revalidate=60`,
      });
      if (outcome === 'written') result.written.push(file.key);
    }),
  );
  for (let file = files.length + 1; file <= previous; file++) {
    await deps.publisher.delete(keyOf(file));
    result.deleted.push(keyOf(file));
  }
  if (files.length === 0) {
    if (previous > 0) await deps.store.deleteSummary(name);
    summaries.delete(name);
  } else {
    const fileLastmods = files.map((f) => f.lastmod);
    if (JSON.stringify(before) !== JSON.stringify(fileLastmods)) await deps.store.putSummary({ name, fileLastmods });
    summaries.set(name, fileLastmods);
  }
}

async function rebuildMonth(deps: SitemapDeps, month: string, summaries: Summaries, result: SitemapBuildResult): Promise<void> {
  const entries = await deps.store.entries(month);
  const files = chunk(entries, SITEMAP_MAX_URLS).map((part, i) => ({
    key: monthSitemapKey(month, i + 1),
    body: renderUrlSitemap(part.map((e) => ({ url: e.url, lastmod: e.updatedAt }))),
    lastmod: newest(part.map((e) => e.updatedAt)),
  }));
  await publishFiles(deps, month, files, (file) => monthSitemapKey(month, file), summaries, result);
}

async function rebuildNews(deps: SitemapDeps, summaries: Summaries, result: SitemapBuildResult): Promise<void> {
  const now = deps.clock.now();
  const windowStart = new Date(now.getTime() - NEWS_WINDOW_MS).toISOString();
  // 48 hours span at most two calendar months.
  const months = [...new Set([monthOf(windowStart), monthOf(now.toISOString())])];
  const recent: SitemapEntryRecord[] = [];
  for (const month of months) recent.push(...(await deps.store.entries(month, windowStart)));
  const nowIso = now.toISOString();
  const visible = recent.filter((e) => e.publishedAt >= windowStart && e.publishedAt <= nowIso).reverse();
  const files = chunk(visible, NEWS_SITEMAP_MAX_URLS).map((part, i) => ({
    key: newsSitemapKey(i + 1),
    body: renderNewsSitemap(part, deps.site.siteTitle),
    lastmod: newest(part.map((e) => e.updatedAt)),
  }));
  // An empty urlset is not a valid sitemap: with nothing recent there is no news.xml (publishFiles deletes
  // the files there were) and the index leaves it out.
  await publishFiles(deps, 'news', files, newsSitemapKey, summaries, result);
}

async function rebuildIndex(deps: SitemapDeps, summaries: Summaries, result: SitemapBuildResult): Promise<void> {
  const names = [...summaries.keys()].sort((a, b) => (a === 'news' ? -1 : b === 'news' ? 1 : a < b ? -1 : 1));
  const entries = names.flatMap((name) =>
    (summaries.get(name) ?? []).map((lastmod, i) => ({
      url: `${deps.site.feedsBaseUrl}/${name === 'news' ? newsSitemapKey(i + 1) : monthSitemapKey(name, i + 1)}`,
      lastmod,
    })),
  );
  if (entries.length === 0) {
    if ((await deps.publisher.list(SITEMAP_INDEX_KEY)).includes(SITEMAP_INDEX_KEY)) {
      await deps.publisher.delete(SITEMAP_INDEX_KEY);
      result.deleted.push(SITEMAP_INDEX_KEY);
    }
    return;
  }
  const outcome = await deps.publisher.publish(SITEMAP_INDEX_KEY, renderSitemapIndex(entries), {
    contentType: SITEMAP_CONTENT_TYPE,
    cacheControl: `public, max-age=${deps.site.feedMaxAgeSeconds}, stale-while-revalidate=60`,
  });
  if (outcome === 'written') result.written.push(SITEMAP_INDEX_KEY);
}

/** Sitemap entries and summaries in memory, for pure tests and the in-memory runtime. */
export class InMemorySitemapStore implements SitemapStore {
  private readonly months = new Map<string, Map<string, SitemapEntryRecord>>();
  private readonly summaryMap = new Map<string, SitemapSummary>();

  async putEntry(month: string, entry: SitemapEntryRecord): Promise<void> {
    const entries = this.months.get(month) ?? new Map<string, SitemapEntryRecord>();
    entries.set(entry.sortKey, { ...entry });
    this.months.set(month, entries);
  }
  async deleteEntry(month: string, sortKey: string): Promise<void> {
    this.months.get(month)?.delete(sortKey);
  }
  async entries(month: string, after?: string): Promise<SitemapEntryRecord[]> {
    return [...(this.months.get(month)?.values() ?? [])]
      .filter((e) => after === undefined || e.sortKey > after)
      .sort((a, b) => (a.sortKey < b.sortKey ? -1 : 1))
      .map((e) => ({ ...e }));
  }
  async summaries(): Promise<SitemapSummary[]> {
    return [...this.summaryMap.values()].map((s) => ({ ...s, fileLastmods: [...s.fileLastmods] }));
  }
  async putSummary(summary: SitemapSummary): Promise<void> {
    this.summaryMap.set(summary.name, { ...summary, fileLastmods: [...summary.fileLastmods] });
  }
  async deleteSummary(name: string): Promise<void> {
    this.summaryMap.delete(name);
  }
}
