import { systemClock } from '../../../shared/ports.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SiteConfigSchema } from '../../../shared/config/load-config.js';
import { archivePageSize } from '../../../shared/feeds/feed-archive.js';
import { articleTagUri } from '../../../shared/feeds/feed-ids.js';
import type { Article } from '../../../shared/model/article.js';
import { InMemoryArticleRepository, InMemoryFeedArchive, InMemoryFeedRevisions, InMemoryObjectPublisher } from '../../../shared/storage/in-memory-adapters.js';
import { seededRandom } from '../../../bench/seeded-random.js';
import { buildFeedsForArticles, type BuildFeedsDeps } from '../../../shared/usecases/build-feeds.js';
import { makeArticle, makeImage } from '../../fixtures/articles.js';
import { walkArchiveChain, type WalkedDocument } from './archive-walk.js';
import { FEED_CHECKER as CHECKER, feedCheckerMissing as checkerMissing } from '../../support/feed-checker.js';

const site = SiteConfigSchema.parse({
  siteUrl: 'https://jurnalpagi.example',
  siteTitle: 'JurnalPagi',
  siteDescription: 'Berita terkini dari JurnalPagi',
  feedsBaseUrl: 'https://feeds.jurnalpagi.example',
});
const SECTION_FEED = 'section/politik';

/**
 * `count` Politik articles over about a year, in an arbitrary arrival order; some share a publication
 * instant (the id breaks the tie), and bodies are short so the test stays fast.
 */
function newsroom(count: number, seed: number): Article[] {
  const next = seededRandom(seed);
  const start = Date.UTC(2024, 0, 1);
  return Array.from({ length: count }, (_, i) => {
    const published = new Date(start + Math.floor(next() * 365 * 24) * 3_600_000).toISOString();
    return makeArticle({
      id: `politik-${seed}-${i}`,
      slug: `politik-${seed}-${i}`,
      title: `Berita politik nomor ${i}`,
      summary: `Ringkasan berita politik nomor ${i}.`,
      bodyHtml: `<p>Isi berita politik nomor ${i}.</p>`,
      tags: [],
      authors: [],
      publishedAt: published,
      updatedAt: published,
    });
  });
}

function setUp(feedItemLimit = 50) {
  const articles = new InMemoryArticleRepository();
  const publisher = new InMemoryObjectPublisher();
  const deps: BuildFeedsDeps = {
    articles,
    revisions: new InMemoryFeedRevisions(),
    publisher,
    site: { ...site, feedItemLimit },
    clock: systemClock,
    archives: new InMemoryFeedArchive(articles),
  };
  const fetchText = async (url: string) => publisher.text(url.slice(`${site.feedsBaseUrl}/`.length));
  const walk = (format: 'rss' | 'atom' | 'json') => walkArchiveChain(`${site.feedsBaseUrl}/feeds/${SECTION_FEED}.${format}`, fetchText);
  return { articles, publisher, deps, walk };
}

/** Builds in stream-sized batches, as the feed builder receives them. */
async function buildInBatches(deps: BuildFeedsDeps, ids: readonly string[], batch = 500) {
  for (let i = 0; i < ids.length; i += batch) await buildFeedsForArticles(deps, ids.slice(i, i + batch));
}

const idsOf = (documents: readonly WalkedDocument[]) => documents.flatMap((d) => d.ids);
const tagUri = (id: string) => articleTagUri(site.siteUrl, id);

