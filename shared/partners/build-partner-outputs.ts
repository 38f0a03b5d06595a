import type { SiteConfig } from '../config/load-config.js';
import { FEED_FORMATS, sectionFeedPath, tagFeedPath, type FeedFormat } from '../feeds/feed-paths.js';
import type { FeedMeta, RelatedLink } from '../feeds/render-feeds.js';
import type { Article } from '../model/article.js';
import type { ArticleRepository, ObjectPublisher } from '../ports.js';
import { slugify } from '../text/slugify.js';
import { toNinjs } from './ninjs.js';
import { partnerPrefix, type Partner, type PartnerRepository } from './partner.js';

/**
 * Partner outputs under `partners/<id>/` (docs/partners.md):
 *   index.json            what the partner may fetch (its feeds, the ninjs documents of the listed articles)
 *   feed.rss|atom|json    the licensed sections and tags merged, newest first (licensed formats only)
 *   ninjs/<articleId>.json one IPTC ninjs document per licensed article; kept with pubstatus canceled on withdrawal
 */

export interface PartnerOutputDeps {
  articles: ArticleRepository;
  partners: PartnerRepository;
  /** publish() skips unchanged bytes. */
  publisher: ObjectPublisher;
  render: (
    meta: FeedMeta,
    articles: readonly Article[],
    options: { fullText: boolean; includeImages: boolean },
  ) => { rss: string; atom: string; json: string };
  site: SiteConfig;
  itemLimit: number;
  /** Related links put into ninjs `associations`; documents build without them when absent. */
  related?: { relatedLinks(articleIds: readonly string[]): Promise<Map<string, RelatedLink[]>> };
}

export interface PartnerOutputResult {
  written: string[];
  deleted: string[];
}

/**
 * Partner objects are licensed content: `private` keeps shared caches between CloudFront and the
 * partner from storing them. CloudFront still caches them for 60 s per object (not per signed URL:
 * it strips the signing parameters from the cache key) through the partner behaviour's cache policy
 * whose minimum TTL is 60 s, which overrides `private` at the edge only.
 */
export const PARTNER_CACHE_CONTROL = 'private, max-age=60';
export const NINJS_CONTENT_TYPE = 'application/json; charset=utf-8';

const FEED_FILE: Record<FeedFormat, string> = { rss: 'feed.rss', atom: 'feed.atom', json: 'feed.json' };

export function partnerFeedKey(partnerId: string, format: FeedFormat): string {
  return `${partnerPrefix(partnerId)}${FEED_FILE[format]}`;
}
export function partnerNinjsKey(partnerId: string, articleId: string): string {
  return `${partnerPrefix(partnerId)}ninjs/${articleId}.json`;
}
export function partnerIndexKey(partnerId: string): string {
  return `${partnerPrefix(partnerId)}index.json`;
}

/** Whether a partner licenses an article: its section or one of its tags is licensed (compared by slug). */
export function licenses(partner: Partner, article: Pick<Article, 'section' | 'tags'>): boolean {
  const sections = new Set(partner.sections.map((s) => slugify(s)));
  const tags = new Set(partner.tags.map((t) => slugify(t)));
  return sections.has(slugify(article.section)) || article.tags.some((t) => tags.has(slugify(t)));
}

/** The partner's listing: its licensed public listings merged newest first, deduplicated, cut to `limit`. */
export async function partnerListing(articles: ArticleRepository, partner: Partner, limit: number): Promise<Article[]> {
  const paths = [...new Set([...partner.sections.map(sectionFeedPath), ...partner.tags.map(tagFeedPath)])].filter(
    (p) => !p.endsWith('/'),
  );
  const byId = new Map<string, Article>();
  for (const path of paths) {
    for (const article of await articles.listFeed(path, limit)) byId.set(article.id, article);
  }
  return [...byId.values()]
    .sort((a, b) => b.publishedAt.localeCompare(a.publishedAt) || a.id.localeCompare(b.id))
    .slice(0, limit);
}

function partnerFeedMeta(partner: Partner, site: SiteConfig): FeedMeta {
  const base = `${site.feedsBaseUrl}/${partnerPrefix(partner.id)}`;
  return {
    path: `partner/${partner.id}`,
    title: `${site.siteTitle} untuk ${partner.name}`,
    description: `Berita ${site.siteTitle} berlisensi untuk ${partner.name}`,
    siteUrl: site.siteUrl,
    language: site.language,
    links: { rss: `${base}${FEED_FILE.rss}`, atom: `${base}${FEED_FILE.atom}`, json: `${base}${FEED_FILE.json}` },
    copyright: `© ${site.siteTitle}`,
    publisher: site.siteTitle,
  };
}

async function emptyPrefix(deps: PartnerOutputDeps, partnerId: string, result: PartnerOutputResult): Promise<void> {
  for (const key of await deps.publisher.list(partnerPrefix(partnerId))) {
    await deps.publisher.delete(key);
    result.deleted.push(key);
  }
}

