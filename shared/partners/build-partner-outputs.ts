import { createHash } from 'node:crypto';
import type { SiteConfig } from '../config/load-config.js';
import { FEED_FORMATS, sectionFeedPath, tagFeedPath, type FeedFormat } from '../feeds/feed-paths.js';
import type { FeedMeta, RelatedLink } from '../feeds/render-feeds.js';
import type { FeedDocuments } from '../feeds/fragment-cache.js';
import type { Article } from '../model/article.js';
import type { ArticleRepository, Clock, ObjectPublisher } from '../ports.js';
import { embargoedUntil } from '../embargo/visibility.js';
import { slugify } from '../text/slugify.js';
import { toNinjs } from './ninjs.js';
import { partnerPrefix, type Partner, type PartnerDelivery, type PartnerDeliveryStore, type PartnerRepository } from './partner.js';

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
  /** What each partner has been sent: read instead of listing its prefix in S3. */
  deliveries: PartnerDeliveryStore;
  render: (
    meta: FeedMeta,
    articles: readonly Article[],
    options: { fullText: boolean; includeImages: boolean },
    // Text or the UTF-8 bytes to publish (renderFeedBytes, which the runtime gives: no round trip through text).
  ) => FeedDocuments;
  site: SiteConfig;
  itemLimit: number;
  /** Articles scheduled for later get no ninjs document before their release (shared/embargo/visibility.ts). */
  clock: Clock;
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

/** The ninjs document of each article, as published, with the SHA-256 recorded for it. */
function renderDocuments(
  partner: Partner,
  articles: readonly Article[],
  related: Map<string, RelatedLink[]> | undefined,
  siteUrl: string,
): { article: Article; body: string; sha: string }[] {
  return articles.map((article) => {
    const doc = toNinjs(article, { related: related?.get(article.id) ?? [], includeImages: partner.images, fullText: partner.fullText, siteUrl });
    const body = `${JSON.stringify(doc, null, 2)}\n`;
    return { article, body, sha: createHash('sha256').update(body, 'utf8').digest('hex') };
  });
}

/**
 * Writes the ninjs documents whose bytes differ from the recorded ones. The record stands in for a
 * HEAD per document (and for the S3 listing before it); a document deleted from the bucket behind
 * the record's back comes back with `warta partners sync` (a repair rebuild, which does not trust it).
 */
async function publishNinjs(
  deps: PartnerOutputDeps,
  partner: Partner,
  articles: readonly Article[],
  recorded: ReadonlyMap<string, string>,
  result: PartnerOutputResult,
): Promise<Map<string, string>> {
  const written = new Map<string, string>();
  if (articles.length === 0) return written;
  const related = deps.related ? await deps.related.relatedLinks(articles.map((a) => a.id)) : undefined;
  const options = { contentType: NINJS_CONTENT_TYPE, cacheControl: PARTNER_CACHE_CONTROL };
  await forEachBounded(renderDocuments(partner, articles, related, deps.site.siteUrl), async (doc) => {
    if (recorded.get(doc.article.id) === doc.sha) return;
    const key = partnerNinjsKey(partner.id, doc.article.id);
    await deps.publisher.write(key, doc.body, options, doc.sha);
    result.written.push(key);
    written.set(doc.article.id, doc.sha);
  });
  return written;
}

async function publishJson(deps: PartnerOutputDeps, key: string, value: unknown, result: PartnerOutputResult): Promise<void> {
  const outcome = await deps.publisher.publish(key, `${JSON.stringify(value, null, 2)}\n`, {
    contentType: NINJS_CONTENT_TYPE,
    cacheControl: PARTNER_CACHE_CONTROL,
  });
  if (outcome === 'written') result.written.push(key);
}

async function publishFeeds(
  deps: PartnerOutputDeps,
  partner: Partner,
  listing: readonly Article[],
  sentFormats: readonly FeedFormat[],
  result: PartnerOutputResult,
): Promise<void> {
  const rendered = deps.render(partnerFeedMeta(partner, deps.site), listing, {
    fullText: partner.fullText,
    includeImages: partner.images,
  });
  await forEachBounded(Object.keys(FEED_FORMATS) as FeedFormat[], async (format) => {
    const key = partnerFeedKey(partner.id, format);
    if (partner.formats.includes(format)) {
      const outcome = await deps.publisher.publish(key, rendered[format], {
        contentType: FEED_FORMATS[format].contentType,
        cacheControl: PARTNER_CACHE_CONTROL,
      });
      if (outcome === 'written') result.written.push(key);
    } else if (sentFormats.includes(format)) {
      // A format the licence no longer covers must stop being served.
      await deps.publisher.delete(key);
      result.deleted.push(key);
    }
  });
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

/** Object requests in flight per partner build: overlaps S3 round trips without a burst per document. */
const OBJECT_CONCURRENCY = 8;

async function forEachBounded<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(OBJECT_CONCURRENCY, items.length) }, worker));
}

/** Deletes every object recorded for a suspended partner (and, in a repair, every key listed under its prefix), then its record. */
async function emptyPartner(deps: PartnerOutputDeps, partnerId: string, repair: boolean, result: PartnerOutputResult): Promise<void> {
  const keys = new Set([
    partnerIndexKey(partnerId),
    ...(Object.keys(FEED_FORMATS) as FeedFormat[]).map((f) => partnerFeedKey(partnerId, f)),
    ...(await deps.deliveries.documentIds(partnerId)).map((id) => partnerNinjsKey(partnerId, id)),
  ]);
  // Listing stays in the repair path only: it finds objects written before the record existed.
  if (repair) for (const key of await deps.publisher.list(partnerPrefix(partnerId))) keys.add(key);
  await forEachBounded([...keys].sort(), async (key) => {
    await deps.publisher.delete(key);
    result.deleted.push(key);
  });
  await deps.deliveries.forget(partnerId);
}

