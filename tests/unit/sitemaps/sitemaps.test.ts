import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'htmlparser2';
import { findAll, textContent } from 'domutils';
import { describe, expect, it } from 'vitest';
import { SiteConfigSchema } from '../../../shared/config/load-config.js';
import type { Article } from '../../../shared/model/article.js';
import { InMemorySitemapStore, refreshNewsSitemap, updateSitemaps, type SitemapDeps } from '../../../shared/sitemaps/build-sitemaps.js';
import { InMemoryArticleRepository, InMemoryFeedArchive, InMemoryFeedRevisions, InMemoryObjectPublisher } from '../../../shared/storage/in-memory-adapters.js';
import { buildFeedsForArticles, type BuildFeedsDeps } from '../../../shared/usecases/build-feeds.js';
import { makeArticle } from '../../fixtures/articles.js';

const site = SiteConfigSchema.parse({
  siteUrl: 'https://jurnalpagi.example',
  siteTitle: 'JurnalPagi',
  siteDescription: 'Berita terkini dari JurnalPagi',
  feedsBaseUrl: 'https://feeds.jurnalpagi.example',
});
const SCHEMAS = fileURLToPath(new URL('../../fixtures/sitemaps/', import.meta.url));
const xmllintMissing = spawnSync('xmllint', ['--version'], { stdio: 'ignore' }).status !== 0;
const HOUR = 3_600_000;

class MovableClock {
  constructor(public at: Date) {}
  now() {
    return new Date(this.at);
  }
}

function setUp(now: string) {
  const clock = new MovableClock(new Date(now));
  const articles = new InMemoryArticleRepository();
  const publisher = new InMemoryObjectPublisher();
  const store = new InMemorySitemapStore();
  const deps: BuildFeedsDeps = {
    articles,
    publisher,
    site,
    clock,
    archives: new InMemoryFeedArchive(articles),
    sitemaps: { store, clock },
    revisions: new InMemoryFeedRevisions(),
  };
  const sitemapDeps: SitemapDeps = { store, clock, publisher, site };
  return { clock, articles, publisher, deps, sitemapDeps };
}

/** An article published `hoursAgo` before `now`, updated `updatedHoursLater` after that. */
function article(id: string, now: string, hoursAgo: number, updatedHoursLater = 0, fields: Partial<Article> = {}): Article {
  const published = new Date(new Date(now).getTime() - hoursAgo * HOUR);
  return makeArticle({
    id,
    slug: id,
    url: `${site.siteUrl}/berita/${id}`,
    title: `Berita ${id} & “kutipan” <penting>`,
    tags: [],
    authors: [],
    publishedAt: published.toISOString(),
    updatedAt: new Date(published.getTime() + updatedHoursLater * HOUR).toISOString(),
    ...fields,
  });
}

function urls(xml: string): { loc: string; lastmod?: string; publicationDate?: string; title?: string; name?: string; language?: string }[] {
  const dom = parseDocument(xml, { xmlMode: true });
  return findAll((e) => e.name === 'url' || e.name === 'sitemap', dom.children).map((url) => {
    const child = (name: string) => {
      const found = findAll((e) => e.name === name, url.children)[0];
      return found ? textContent(found) : undefined;
    };
    const entry: ReturnType<typeof urls>[number] = { loc: child('loc') ?? '' };
    for (const [key, name] of [['lastmod', 'lastmod'], ['publicationDate', 'news:publication_date'], ['title', 'news:title'], ['name', 'news:name'], ['language', 'news:language']] as const) {
      const value = child(name);
      if (value !== undefined) entry[key] = value;
    }
    return entry;
  });
}