async function publishJson(deps: PartnerOutputDeps, key: string, value: unknown, result: PartnerOutputResult): Promise<void> {
  const outcome = await deps.publisher.publish(key, `${JSON.stringify(value, null, 2)}\n`, {
    contentType: NINJS_CONTENT_TYPE,
    cacheControl: PARTNER_CACHE_CONTROL,
  });
  if (outcome === 'written') result.written.push(key);
}

async function publishNinjs(deps: PartnerOutputDeps, partner: Partner, articles: readonly Article[], result: PartnerOutputResult): Promise<void> {
  if (articles.length === 0) return;
  const related = deps.related ? await deps.related.relatedLinks(articles.map((a) => a.id)) : undefined;
  for (const article of articles) {
    const doc = toNinjs(article, {
      related: related?.get(article.id) ?? [],
      includeImages: partner.images,
      fullText: partner.fullText,
      siteUrl: deps.site.siteUrl,
    });
    await publishJson(deps, partnerNinjsKey(partner.id, article.id), doc, result);
  }
}

async function publishFeeds(deps: PartnerOutputDeps, partner: Partner, listing: readonly Article[], existing: ReadonlySet<string>, result: PartnerOutputResult): Promise<void> {
  const rendered = deps.render(partnerFeedMeta(partner, deps.site), listing, {
    fullText: partner.fullText,
    includeImages: partner.images,
  });
  for (const format of Object.keys(FEED_FORMATS) as FeedFormat[]) {
    const key = partnerFeedKey(partner.id, format);
    if (partner.formats.includes(format)) {
      const outcome = await deps.publisher.publish(key, rendered[format], {
        contentType: FEED_FORMATS[format].contentType,
        cacheControl: PARTNER_CACHE_CONTROL,
      });
      if (outcome === 'written') result.written.push(key);
    } else if (existing.has(key)) {
      // A format the licence no longer covers must stop being served.
      await deps.publisher.delete(key);
      result.deleted.push(key);
    }
  }
  await publishJson(
    deps,
    partnerIndexKey(partner.id),
    {
      partner: partner.id,
      name: partner.name,
      feeds: Object.fromEntries(partner.formats.map((f) => [f, FEED_FILE[f]])),
      ninjs: listing.map((a) => `ninjs/${a.id}.json`),
    },
    result,
  );
}

async function rebuildOne(
  deps: PartnerOutputDeps,
  partner: Partner,
  changed: readonly Article[] | 'all',
  result: PartnerOutputResult,
): Promise<void> {
  if (partner.status === 'suspended') {
    await emptyPrefix(deps, partner.id, result);
    return;
  }
  const existing = new Set(await deps.publisher.list(partnerPrefix(partner.id)));
  // A partner without an index (new, or just reactivated) gets everything built, not just the change.
  const full = changed === 'all' || !existing.has(partnerIndexKey(partner.id));
  const candidates = changed === 'all' ? [] : changed;
  const licensedNow = candidates.filter((a) => licenses(partner, a));
  // An article whose section or tags moved out of the licence still has a document from before.
  const lostLicence = candidates.filter((a) => !licenses(partner, a) && existing.has(partnerNinjsKey(partner.id, a.id)));
  if (!full && licensedNow.length === 0 && lostLicence.length === 0) return;

  const listing = await partnerListing(deps.articles, partner, deps.itemLimit);
  await publishFeeds(deps, partner, listing, existing, result);
  const ninjsFor = new Map<string, Article>();
  if (full) for (const article of listing) ninjsFor.set(article.id, article);
  for (const article of licensedNow) ninjsFor.set(article.id, article);
  await publishNinjs(deps, partner, [...ninjsFor.values()], result);
  for (const article of lostLicence) {
    const key = partnerNinjsKey(partner.id, article.id);
    await deps.publisher.delete(key);
    result.deleted.push(key);
  }
}

/** Rebuilds every partner output touched by a change to these articles (whose listings were already synced): partner feeds under partners/<id>/ and the ninjs document of each changed licensed article (withdrawn → pubstatus canceled). Suspended partners' prefixes are emptied. */
export async function rebuildPartnerOutputs(
  deps: PartnerOutputDeps,
  changedArticleIds: readonly string[],
): Promise<PartnerOutputResult> {
  const result: PartnerOutputResult = { written: [], deleted: [] };
  const changed = await deps.articles.getMany([...new Set(changedArticleIds)]);
  for (const partner of await deps.partners.list()) await rebuildOne(deps, partner, changed, result);
  return result;
}

/**
 * Rebuilds the whole output of the given partners (all when omitted): after a registry sync,
 * a licence change, a suspension or a reactivation, when no article changed.
 */
export async function rebuildAllPartnerOutputs(deps: PartnerOutputDeps, partnerIds?: readonly string[]): Promise<PartnerOutputResult> {
  const result: PartnerOutputResult = { written: [], deleted: [] };
  const wanted = partnerIds ? new Set(partnerIds) : undefined;
  for (const partner of await deps.partners.list()) {
    if (!wanted || wanted.has(partner.id)) await rebuildOne(deps, partner, 'all', result);
  }
  return result;
}
