import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartnerSchema } from '../../../shared/partners/partner.js';
import { updateRelated } from '../../../shared/related/update-related.js';
import { feedBuildDependencies } from '../../../shared/runtime/dependencies.js';
import { buildFeedsForArticles, type BuildFeedsDeps } from '../../../shared/usecases/build-feeds.js';
import { ingestArticle, withdrawArticle } from '../../../shared/usecases/ingest-article.js';
import { jsonArticle, startTestStack, type TestStack } from '../../support/local-stack.js';
import { FEED_CHECKER as CHECKER, feedCheckerMissing as checkerMissing } from '../../support/feed-checker.js';

/**
 * Scheduled stories (docs/feeds.md, "Scheduled stories"): with a clock the test moves, an article
 * published for T is in no object of the bucket at T−1 s (feeds, archive pages, sitemaps, related
 * lists and stories, partner feeds and ninjs), and in every one of them after its release build.
 */

const T = '2024-02-07T12:00:00.000Z';
const at = (iso: string, deltaMs: number) => new Date(Date.parse(iso) + deltaMs).toISOString();
const rss = new Parser();

describe('an embargoed article on dynalite and s3rver', () => {
  let t: TestStack;
  let build: BuildFeedsDeps;

  beforeAll(async () => {
    // A small item limit, so older entries move into sealed (immutable) archive pages during the test.
    t = await startTestStack({ feedItemLimit: 3 });
    t.clock.set(at(T, -3_600_000));
    await t.deps.partners.put(PartnerSchema.parse({ id: 'kabar', name: 'Kabar', sections: ['Nusantara'], fullText: true }));
    build = feedBuildDependencies(t.deps);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  /** Ingests an article as the CMS sends it, one second of the test's clock after the last. */
  const ingest = async (fields: Record<string, unknown>) => {
    t.clock.advance(1_000);
    const outcome = await ingestArticle({ articles: t.deps.articles, clock: t.clock, site: t.deps.config.site }, jsonArticle(fields));
    expect(outcome.status).not.toBe('refused');
  };
  /** What the stream runs for changed articles (and a release runs for a released one): related lists first, then feeds. */
  const runBuild = async (ids: string[]) => {
    await updateRelated({ articles: t.deps.articles, store: t.deps.related, publisher: t.deps.publisher, site: t.deps.config.site, clock: t.clock }, ids);
    return buildFeedsForArticles(build, ids);
  };
  /** Every object key in the bucket whose body mentions `needle`. */
  const objectsMentioning = async (needle: string) => {
    const found: string[] = [];
    for (const key of await t.deps.publisher.list('')) {
      if (key.includes(needle) || (await t.readObject(key))?.body.includes(needle)) found.push(key);
    }
    return found.sort();
  };
  /** Article ids of an RSS file's items, newest first (article URLs are /berita/<id>/<slug>). */
  const rssIds = async (key: string) =>
    ((await rss.parseString((await t.readObject(key))?.body ?? '')).items ?? []).map((i) => /\/berita\/([^/]+)/.exec(i.link ?? '')?.[1]);

  const flood = (n: number, publishedAt: string) => ({
    id: `banjir-rob-${n}`,
    title: `Banjir rob rendam pesisir utara Jakarta hari ke-${n}`,
    bodyHtml: `<p>Banjir rob kembali merendam kawasan pesisir utara Jakarta, hari ke-${n}. Warga Muara Angke mengungsi.</p><p>BPBD DKI Jakarta menyiagakan pompa.</p>`,
    publishedAt,
  });

  it('is in no output before its time, not even counted in item limits or sealed into an archive page', async () => {
    const older = Array.from({ length: 7 }, (_, i) => flood(i + 1, at(T, -(8 - i) * 3_600_000)));
    for (const fields of older) await ingest(fields);
    await ingest({ ...flood(9, T), id: 'embargo-banjir' });
    await runBuild([...older.map((o) => o.id), 'embargo-banjir']);

    const stored = await t.deps.articles.get('embargo-banjir');
    expect(stored?.publishedAt).toBe(T);
    expect(await objectsMentioning('embargo-banjir')).toEqual([]);
    // The three newest public articles fill the latest feed: the embargoed one takes no place in it.
    expect((await rssIds('feeds/latest.rss'))[0]).toBe('banjir-rob-7');

    // One second before T another change is built: the embargoed article stays out.
    t.clock.set(at(T, -2_000));
    await ingest(flood(8, at(T, -30_000)));
    await runBuild(['banjir-rob-8']);
    expect(await objectsMentioning('embargo-banjir')).toEqual([]);
  }, 120_000);

  it('is in every output once its release build ran after T', async () => {
    t.clock.set(at(T, 1_000));
    const result = await runBuild(['embargo-banjir']);
    const keys = await objectsMentioning('embargo-banjir');
    for (const format of ['rss', 'atom', 'json']) {
      for (const feed of ['latest', 'section/nusantara', 'tag/banjir', 'tag/jakarta', 'author/rina-kartika']) {
        expect(keys).toContain(`feeds/${feed}.${format}`);
      }
      expect(keys).toContain(`partners/kabar/feed.${format}`);
    }
    expect(keys).toEqual(
      expect.arrayContaining(['sitemaps/news.xml', 'sitemaps/articles-2024-02.xml', 'related/embargo-banjir.json', 'partners/kabar/ninjs/embargo-banjir.json', 'partners/kabar/index.json']),
    );
    // Related to the other flood reports: it is in their related lists and in their story's feed.
    expect(keys.filter((k) => /^related\/banjir-rob-\d+\.json$/.test(k)).length).toBeGreaterThan(0);
    expect(keys.filter((k) => /^stories\/[^/]+\.json$|^feeds\/story\/[^/]+\.rss$/.test(k)).length).toBe(2);
    expect((await rssIds('feeds/latest.rss'))[0]).toBe('embargo-banjir');
    expect(result.written).toContain('feeds/latest.rss');
  }, 120_000);

  it('moved later, it waits for the new time; moved earlier, it appears at that time', async () => {
    const T2 = at(T, 3_600_000);
    t.clock.set(at(T, 2_000));
    await ingest({ ...flood(50, T2), id: 'embargo-pindah', title: 'Pemprov DKI tetapkan status darurat banjir rob' });
    await runBuild(['embargo-pindah']);
    // Moved one hour later: nothing at T2 + 1 s.
    await ingest({ ...flood(50, at(T2, 3_600_000)), id: 'embargo-pindah', title: 'Pemprov DKI tetapkan status darurat banjir rob' });
    await runBuild(['embargo-pindah']);
    t.clock.set(at(T2, 1_000));
    await runBuild(['embargo-pindah']);
    expect(await objectsMentioning('embargo-pindah')).toEqual([]);
    // Moved earlier than now (into the past): the build of that change publishes it at once.
    await ingest({ ...flood(50, at(T2, -60_000)), id: 'embargo-pindah', title: 'Pemprov DKI tetapkan status darurat banjir rob' });
    await runBuild(['embargo-pindah']);
    expect(await objectsMentioning('embargo-pindah')).toEqual(expect.arrayContaining(['feeds/latest.rss', 'sitemaps/news.xml', 'related/embargo-pindah.json']));
  }, 120_000);

  it('withdrawn before its time, it never appears', async () => {
    const T3 = at(T, 4 * 3_600_000);
    await ingest({ ...flood(60, T3), id: 'embargo-batal', title: 'Rencana relokasi warga Muara Angke diumumkan' });
    await runBuild(['embargo-batal']);
    t.clock.set(at(T3, -600_000));
    const withdrawn = await withdrawArticle({ articles: t.deps.articles, clock: t.clock, site: t.deps.config.site }, 'embargo-batal');
    expect(withdrawn.status).toBe('withdrawn');
    await runBuild(['embargo-batal']);
    t.clock.set(at(T3, 60_000));
    await runBuild(['embargo-batal']);
    expect(await objectsMentioning('embargo-batal')).toEqual([]);
  }, 120_000);


  it.skipIf(checkerMissing !== undefined)(`leaves every RSS and Atom file (archive pages, stories, partner feeds) with 0 errors and 0 warnings${checkerMissing ? ` (skipped: ${checkerMissing})` : ''}`, async () => {
    const keys = (await t.deps.publisher.list('')).filter((k) => /\.(rss|atom)$/.test(k));
    expect(keys.some((k) => k.includes('/archive/'))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'warta-embargo-'));
    const pairs = await Promise.all(
      keys.map(async (key) => {
        const file = join(dir, key.replace(/\//g, '_'));
        writeFileSync(file, (await t.readObject(key))?.body ?? '');
        return `${file}=${t.deps.config.site.feedsBaseUrl}/${key}`;
      }),
    );
    const run = spawnSync('/usr/bin/python3', [CHECKER, ...pairs], { encoding: 'utf8' });
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(keys.length);
    expect(lines.filter((line) => !line.endsWith(': 0 errors, 0 warnings'))).toEqual([]);
  }, 120_000);
});
