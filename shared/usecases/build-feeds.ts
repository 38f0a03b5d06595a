import type { SiteConfig } from '../config/load-config.js';
import { StorageError } from '../errors.js';
import { FEED_FORMATS, feedObjectKey, parseFeedPath, type FeedFormat } from '../feeds/feed-paths.js';
import type { FeedMeta, RelatedLink, RenderedFeeds } from '../feeds/render-feeds.js';
import { renderFeeds } from '../feeds/render-feeds.js';
import type { Article } from '../model/article.js';
import type { ArticleRepository, ObjectPublisher } from '../ports.js';
import { slugify } from '../text/slugify.js';

/** A revision counter per feed; see DynamoDbFeedRevisions. */
export interface FeedRevisionStore {
  bump(feedKey: string): Promise<number>;
  current(feedKey: string): Promise<number>;
}

export interface RelatedLinksSource {
  relatedLinks(articleIds: readonly string[]): Promise<Map<string, RelatedLink[]>>;
}

export interface BuildFeedsDeps {
  articles: ArticleRepository;
  revisions: FeedRevisionStore;
  publisher: ObjectPublisher;
  site: SiteConfig;
  /** Related links rendered into entries; feeds build without them when absent. */
  related?: RelatedLinksSource;
  /** Rebuilds partner outputs for the same change (partners/<id>/…). */
  partnerOutputs?: (changedArticleIds: readonly string[]) => Promise<{ written: string[]; deleted: string[] }>;
}

export interface BuildFeedsResult {
  /** Feed paths rebuilt. */
  feeds: string[];
  /** Object keys whose bytes changed and were written. */
  written: string[];
  /** Object keys rendered again but left alone because their bytes were already published. */
  unchanged: string[];
  deleted: string[];
}

/** A rebuild that keeps seeing new revisions gives up and lets the batch retry, rather than spin. */
const MAX_BUILD_ATTEMPTS = 5;
/** Feeds built at once: enough to overlap DynamoDB and S3 round trips, few enough to stay under throttling. */
const FEED_CONCURRENCY = 4;

/** Runs `work` over `items` with at most FEED_CONCURRENCY in flight; the first failure rejects once all have settled. */
async function forEachConcurrently<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FEED_CONCURRENCY, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

/**
 * Brings every feed touched by a change to these articles up to date with the table.
 * Listings are synced from the current article state (never from the event), each feed is
 * rendered from one Query, and a feed whose revision moved while it was being built is built
 * again, so the last object written always reflects the newest state.
 */
export async function buildFeedsForArticles(deps: BuildFeedsDeps, articleIds: readonly string[]): Promise<BuildFeedsResult> {
  const paths = new Set<string>();
  await forEachConcurrently([...new Set(articleIds)], async (id) => {
    for (const path of await deps.articles.syncListings(id)) paths.add(path);
  });
  const result: BuildFeedsResult = { feeds: [...paths].sort(), written: [], unchanged: [], deleted: [] };
  // Mark every affected feed first, so a concurrent builder already rendering one of them knows to render again.
  const revisions = new Map<string, number>();
  await forEachConcurrently(result.feeds, async (path) => {
    revisions.set(path, await deps.revisions.bump(path));
  });

  await forEachConcurrently(result.feeds, async (path) => {
    let revision = revisions.get(path) ?? 0;
    for (let attempt = 1; ; attempt++) {
      const outcome = await publishFeed(deps, path);
      const after = await deps.revisions.current(path);
      if (after === revision) {
        result.written.push(...outcome.written);
        result.unchanged.push(...outcome.unchanged);
        return;
      }
      if (attempt >= MAX_BUILD_ATTEMPTS) {
        throw new StorageError(`Feed ${path} kept changing while it was built (${attempt} attempts)`);
      }
      revision = after;
    }
  });
  result.written.sort();
  result.unchanged.sort();

  if (deps.partnerOutputs) {
    const partner = await deps.partnerOutputs(articleIds);
    result.written.push(...partner.written);
    result.deleted.push(...partner.deleted);
  }
  return result;
}

