import { describe, expect, it } from 'vitest';
import { SiteConfigSchema } from '../../../shared/config/load-config.js';
import { articleTagUri } from '../../../shared/feeds/feed-ids.js';
import { toNinjs } from '../../../shared/partners/ninjs.js';
import type { Clock } from '../../../shared/ports.js';
import { InMemoryArticleRepository, InMemoryFeedArchive, InMemoryFeedRevisions, InMemoryObjectPublisher } from '../../../shared/storage/in-memory-adapters.js';
import { buildFeedsForArticles, type BuildFeedsDeps } from '../../../shared/usecases/build-feeds.js';
import { ingestArticle } from '../../../shared/usecases/ingest-article.js';
import { feedparserAvailable, parseAllWithFeedparser, parseWithRssParser } from './readers.js';

const site = SiteConfigSchema.parse({
  siteUrl: 'https://jurnalpagi.example',
  siteTitle: 'JurnalPagi',
  siteDescription: 'Berita terkini dari JurnalPagi',
  feedsBaseUrl: 'https://feeds.jurnalpagi.example',
});

const json = (fields: Record<string, unknown>) => ({
  body: JSON.stringify({
    title: 'Pemkot siapkan 14 pompa air',
    bodyHtml: '<p>Pemerintah kota menyiapkan pompa air tambahan untuk musim hujan.</p>',
    section: 'Nusantara',
    tags: ['Banjir'],
    authors: [{ name: 'Rina Kartika' }],
    ...fields,
  }),
  contentType: 'application/json',
});

/** Three articles, a build, then a correction of the middle one through ingest, as a CMS sends it. */
async function newsroomWithCorrection() {
  let now = new Date('2024-02-07T05:00:00Z');
  const clock: Clock = { now: () => new Date(now) };
  const articles = new InMemoryArticleRepository();
  const publisher = new InMemoryObjectPublisher();
  const deps: BuildFeedsDeps = {
    articles,
    publisher,
    site,
    clock,
    archives: new InMemoryFeedArchive(articles),
    revisions: new InMemoryFeedRevisions(),
  };
  const ingest = (fields: Record<string, unknown>) => ingestArticle({ articles, clock, site }, json(fields));
  for (const [id, hour] of [['pompa-pagi', '01'], ['pompa-siang', '02'], ['pompa-sore', '03']] as const) {
    expect((await ingest({ id, title: `Pompa air ${id}`, publishedAt: `2024-02-07T${hour}:00:00Z` })).status).toBe('created');
  }
  await buildFeedsForArticles(deps, ['pompa-pagi', 'pompa-siang', 'pompa-sore']);
  const before = { rss: publisher.text('feeds/latest.rss') ?? '', json: JSON.parse(publisher.text('feeds/latest.json') ?? '{}') as JsonFeedShape };

  now = new Date('2024-02-07T09:45:00Z');
  const corrected = await ingest({
    id: 'pompa-siang',
    title: 'Pemkot siapkan 40 pompa air',
    bodyHtml: '<p>Pemerintah kota menyiapkan 40 pompa air tambahan untuk musim hujan.</p>',
    correction: 'Judul dan isi sebelumnya menyebut 14 pompa; yang benar 40.',
  });
  await buildFeedsForArticles(deps, ['pompa-siang']);
  return { articles, publisher, before, corrected };
}

interface JsonFeedShape {
  items: { id: string; title: string; date_published: string; date_modified: string; content_html: string }[];
}

describe('a correction', () => {
  it('keeps the id, the publication time and the place in every feed, and carries the update time in all three formats', async () => {
    const { publisher, before, corrected } = await newsroomWithCorrection();
    expect(corrected.status).toBe('updated');
    const id = articleTagUri(site.siteUrl, 'pompa-siang');

    const jsonAfter = JSON.parse(publisher.text('feeds/latest.json') ?? '{}') as JsonFeedShape;
    expect(jsonAfter.items.map((i) => i.id)).toEqual(before.json.items.map((i) => i.id));
    const item = jsonAfter.items.find((i) => i.id === id);
    expect(item).toMatchObject({ title: 'Pemkot siapkan 40 pompa air', date_published: '2024-02-07T02:00:00.000Z', date_modified: '2024-02-07T09:45:00.000Z' });
    expect(item?.content_html).toMatch(/^<p class="warta-correction"><strong>Koreksi:<\/strong> Judul dan isi sebelumnya menyebut 14 pompa; yang benar 40\.<\/p>\n<p>Pemerintah kota menyiapkan 40/);

    const rss = await parseWithRssParser(publisher.text('feeds/latest.rss') ?? '');
    const rssBefore = await parseWithRssParser(before.rss);
    expect(rss.items.map((i) => i.guid)).toEqual(rssBefore.items.map((i) => i.guid));
    const rssItem = rss.items.find((i) => i.guid === id);
    expect(rssItem?.isoDate).toBe('2024-02-07T02:00:00.000Z');
    expect(rssItem?.['content:encoded']).toMatch(/^<p class="warta-correction"><strong>Koreksi:<\/strong>/);
    expect(publisher.text('feeds/latest.rss')).toContain('<atom:updated>2024-02-07T09:45:00.000Z</atom:updated>');
  });

  it.skipIf(!feedparserAvailable)('reads back with feedparser: RSS and Atom entries updated at the correction, published unchanged', async () => {
    const { publisher } = await newsroomWithCorrection();
    const [rss, atom] = parseAllWithFeedparser([publisher.text('feeds/section/nusantara.rss') ?? '', publisher.text('feeds/section/nusantara.atom') ?? '']);
    for (const parsed of [rss, atom]) {
      expect(parsed?.bozo).toBe(false);
      const entry = parsed?.entries.find((e) => e.id === articleTagUri(site.siteUrl, 'pompa-siang'));
      expect(entry).toMatchObject({ published: '2024-02-07T02:00:00.000Z', updated: '2024-02-07T09:45:00.000Z', title: 'Pemkot siapkan 40 pompa air' });
      expect(entry?.content[0]).toMatch(/^<p class="warta-correction">/);
    }
  });

  it('is kept in ninjs: a correction description and the note at the top of both bodies', async () => {
    const { articles } = await newsroomWithCorrection();
    const article = await articles.get('pompa-siang');
    if (!article) throw new Error('missing article');
    const doc = toNinjs(article, { fullText: true, includeImages: true, siteUrl: site.siteUrl });
    expect(doc.descriptions).toContainEqual({ role: 'correction', contenttype: 'text/plain', value: 'Koreksi: Judul dan isi sebelumnya menyebut 14 pompa; yang benar 40.' });
    expect(doc.bodies[0]?.value).toMatch(/^<p class="warta-correction"><strong>Koreksi:<\/strong>/);
    expect(doc.bodies[1]?.value).toMatch(/^Koreksi: Judul dan isi sebelumnya menyebut 14 pompa; yang benar 40\.\n\nPemerintah kota/);
    expect(doc.bodies[1]?.charcount).toBe([...(doc.bodies[1]?.value ?? '')].length);
    expect(doc.firstcreated).toBe('2024-02-07T02:00:00.000Z');
    expect(doc.versioncreated).toBe('2024-02-07T09:45:00.000Z');
  });
});