describe('RFC 5005 archives of a section with 1,000 articles', () => {
  // One newsroom for the whole block, built once; the tests below run in order on it.
  const { articles, deps, walk, publisher } = setUp();
  const all = newsroom(1000, 7);
  beforeAll(async () => {
    articles.seed(...all);
    await buildInBatches(deps, all.map((a) => a.id));
  });

  it('walking prev-archive from the subscription feed finds every article exactly once, in every format', async () => {

    const expected = all.map((a) => tagUri(a.id)).sort();
    for (const format of ['rss', 'atom', 'json'] as const) {
      const chain = await walk(format);
      const found = idsOf(chain);
      expect(found.length, format).toBe(1000);
      expect([...found].sort(), format).toEqual(expected);
      // Newest first across the whole chain: each document is newer than the page behind it.
      const order = new Map(all.map((a) => [tagUri(a.id), `${a.publishedAt}#${a.id}`]));
      const keys = found.map((id) => order.get(id) as string);
      expect(keys).toEqual([...keys].sort().reverse());

      const [current, ...archives] = chain;
      const pageSize = archivePageSize(50);
      expect(current?.ids.length).toBeGreaterThanOrEqual(pageSize);
      expect(current?.ids.length).toBeLessThan(2 * pageSize);
      expect(archives.length).toBeGreaterThan(0);
      for (const [index, page] of archives.entries()) {
        expect(page.url).toBe(`${site.feedsBaseUrl}/feeds/${SECTION_FEED}/archive/${archives.length - index}.${format}`);
        expect(page.ids.length).toBe(pageSize);
        if (format !== 'json') {
          expect(page.archiveMarked).toBe(true);
          expect(page.current).toBe(`${site.feedsBaseUrl}/feeds/${SECTION_FEED}.${format}`);
        }
      }
      expect(current?.archiveMarked).toBe(false);
    }
    const page1 = publisher.objects.get(`feeds/${SECTION_FEED}/archive/1.atom`);
    expect(page1?.options.cacheControl).toMatch(/max-age=\d{5,}, immutable/);
    expect(publisher.objects.get(`feeds/${SECTION_FEED}.atom`)?.options.cacheControl).not.toMatch(/immutable/);
  });

  it('rewrites only its archive page when an archived article is corrected, and nothing when nothing changed', async () => {
    const again = await buildFeedsForArticles(deps, all.slice(0, 200).map((a) => a.id));
    expect(again.written).toEqual([]);

    const chain = await walk('rss');
    const archived = chain[5];
    const targetId = archived?.ids[3];
    const target = all.find((a) => tagUri(a.id) === targetId) as Article;
    articles.seed({ ...target, title: 'Ralat: berita politik yang dikoreksi', updatedAt: '2025-03-01T08:00:00.000Z', version: 2 });
    const corrected = await buildFeedsForArticles(deps, [target.id]);
    const page = archived?.url.match(/archive\/(\d+)\.rss$/)?.[1];
    const sectionWrites = corrected.written.filter((k) => k.startsWith(`feeds/${SECTION_FEED}`));
    expect(sectionWrites).toEqual(['atom', 'json', 'rss'].map((f) => `feeds/${SECTION_FEED}/archive/${page}.${f}`));
    // In "latest" too only one archive page changed, and no subscription document.
    const latestWrites = corrected.written.filter((k) => k.startsWith('feeds/latest'));
    expect(latestWrites).toHaveLength(3);
    expect(latestWrites.every((k) => /^feeds\/latest\/archive\/\d+\.(rss|atom|json)$/.test(k))).toBe(true);

    const after = await walk('rss');
    expect(idsOf(after)).toEqual(idsOf(chain));
  });

  it('removes a withdrawn archived article from its page only, and puts a late arrival into the page its date falls in', async () => {
    const chain = await walk('json');
    const page = chain[3] as WalkedDocument;
    const pageNumber = page.url.match(/archive\/(\d+)\.json$/)?.[1];
    // An entry whose publication instant no neighbour shares, so a late arrival at that instant sorts into this page.
    const byTagUri = new Map(all.map((a) => [tagUri(a.id), a]));
    const time = (i: number) => byTagUri.get(page.ids[i] as string)?.publishedAt;
    const index = page.ids.findIndex((_, i) => i > 0 && i < page.ids.length - 1 && time(i - 1) !== time(i) && time(i + 1) !== time(i));
    const targetId = page.ids[index] as string;
    const target = byTagUri.get(targetId) as Article;

    articles.seed({ ...target, status: 'withdrawn', updatedAt: '2025-03-01T08:00:00.000Z', version: 2 });
    const withdrawal = await buildFeedsForArticles(deps, [target.id]);
    expect(withdrawal.written.filter((k) => k.startsWith(`feeds/${SECTION_FEED}`))).toEqual(
      ['atom', 'json', 'rss'].map((f) => `feeds/${SECTION_FEED}/archive/${pageNumber}.${f}`),
    );
    const afterWithdrawal = idsOf(await walk('json'));
    expect(afterWithdrawal).not.toContain(targetId);
    expect(afterWithdrawal).toHaveLength(999);
    expect(new Set(afterWithdrawal).size).toBe(999);

    // An article arriving today with an old publication time lands in the page its time falls in.
    const late = makeArticle({ ...target, id: 'politik-terlambat', slug: 'politik-terlambat', status: 'published', version: 1 });
    articles.seed(late);
    const arrival = await buildFeedsForArticles(deps, [late.id]);
    expect(arrival.written.filter((k) => k.startsWith(`feeds/${SECTION_FEED}`))).toEqual(
      ['atom', 'json', 'rss'].map((f) => `feeds/${SECTION_FEED}/archive/${pageNumber}.${f}`),
    );
    const walked = await walk('atom');
    expect(walked.find((d) => d.url.endsWith(`archive/${pageNumber}.atom`))?.ids).toContain(tagUri('politik-terlambat'));
    expect(idsOf(walked)).toHaveLength(1000);
  });
});

