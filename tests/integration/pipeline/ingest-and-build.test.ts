import { readFile } from 'node:fs/promises';
import Parser from 'rss-parser';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildFeedsForArticles } from '../../../shared/usecases/build-feeds.js';
import { ingestArticle, withdrawArticle } from '../../../shared/usecases/ingest-article.js';
import { jsonArticle, startTestStack, type TestStack } from '../../support/local-stack.js';

const SAMPLE = new URL('../../../examples/articles/000_1274e15701f62eef.txt', import.meta.url);
const parser = new Parser();

describe('ingest → DynamoDB → feeds in S3 (dynalite + s3rver)', () => {
  let t: TestStack;
  const ingest = (input: Parameters<typeof ingestArticle>[1]) =>
    ingestArticle({ articles: t.deps.articles, clock: t.clock, site: t.deps.config.site }, input);
  const build = (ids: string[]) => buildFeedsForArticles(t.buildDeps, ids);
  const rssItems = async (path: string) => {
    const object = await t.readObject(`feeds/${path}.rss`);
    if (!object) return undefined;
    return (await parser.parseString(object.body)).items;
  };

  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    t.clock.set('2024-02-07T05:00:00Z');
  });

  it('stores the sample article and says the ingest time stood in for the missing publication time', async () => {
    const body = await readFile(SAMPLE);
    const outcome = await ingest({ body, filename: '000_1274e15701f62eef.txt' });
    expect(outcome.status).toBe('created');
    if (outcome.status === 'refused') return;
    expect(outcome.notes.join(' ')).toMatch(/publishedAt: not given; the ingest time 2024-02-07T05:00:00.000Z was used/);

    const stored = await t.deps.articles.get('000_1274e15701f62eef');
    expect(stored).toMatchObject({
      version: 1,
      status: 'published',
      editor: 'Siti Zulikha',
      dateline: { place: 'Jakarta', source: 'JurnalPagi' },
      publishedAt: '2024-02-07T05:00:00.000Z',
      language: 'id',
    });
    expect(stored?.relatedHeadlines).toHaveLength(3);
    expect(stored?.bodyText).not.toMatch(/Tinggalkan Balasan|Alamat email|Redaktur/);
  });

  it('builds latest, section, tag and author feeds in all three formats with the right headers', async () => {
    const outcome = await ingest(jsonArticle({ id: 'banjir-rob-jakarta' }));
    expect(outcome.status).toBe('created');
    const result = await build(['banjir-rob-jakarta']);
    expect(result.feeds).toEqual(['author/rina-kartika', 'latest', 'section/nusantara', 'tag/banjir', 'tag/jakarta']);

    const rss = await t.readObject('feeds/section/nusantara.rss');
    expect(rss?.contentType).toBe('application/rss+xml; charset=utf-8');
    expect(rss?.cacheControl).toMatch(/^public, max-age=300/);
    expect((await t.readObject('feeds/tag/banjir.atom'))?.contentType).toBe('application/atom+xml; charset=utf-8');
    expect((await t.readObject('feeds/author/rina-kartika.json'))?.contentType).toBe('application/feed+json; charset=utf-8');

    const items = await rssItems('tag/banjir');
    expect(items?.map((i) => i.title)).toEqual(['Banjir rob rendam pesisir utara Jakarta']);
    expect(items?.[0]?.pubDate).toBe('Tue, 06 Feb 2024 18:00:00 GMT');

    // The same build files the article in the sitemaps (entries and summaries in the table).
    const news = await t.readObject('sitemaps/news.xml');
    expect(news?.contentType).toBe('application/xml; charset=utf-8');
    expect(news?.body).toContain('<news:publication_date>2024-02-06T18:00:00.000Z</news:publication_date>');
    expect((await t.readObject('sitemaps/articles-2024-02.xml'))?.body).toMatch(/<loc>https:\/\/jurnalpagi\.example\/[^<]*banjir[^<]*<\/loc>/);
    expect((await t.readObject('sitemaps/index.xml'))?.body).toContain('<loc>https://feeds.jurnalpagi.example/sitemaps/articles-2024-02.xml</loc>');
  });

  it('changes nothing when identical content arrives again: no new version, no object rewritten', async () => {
    const again = await ingest(jsonArticle({ id: 'banjir-rob-jakarta' }));
    expect(again.status).toBe('unchanged');
    if (again.status === 'refused') return;
    expect(again.article.version).toBe(1);
    const rebuild = await build(['banjir-rob-jakarta']);
    expect(rebuild.written).toEqual([]);
    expect(rebuild.unchanged.length).toBe(rebuild.feeds.length * 3);
  });

  it('bumps the version and updatedAt on an update, keeping the entry id stable', async () => {
    const before = await rssItems('latest');
    const guidBefore = before?.find((i) => i.title?.startsWith('Banjir rob'))?.guid;
    t.clock.set('2024-02-07T06:00:00Z');
    const updated = await ingest(
      jsonArticle({ id: 'banjir-rob-jakarta', title: 'Banjir rob rendam 12 RT di pesisir utara Jakarta', updatedAt: '2024-02-07T12:30:00+07:00' }),
    );
    expect(updated.status).toBe('updated');
    if (updated.status === 'refused') return;
    expect(updated.article.version).toBe(2);
    expect(updated.article.updatedAt).toBe('2024-02-07T05:30:00.000Z');
    await build(['banjir-rob-jakarta']);
    const after = await rssItems('latest');
    const entry = after?.find((i) => i.title === 'Banjir rob rendam 12 RT di pesisir utara Jakarta');
    expect(entry?.guid).toBe(guidBefore);
  });

  it('refuses an older version arriving after a newer one, with the reason, and keeps the newer', async () => {
    const stale = await ingest(
      jsonArticle({ id: 'banjir-rob-jakarta', title: 'Judul lama', updatedAt: '2024-02-07T09:00:00+07:00' }),
    );
    expect(stale.status).toBe('refused');
    if (stale.status !== 'refused') return;
    expect(stale.problems[0]?.field).toBe('updatedAt');
    expect(stale.problems[0]?.message).toMatch(/older than the stored version 2/);
    expect((await t.deps.articles.get('banjir-rob-jakarta'))?.title).toBe('Banjir rob rendam 12 RT di pesisir utara Jakarta');
  });

  it('refuses bad input naming every field and stores nothing', async () => {
    const bad = await ingest({
      body: JSON.stringify({ id: 'bad-one', title: '', bodyHtml: '', publishedAt: 'kemarin sore', tags: ['ok', 7] }),
      contentType: 'application/json',
    });
    expect(bad.status).toBe('refused');
    if (bad.status !== 'refused') return;
    const fields = bad.problems.map((p) => p.field).sort();
    expect(fields).toEqual(['bodyHtml', 'publishedAt', 'tags.1', 'title']);
    expect(bad.problems.find((p) => p.field === 'publishedAt')?.message).toMatch(/ISO 8601/);
    expect(await t.deps.articles.get('bad-one')).toBeUndefined();

    const invalidUtf8 = await ingest({ body: Uint8Array.from([0x4a, 0x61, 0xff, 0xfe, 0x0a]), filename: 'broken.txt' });
    expect(invalidUtf8).toMatchObject({ status: 'refused', problems: [{ field: 'body', message: expect.stringMatching(/UTF-8/) }] });

    const huge = await ingest(jsonArticle({ id: 'too-big', bodyHtml: `<p>${'kata '.repeat(60_000)}</p>` }));
    expect(huge).toMatchObject({ status: 'refused', problems: [{ field: 'bodyHtml', message: expect.stringMatching(/limit is 180000/) }] });
    expect(await t.deps.articles.get('too-big')).toBeUndefined();
  });

  it('withdrawing an article removes it from every feed it was in', async () => {
    const withdrawn = await withdrawArticle({ articles: t.deps.articles, clock: t.clock, site: t.deps.config.site }, 'banjir-rob-jakarta');
    expect(withdrawn.status).toBe('withdrawn');
    const result = await build(['banjir-rob-jakarta']);
    expect(result.feeds).toEqual(['author/rina-kartika', 'latest', 'section/nusantara', 'tag/banjir', 'tag/jakarta']);
    for (const path of result.feeds) {
      const titles = (await rssItems(path))?.map((i) => i.title) ?? [];
      expect(titles.some((title) => title?.startsWith('Banjir rob'))).toBe(false);
    }
    expect((await t.deps.articles.get('banjir-rob-jakarta'))?.status).toBe('withdrawn');
    const twice = await withdrawArticle({ articles: t.deps.articles, clock: t.clock, site: t.deps.config.site }, 'banjir-rob-jakarta');
    expect(twice.status).toBe('unchanged');
  });
});