async function rebuildOne(
  deps: PartnerOutputDeps,
  partner: Partner,
  changed: readonly Article[] | 'all',
  delivery: PartnerDelivery,
  result: PartnerOutputResult,
): Promise<void> {
  if (partner.status === 'suspended') {
    // On an article change a suspended partner costs nothing once emptied (no record left).
    if (changed === 'all' || delivery.indexed || delivery.documents.size > 0) await emptyPartner(deps, partner.id, changed === 'all', result);
    return;
  }
  // A partner without an index (new, or just reactivated) gets everything built, not just the change.
  const full = changed === 'all' || !delivery.indexed;
  const candidates = changed === 'all' ? [] : changed;
  const now = deps.clock.now();
  // A withdrawal cancels a document the partner was sent; one never sent (withdrawn while scheduled for
  // later, or before any build) is not announced at all.
  const sendable = (a: Article) =>
    licenses(partner, a) && embargoedUntil(a, now) === undefined && (a.status === 'published' || delivery.documents.has(a.id));
  const licensedNow = candidates.filter(sendable);
  // An article whose section or tags moved out of the licence still has a document from before; so has
  // one whose publication time moved into the future (it comes back at its release build).
  const lostLicence = candidates.filter((a) => !sendable(a) && delivery.documents.has(a.id));
  if (!full && licensedNow.length === 0 && lostLicence.length === 0) return;

  const listing = await partnerListing(deps.articles, partner, deps.itemLimit);
  // Without any record (outputs published before records were kept) a repair deletes every format not licensed.
  const sentFormats = changed === 'all' && !delivery.indexed ? (Object.keys(FEED_FORMATS) as FeedFormat[]) : delivery.formats;
  await publishFeeds(deps, partner, listing, sentFormats, result);
  const ninjsFor = new Map<string, Article>();
  if (full) for (const article of listing) ninjsFor.set(article.id, article);
  for (const article of licensedNow) ninjsFor.set(article.id, article);
  // A full build reads the record of the listed documents; a repair ('all') rewrites them all.
  let recorded: ReadonlyMap<string, string> = delivery.documents;
  if (changed === 'all') recorded = new Map();
  else if (full) recorded = (await deps.deliveries.read([partner.id], [...ninjsFor.keys()])).get(partner.id)?.documents ?? new Map();
  const written = await publishNinjs(deps, partner, [...ninjsFor.values()], recorded, result);
  await forEachBounded(lostLicence, async (article) => {
    const key = partnerNinjsKey(partner.id, article.id);
    await deps.publisher.delete(key);
    result.deleted.push(key);
  });
  const formatsChanged = !delivery.indexed || delivery.formats.join() !== partner.formats.join();
  await deps.deliveries.record([
    {
      partnerId: partner.id,
      ...(formatsChanged || changed === 'all' ? { formats: partner.formats } : {}),
      documents: written,
      removed: lostLicence.map((a) => a.id),
    },
  ]);
}

/** Rebuilds every partner output touched by a change to these articles (whose listings were already synced): partner feeds under partners/<id>/ and the ninjs document of each changed licensed article (withdrawn → pubstatus canceled). Suspended partners' prefixes are emptied. Reads what was sent from the delivery record, never by listing S3. */
export async function rebuildPartnerOutputs(
  deps: PartnerOutputDeps,
  changedArticleIds: readonly string[],
): Promise<PartnerOutputResult> {
  const result: PartnerOutputResult = { written: [], deleted: [] };
  const ids = [...new Set(changedArticleIds)];
  const [changed, partners] = await Promise.all([deps.articles.getMany(ids), deps.partners.list()]);
  if (partners.length === 0) return result;
  const deliveries = await deps.deliveries.read(
    partners.map((p) => p.id),
    changed.map((a) => a.id),
  );
  for (const partner of partners) {
    await rebuildOne(deps, partner, changed, deliveries.get(partner.id) ?? { indexed: false, formats: [], documents: new Map() }, result);
  }
  return result;
}

/**
 * Rebuilds the whole output of the given partners (all when omitted): after a registry sync,
 * a licence change, a suspension or a reactivation, when no article changed. A repair: it does not
 * trust the delivery record (every listed document is written again, every feed format not licensed
 * is deleted, and a suspended partner's prefix is also listed), so it restores objects removed by hand.
 */
export async function rebuildAllPartnerOutputs(deps: PartnerOutputDeps, partnerIds?: readonly string[]): Promise<PartnerOutputResult> {
  const result: PartnerOutputResult = { written: [], deleted: [] };
  const wanted = partnerIds ? new Set(partnerIds) : undefined;
  const partners = (await deps.partners.list()).filter((p) => !wanted || wanted.has(p.id));
  const deliveries = await deps.deliveries.read(partners.map((p) => p.id), []);
  for (const partner of partners) {
    await rebuildOne(deps, partner, 'all', deliveries.get(partner.id) ?? { indexed: false, formats: [], documents: new Map() }, result);
  }
  return result;
}