/** Renders one public feed from the table and publishes its three files. */
export async function publishFeed(
  deps: Pick<BuildFeedsDeps, 'articles' | 'publisher' | 'site' | 'related'>,
  path: string,
): Promise<{ written: string[]; unchanged: string[] }> {
  const articles = await deps.articles.listFeed(path, deps.site.feedItemLimit);
  const relatedLinks = deps.related ? await deps.related.relatedLinks(articles.map((a) => a.id)) : undefined;
  const rendered = renderWithinBudget(articles, (entries) =>
    renderFeeds(feedMetaFor(path, entries, deps.site), entries, { relatedLinks }),
  deps.site.feedMaxBytes);
  const formats = Object.keys(FEED_FORMATS) as FeedFormat[];
  const outcomes = await Promise.all(
    formats.map(async (format) => {
      const key = feedObjectKey(path, format);
      const outcome = await deps.publisher.publish(key, rendered[format as keyof RenderedFeeds], {
        contentType: FEED_FORMATS[format].contentType,
        cacheControl: feedCacheControl(deps.site),
      });
      return { key, outcome };
    }),
  );
  return {
    written: outcomes.filter((o) => o.outcome === 'written').map((o) => o.key),
    unchanged: outcomes.filter((o) => o.outcome === 'unchanged').map((o) => o.key),
  };
}

/**
 * Renders the newest entries that fit the byte budget in every format. Aggregators refuse or cut
 * feeds above a size (Google News: 2 MB), and a cut feed loses its newest news last, not first:
 * so the oldest entries are dropped until the largest of the three files fits. One entry always stays.
 */
export function renderWithinBudget(
  articles: readonly Article[],
  render: (entries: readonly Article[]) => RenderedFeeds,
  maxBytes: number,
): RenderedFeeds {
  const attempt = (count: number) => {
    const rendered = render(articles.slice(0, count));
    return { rendered, largest: Math.max(...Object.values(rendered).map((text) => Buffer.byteLength(text, 'utf8'))) };
  };
  let count = articles.length;
  let current = attempt(count);
  if (current.largest <= maxBytes) return current.rendered;
  // Shrink in proportion to the overshoot until it fits, then grow back while one more entry still fits:
  // the feed keeps as many of the newest entries as the budget allows.
  while (current.largest > maxBytes && count > 1) {
    count = Math.max(1, Math.min(count - 1, Math.floor((count * maxBytes) / current.largest)));
    current = attempt(count);
  }
  while (count < articles.length) {
    const next = attempt(count + 1);
    if (next.largest > maxBytes) break;
    count += 1;
    current = next;
  }
  return current.rendered;
}

/** Aggregators may cache for max-age; stale-while-revalidate lets CloudFront answer while it refetches. */
export function feedCacheControl(site: SiteConfig): string {
  return `public, max-age=${site.feedMaxAgeSeconds}, stale-while-revalidate=60`;
}

/** Title, description and self links of a feed; display names come from the articles listed in it. */
export function feedMetaFor(path: string, articles: readonly Article[], site: SiteConfig): FeedMeta {
  const { kind, slug } = parseFeedPath(path);
  const displayName = (() => {
    const fallback = slug.replace(/-/g, ' ').replace(/\b\p{L}/gu, (c) => c.toUpperCase());
    switch (kind) {
      case 'latest':
        return '';
      case 'section':
        return articles.find((a) => slugify(a.section) === slug)?.section ?? fallback;
      case 'tag':
        return articles.flatMap((a) => a.tags).find((t) => slugify(t) === slug) ?? fallback;
      case 'author':
        return articles.flatMap((a) => a.authors).find((a) => slugify(a.name) === slug)?.name ?? fallback;
    }
  })();
  const titles: Record<typeof kind, [string, string]> = {
    latest: [site.siteTitle, site.siteDescription],
    section: [`${site.siteTitle}: ${displayName}`, `Berita terbaru rubrik ${displayName} dari ${site.siteTitle}`],
    tag: [`${site.siteTitle}: ${displayName}`, `Berita terbaru bertopik ${displayName} dari ${site.siteTitle}`],
    author: [`${site.siteTitle}: ${displayName}`, `Tulisan terbaru ${displayName} di ${site.siteTitle}`],
  };
  const [title, description] = titles[kind];
  const link = (format: FeedFormat) => `${site.feedsBaseUrl}/${feedObjectKey(path, format)}`;
  return {
    path,
    title,
    description,
    siteUrl: site.siteUrl,
    language: site.language,
    publisher: site.siteTitle,
    links: { rss: link('rss'), atom: link('atom'), json: link('json') },
    copyright: articles[0]?.copyright,
  };
}