describe('feed listings at scale of a newsroom day', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack({ feedItemLimit: 3 });
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps the newest entries newest first, archives older ones, moves an entry when its publication time changes, and rebuilds byte-identically', async () => {
    // The day after the other tests: these articles are public (published before now) when built.
    t.clock.set('2024-02-08T12:00:00Z');
    const deps = { articles: t.deps.articles, clock: t.clock, site: t.deps.config.site };
    const ids: string[] = [];
    for (let hour = 1; hour <= 9; hour++) {
      const id = `berita-jam-${hour}`;
      ids.push(id);
      const outcome = await ingestArticle(
        deps,
        jsonArticle({ id, title: `Berita pukul ${hour} pagi dari Medan`, section: 'Ekonomi', publishedAt: `2024-02-08T0${hour}:00:00Z` }),
      );
      expect(outcome.status).toBe('created');
    }
    await buildFeedsForArticles(t.buildDeps, ids);
    const titles = async () =>
      (await new Parser().parseString((await t.readObject('feeds/section/ekonomi.rss'))?.body ?? '')).items.map((i) => i.title);
    // A limit of 3 means archive pages of 3; nine entries are enough for the first two pages.
    expect(await titles()).toEqual(['Berita pukul 9 pagi dari Medan', 'Berita pukul 8 pagi dari Medan', 'Berita pukul 7 pagi dari Medan']);
    const archiveTitles = async (page: number) =>
      (await new Parser().parseString((await t.readObject(`feeds/section/ekonomi/archive/${page}.rss`))?.body ?? '')).items.map((i) => i.title);
    expect(await archiveTitles(1)).toEqual(['Berita pukul 3 pagi dari Medan', 'Berita pukul 2 pagi dari Medan', 'Berita pukul 1 pagi dari Medan']);
    expect(await archiveTitles(2)).toEqual(['Berita pukul 6 pagi dari Medan', 'Berita pukul 5 pagi dari Medan', 'Berita pukul 4 pagi dari Medan']);

    // Moved to 10:00, the first story leaves page 1 for the subscription document.
    await ingestArticle(deps, jsonArticle({ id: 'berita-jam-1', title: 'Berita pukul 1 pagi dari Medan', section: 'Ekonomi', publishedAt: '2024-02-08T10:00:00Z', updatedAt: '2024-02-08T10:00:00Z' }));
    await buildFeedsForArticles(t.buildDeps, ['berita-jam-1']);
    expect(await titles()).toEqual(['Berita pukul 1 pagi dari Medan', 'Berita pukul 9 pagi dari Medan', 'Berita pukul 8 pagi dari Medan', 'Berita pukul 7 pagi dari Medan']);
    expect(await archiveTitles(1)).toEqual(['Berita pukul 3 pagi dari Medan', 'Berita pukul 2 pagi dari Medan']);

    const first = await t.readObject('feeds/section/ekonomi.atom');
    const rebuild = await buildFeedsForArticles(t.buildDeps, ids);
    expect(rebuild.written).toEqual([]);
    expect((await t.readObject('feeds/section/ekonomi.atom'))?.body).toBe(first?.body);
  }, 90_000);

  it('lets concurrent writers of one article settle on a single newest version', async () => {
    const deps = { articles: t.deps.articles, clock: t.clock, site: t.deps.config.site };
    await ingestArticle(deps, jsonArticle({ id: 'rebutan', title: 'Versi awal', updatedAt: '2024-02-08T01:00:00Z' }));
    const outcomes = await Promise.all(
      [2, 3, 4, 5].map((h) => ingestArticle(deps, jsonArticle({ id: 'rebutan', title: `Versi pukul ${h}`, updatedAt: `2024-02-08T0${h}:00:00Z` }))),
    );
    const stored = await t.deps.articles.get('rebutan');
    const accepted = outcomes.filter((o) => o.status === 'updated');
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(stored?.version).toBe(1 + accepted.length);
    // Whatever interleaving happened, the stored article is the newest one that was accepted, never an older one.
    expect(stored?.title).toBe('Versi pukul 5');
  });
});