describe('archive page stability', () => {
  it('gives the same pages whether a whole archive is imported at once or published one article at a time', async () => {
    const all = newsroom(120, 11);
    const a = setUp(10);
    a.articles.seed(...all);
    await buildInBatches(a.deps, all.map((x) => x.id), 120);
    const b = setUp(10);
    b.articles.seed(...all);
    // Oldest first, one article per build: the way a newsroom publishes.
    const byDate = [...all].sort((x, y) => (`${x.publishedAt}#${x.id}` < `${y.publishedAt}#${y.id}` ? -1 : 1));
    await buildInBatches(b.deps, byDate.map((x) => x.id), 1);
    const pageKeys = (p: InMemoryObjectPublisher) => [...p.objects.keys()].filter((k) => k.includes('/archive/')).sort();
    expect(pageKeys(a.publisher).length).toBeGreaterThan(20);
    expect(pageKeys(b.publisher)).toEqual(pageKeys(a.publisher));
    for (const key of pageKeys(a.publisher)) expect(b.publisher.text(key), key).toBe(a.publisher.text(key));
  });
});


describe('archive pages and the feeds linking them pass the W3C checker', () => {
  it.skipIf(checkerMissing !== undefined)(`every RSS and Atom document has 0 errors and 0 warnings${checkerMissing ? ` (skipped: ${checkerMissing})` : ''}`, async () => {
    const { articles, deps, publisher } = setUp(4);
    const list = Array.from({ length: 23 }, (_, i) => {
      const at = new Date(Date.UTC(2024, 1, 1) + i * 3_600_000);
      return makeArticle({
        id: `arsip-${i}`,
        slug: `arsip-${i}`,
        title: `Berita arsip nomor ${i} tentang “pemilu” & <anggaran>`,
        images: i % 2 === 0 ? [makeImage()] : [],
        authors: i % 3 === 0 ? [{ name: 'Rina Kartika', email: 'rina@jurnalpagi.example' }] : [{ name: 'Siti Zulikha' }, { name: 'Budi Santoso' }],
        publishedAt: at.toISOString(),
        updatedAt: new Date(at.getTime() + 60_000).toISOString(),
      });
    });
    articles.seed(...list);
    await buildFeedsForArticles(deps, list.map((a) => a.id));
    const dir = mkdtempSync(join(tmpdir(), 'warta-archive-'));
    const keys = (await publisher.list('feeds/')).filter((k) => !k.endsWith('.json'));
    expect(keys.filter((k) => k.includes('/archive/')).length).toBeGreaterThanOrEqual(2 * 4);
    const pairs = keys.map((key) => {
      const file = join(dir, key.replace(/\//g, '_'));
      writeFileSync(file, publisher.text(key) ?? '');
      return `${file}=${site.feedsBaseUrl}/${key}`;
    });
    const run = spawnSync('/usr/bin/python3', [CHECKER, ...pairs], { encoding: 'utf8' });
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(keys.length);
    expect(lines.filter((line) => !line.endsWith(': 0 errors, 0 warnings'))).toEqual([]);
  }, 60_000);
});