function xmllint(xml: string, schema: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'warta-sitemap-'));
  const file = join(dir, 'sitemap.xml');
  writeFileSync(file, xml);
  const run = spawnSync('xmllint', ['--noout', '--schema', join(SCHEMAS, schema), file], { encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

const NOW = '2024-03-01T06:00:00.000Z';

describe('sitemaps built with the feeds', () => {
  it('lists articles of the last 48 hours in news.xml with their original publication time, and every article by month', async () => {
    const { articles, publisher, deps } = setUp(NOW);
    const list = [
      article('baru-sejam', NOW, 1),
      article('kemarin-dikoreksi', NOW, 30, 29), // corrected an hour ago: still published 30 hours ago
      article('lewat-dua-hari', NOW, 49),
      article('bulan-lalu', NOW, 24 * 20),
      article('dua-bulan-lalu', NOW, 24 * 45, 24),
      article('dijadwalkan', NOW, -3), // scheduled for three hours from now
    ];
    articles.seed(...list);
    await buildFeedsForArticles(deps, list.map((a) => a.id));

    const news = urls(publisher.text('sitemaps/news.xml') ?? '');
    expect(news.map((u) => u.loc)).toEqual([`${site.siteUrl}/berita/baru-sejam`, `${site.siteUrl}/berita/kemarin-dikoreksi`]);
    expect(news[1]).toMatchObject({ publicationDate: '2024-02-29T00:00:00.000Z', name: 'JurnalPagi', language: 'id', title: 'Berita kemarin-dikoreksi & “kutipan” <penting>' });

    const march = urls(publisher.text('sitemaps/articles-2024-03.xml') ?? '');
    const february = urls(publisher.text('sitemaps/articles-2024-02.xml') ?? '');
    const january = urls(publisher.text('sitemaps/articles-2024-01.xml') ?? '');
    expect(march.map((u) => u.loc)).toEqual([`${site.siteUrl}/berita/baru-sejam`]);
    expect(february.map((u) => u.loc.split('/').pop())).toEqual(['bulan-lalu', 'lewat-dua-hari', 'kemarin-dikoreksi']);
    expect(january).toEqual([{ loc: `${site.siteUrl}/berita/dua-bulan-lalu`, lastmod: '2024-01-17T06:00:00.000Z' }]);
    expect(february.find((u) => u.loc.endsWith('kemarin-dikoreksi'))?.lastmod).toBe('2024-03-01T05:00:00.000Z');
    expect(publisher.objects.get('sitemaps/news.xml')?.options.contentType).toBe('application/xml; charset=utf-8');

    const index = urls(publisher.text('sitemaps/index.xml') ?? '');
    expect(index.map((u) => u.loc)).toEqual(
      ['news.xml', 'articles-2024-01.xml', 'articles-2024-02.xml', 'articles-2024-03.xml'].map((f) => `${site.feedsBaseUrl}/sitemaps/${f}`),
    );
    expect(index[2]?.lastmod).toBe('2024-03-01T05:00:00.000Z');
  });

  it.skipIf(xmllintMissing)('validates against the sitemap 0.9, sitemap index and Google News XSDs (xmllint --schema)', async () => {
    const { articles, publisher, deps } = setUp(NOW);
    const list = Array.from({ length: 30 }, (_, i) => article(`valid-${i}`, NOW, i * 7, i % 3, { language: i % 2 === 0 ? 'id' : 'en-US' }));
    articles.seed(...list);
    await buildFeedsForArticles(deps, list.map((a) => a.id));
    const keys = await publisher.list('sitemaps/');
    expect(keys).toContain('sitemaps/news.xml');
    for (const key of keys) {
      const schema = key === 'sitemaps/index.xml' ? 'siteindex.xsd' : key.includes('news') ? 'sitemap-with-news.xsd' : 'sitemap.xsd';
      const result = xmllint(publisher.text(key) ?? '', schema);
      expect(result.ok, `${key}: ${result.output}`).toBe(true);
    }
    // The validation is real: a News entry without its title is refused.
    const broken = (publisher.text('sitemaps/news.xml') ?? '').replace(/<news:title>[^<]*<\/news:title>/, '');
    expect(xmllint(broken, 'sitemap-with-news.xsd').ok).toBe(false);
  });

  it('rewrites only the files a change touches, and nothing when nothing changed', async () => {
    const { articles, publisher, deps } = setUp(NOW);
    const list = [article('lama-januari', NOW, 24 * 45), article('lama-februari', NOW, 24 * 10), article('baru', NOW, 2)];
    articles.seed(...list);
    await buildFeedsForArticles(deps, list.map((a) => a.id));
    const before = new Map([...publisher.objects].filter(([k]) => k.startsWith('sitemaps/')).map(([k, o]) => [k, o.body]));

    const again = await buildFeedsForArticles(deps, list.map((a) => a.id));
    expect(again.written.filter((k) => k.startsWith('sitemaps/'))).toEqual([]);
    for (const [key, body] of before) expect(publisher.objects.get(key)?.body).toBe(body);

    // A correction of the January article: its month and the index (newer lastmod), not news or February.
    const january = list[0] as Article;
    articles.seed({ ...january, title: 'Judul dikoreksi', updatedAt: '2024-03-01T05:30:00.000Z', version: 2 });
    const corrected = await buildFeedsForArticles(deps, [january.id]);
    expect(corrected.written.filter((k) => k.startsWith('sitemaps/')).sort()).toEqual(['sitemaps/articles-2024-01.xml', 'sitemaps/index.xml']);

    // Withdrawing the recent article takes it out of its month and of the news sitemap, which is then empty and removed.
    const recent = list[2] as Article;
    articles.seed({ ...recent, status: 'withdrawn', updatedAt: '2024-03-01T05:45:00.000Z', version: 2 });
    const withdrawn = await buildFeedsForArticles(deps, [recent.id]);
    expect(withdrawn.deleted).toEqual(expect.arrayContaining(['sitemaps/news.xml']));
    expect(publisher.text('sitemaps/articles-2024-02.xml')).not.toContain('/berita/baru');
    expect(publisher.text('sitemaps/news.xml')).toBeUndefined();
    expect(urls(publisher.text('sitemaps/index.xml') ?? '').map((u) => u.loc)).not.toContain(`${site.feedsBaseUrl}/sitemaps/news.xml`);
  });

  it('drops articles older than 48 hours from news.xml on the scheduled refresh, with nothing published', async () => {
    const { clock, articles, publisher, deps, sitemapDeps } = setUp(NOW);
    const list = [article('pagi', NOW, 10), article('semalam', NOW, 40)];
    articles.seed(...list);
    await buildFeedsForArticles(deps, list.map((a) => a.id));
    expect(urls(publisher.text('sitemaps/news.xml') ?? '')).toHaveLength(2);

    expect((await refreshNewsSitemap(sitemapDeps)).written).toEqual([]);
    clock.at = new Date(new Date(NOW).getTime() + 9 * HOUR); // "semalam" is now 49 hours old
    const refresh = await refreshNewsSitemap(sitemapDeps);
    // The index keeps its bytes: the news sitemap's newest update ("pagi") did not change.
    expect(refresh.written).toEqual(['sitemaps/news.xml']);
    expect(urls(publisher.text('sitemaps/news.xml') ?? '').map((u) => u.loc)).toEqual([`${site.siteUrl}/berita/pagi`]);
    clock.at = new Date(new Date(NOW).getTime() + 39 * HOUR);
    await refreshNewsSitemap(sitemapDeps);
    expect(publisher.text('sitemaps/news.xml')).toBeUndefined();
    expect(publisher.text('sitemaps/articles-2024-02.xml')).toContain('/berita/semalam');
  });
});

describe('sitemap file limits', () => {
  it('splits news at 1,000 URLs and a month at 50,000, and the index lists every file', async () => {
    const { sitemapDeps, publisher } = setUp(NOW);
    const base = article('dasar', NOW, 1);
    const recent = Array.from({ length: 1_200 }, (_, i) => ({
      ...base,
      id: `baru-${i}`,
      url: `${site.siteUrl}/berita/baru-${i}`,
      publishedAt: new Date(new Date(NOW).getTime() - (i + 1) * 60_000).toISOString(),
    }));
    const january = Array.from({ length: 50_001 }, (_, i) => ({
      ...base,
      id: `januari-${i}`,
      url: `${site.siteUrl}/berita/januari-${i}`,
      publishedAt: new Date(Date.UTC(2024, 0, 1) + i * 50_000).toISOString(),
    }));
    await updateSitemaps(sitemapDeps, [...recent, ...january], []);
    expect(urls(publisher.text('sitemaps/news.xml') ?? '')).toHaveLength(1_000);
    expect(urls(publisher.text('sitemaps/news-2.xml') ?? '')).toHaveLength(200);
    expect(urls(publisher.text('sitemaps/articles-2024-01.xml') ?? '')).toHaveLength(50_000);
    expect(urls(publisher.text('sitemaps/articles-2024-01-2.xml') ?? '').map((u) => u.loc)).toEqual([`${site.siteUrl}/berita/januari-50000`]);
    expect(urls(publisher.text('sitemaps/index.xml') ?? '').map((u) => u.loc.replace(`${site.feedsBaseUrl}/sitemaps/`, ''))).toEqual([
      'news.xml',
      'news-2.xml',
      'articles-2024-01.xml',
      'articles-2024-01-2.xml',
      'articles-2024-02.xml',
      'articles-2024-03.xml',
    ]);
  }, 60_000);
});

