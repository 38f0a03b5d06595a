import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { SiteConfigSchema, type SiteConfig } from '../../../shared/config/load-config.js';
import {
  InMemoryFeedDirectory,
  isPublicNow,
  feedNameIn,
  DISCOVERY_REVISION_KEY,
  type DirectoryRecord,
} from '../../../shared/discovery/build-discovery.js';
import {
  feedUrl,
  HEADLINE_COUNT,
  INDEX_CONTENT_TYPE,
  INDEX_KEY,
  OPML_CONTENT_TYPE,
  OPML_KEY,
  renderIndexHtml,
  renderOpml,
  type DiscoveryModel,
} from '../../../shared/discovery/render-discovery.js';
import { listingSortKey } from '../../../shared/feeds/feed-archive.js';
import { feedPathsForArticle, LATEST_FEED_PATH } from '../../../shared/feeds/feed-paths.js';
import type { Article } from '../../../shared/model/article.js';
import { InMemoryArticleRepository, InMemoryFeedRevisions, InMemoryObjectPublisher } from '../../../shared/storage/in-memory-adapters.js';
import { stripInvalidXmlChars } from '../../../shared/text/xml-chars.js';
import { buildFeedsForArticles, type BuildFeedsDeps } from '../../../shared/usecases/build-feeds.js';
import { makeArticle } from '../../fixtures/articles.js';
import { readIndex, readOpml } from './discovery-readers.js';

const site = SiteConfigSchema.parse({
  siteUrl: 'https://jurnalpagi.example',
  siteTitle: 'JurnalPagi',
  siteDescription: 'Berita terkini dari JurnalPagi',
  feedsBaseUrl: 'https://feeds.jurnalpagi.example',
});
const NOW = new Date('2024-02-07T12:00:00Z');

/** Text with every character that needs escaping somewhere, non-Latin scripts, emoji and XML-forbidden controls. */
const awkwardText = fc
  .array(
    fc.oneof(
      fc.constantFrom('&', '<', '>', '"', "'", '&amp;', '<b>', ']]>', '--', ' ', 'é', 'ß', 'Ω', 'жена', '日本語', 'العربية', 'ไทย', '😀', '\u0000', '\u001b', '\u200f'),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 4 }),
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(''))
  .filter((t) => stripInvalidXmlChars(t).trim() !== '');

const FEED_TYPES = ['application/rss+xml', 'application/atom+xml', 'application/feed+json'];

function model(feeds: DiscoveryModel['feeds'], headlines: DiscoveryModel['headlines'] = [], overrides: Partial<SiteConfig> = {}): DiscoveryModel {
  return { site: { ...site, ...overrides }, feeds, headlines };
}

describe('discovery page and OPML rendering', () => {
  test.prop([
    fc.uniqueArray(fc.record({ kind: fc.constantFrom('section', 'tag', 'author'), slug: fc.stringMatching(/^[a-z0-9]{1,8}$/), name: awkwardText }), {
      maxLength: 12,
      selector: (f) => `${f.kind}/${f.slug}`,
    }),
    fc.array(fc.record({ title: awkwardText, slug: fc.stringMatching(/^[a-z0-9-]{1,12}$/), section: awkwardText, lang: fc.constantFrom('id', 'en', 'ar') }), {
      maxLength: 6,
    }),
    awkwardText,
  ])('shows every name and title exactly as written and links every feed in three formats', (feedSpecs, headlineSpecs, siteTitle) => {
    const feeds = [{ path: LATEST_FEED_PATH, name: '' }, ...feedSpecs.map((f) => ({ path: `${f.kind}/${f.slug}`, name: f.name }))];
    const headlines = headlineSpecs.map((h, i) => ({
      title: h.title,
      url: `https://jurnalpagi.example/berita/${h.slug}?a=1&b="2"`,
      publishedAt: new Date(NOW.getTime() - i * 60_000).toISOString(),
      language: h.lang,
      section: h.section,
    }));
    const m = model(feeds, headlines, { siteTitle });
    const page = readIndex(renderIndexHtml(m));

    expect(page.lang).toBe('id');
    expect(page.headings[0]).toBe(stripInvalidXmlChars(siteTitle));
    expect(page.headlines.map((h) => h.text)).toEqual(headlines.map((h) => stripInvalidXmlChars(h.title)));
    expect(page.headlines.map((h) => h.href)).toEqual(headlines.map((h) => h.url));
    expect(page.headlines.map((h) => h.lang)).toEqual(headlines.map((h) => (h.language === 'id' ? undefined : h.language)));
    for (const kind of ['section', 'tag', 'author']) {
      const expected = feedSpecs.filter((f) => f.kind === kind).map((f) => stripInvalidXmlChars(f.name));
      expect([...(page.names[kind] ?? [])].sort()).toEqual(expected.sort());
    }
    const wanted = feeds.flatMap((f) => (['rss', 'atom', 'json'] as const).map((format) => feedUrl(site, f.path, format))).sort();
    expect(page.alternates.filter((a) => FEED_TYPES.includes(a.type)).map((a) => a.href).sort()).toEqual(wanted);
    expect(page.feedLinks.map((a) => a.href).sort()).toEqual(wanted);
    for (const link of [...page.alternates.filter((a) => FEED_TYPES.includes(a.type)), ...page.feedLinks]) {
      const format = link.href.slice(link.href.lastIndexOf('.') + 1);
      expect(link.type).toBe({ rss: 'application/rss+xml', atom: 'application/atom+xml', json: 'application/feed+json' }[format]);
    }

    const opml = readOpml(renderOpml(m));
    expect(opml.version).toBe('2.0');
    const subscriptions = opml.outlines.filter((o) => o.xmlUrl !== undefined);
    expect(subscriptions.map((o) => o.xmlUrl).sort()).toEqual(feeds.map((f) => feedUrl(site, f.path, 'rss')).sort());
    expect(subscriptions.every((o) => o.type === 'rss' && o.text === o.title)).toBe(true);
    for (const spec of feedSpecs) {
      const outline = subscriptions.find((o) => o.xmlUrl === feedUrl(site, `${spec.kind}/${spec.slug}`, 'rss'));
      expect(outline?.text.endsWith(` ${stripInvalidXmlChars(spec.name)}`)).toBe(true);
      expect(outline?.text.startsWith(stripInvalidXmlChars(siteTitle))).toBe(true);
    }
  });

  test.prop([fc.shuffledSubarray(['section/politik', 'section/ekonomi', 'tag/pemilu', 'tag/banjir', 'author/rina', 'latest'], { minLength: 1 })])(
    'renders the same bytes whatever order the feeds come in',
    (paths) => {
      const feeds = paths.map((path) => ({ path, name: path === 'latest' ? '' : path.split('/')[1] ?? '' }));
      const sorted = [...feeds].sort((a, b) => (a.path < b.path ? -1 : 1));
      expect(renderIndexHtml(model(feeds))).toBe(renderIndexHtml(model(sorted)));
      expect(renderOpml(model(feeds))).toBe(renderOpml(model(sorted)));
    },
  );

  it('is Indonesian by default and English for an English site, with the page language on <html>', () => {
    const feeds = [{ path: 'latest', name: '' }, { path: 'section/politik', name: 'Politik' }];
    const id = readIndex(renderIndexHtml(model(feeds)));
    expect(id.lang).toBe('id');
    expect(id.headings).toEqual(['JurnalPagi', 'Berita terbaru', 'Semua berita', 'Rubrik', 'Topik', 'Penulis', 'Untuk aplikasi pembaca feed']);
    expect(id.landmarks).toEqual(['header', 'nav', 'main', 'footer']);
    const en = readIndex(renderIndexHtml(model(feeds, [], { language: 'en-GB' })));
    expect(en.lang).toBe('en');
    expect(en.headings).toEqual(['JurnalPagi', 'Latest news', 'All news', 'Sections', 'Topics', 'Authors', 'For feed readers']);
    // A site in another language gets the Indonesian page, its own texts marked with their language.
    const html = renderIndexHtml(model(feeds, [], { language: 'ms' }));
    expect(readIndex(html).lang).toBe('id');
    expect(html).toContain('<h1 lang="ms">JurnalPagi</h1>');
    expect(readOpml(renderOpml(model(feeds, [], { language: 'en' }))).outlines.map((o) => o.text)).toEqual(['JurnalPagi: all news', 'Sections', 'JurnalPagi: section Politik']);
  });

  it('links the OPML from the head and the page', () => {
    const page = readIndex(renderIndexHtml(model([{ path: 'latest', name: '' }])));
    expect(page.alternates.filter((a) => a.type === 'text/x-opml').map((a) => a.href)).toEqual([`${site.feedsBaseUrl}/${OPML_KEY}`]);
  });
});

// ---------------------------------------------------------------------------------------------
// The directory kept by the builder, against a model computed from scratch.

function setUp(now = NOW) {
  const articles = new InMemoryArticleRepository();
  const publisher = new InMemoryObjectPublisher();
  const directory = new InMemoryFeedDirectory();
  const revisions = new InMemoryFeedRevisions();
  const clock = { now: () => new Date(now) };
  const deps: BuildFeedsDeps = { articles, publisher, site, revisions, clock, discovery: { directory, clock } };
  return { articles, publisher, directory, revisions, deps };
}

/** The directory as it should be: every feed with a public article, named as its newest public article spells it. */
function expectedDirectory(stored: readonly Article[], now: Date): DirectoryRecord[] {
  const newest = new Map<string, DirectoryRecord>();
  for (const article of stored.filter((a) => isPublicNow(a, now))) {
    for (const path of feedPathsForArticle(article)) {
      const key = listingSortKey(article);
      const current = newest.get(path);
      if (!current || key > current.newest) newest.set(path, { path, name: feedNameIn(path, article) ?? '', newest: key });
    }
  }
  return [...newest.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}

const text = (stored: { body: string | Uint8Array } | undefined) => (stored === undefined ? undefined : Buffer.from(stored.body).toString('utf8'));

describe('discovery files kept by the feed builder', () => {
  const ids = ['a1', 'a2', 'a3', 'a4', 'a5'];
  const operation = fc.record({
    id: fc.constantFrom(...ids),
    // Spellings that share a slug, so the name shown must follow the newest article.
    section: fc.constantFrom('Politik', 'POLITIK', 'Ekonomi'),
    tags: fc.subarray(['Pemilu', 'pemilu', 'Banjir', 'Jakarta & Sekitarnya', 'Ibu Kota']),
    authors: fc.subarray(['Rina Kartika', 'rina kartika', 'Budi']),
    // Minutes from NOW: negative is past; positive is scheduled for later.
    minutes: fc.integer({ min: -600, max: 120 }),
    withdrawn: fc.boolean(),
  });

  test.prop([fc.array(operation, { minLength: 1, maxLength: 25 })], { numRuns: 60 })(
    'after every change the directory, the page and the OPML hold exactly the feeds readers can see',
    async (operations) => {
      const { articles, publisher, directory, deps } = setUp();
      let version = 0;
      for (const op of operations) {
        const publishedAt = new Date(NOW.getTime() + op.minutes * 60_000).toISOString();
        articles.seed(
          makeArticle({
            id: op.id,
            slug: op.id,
            url: `https://jurnalpagi.example/berita/${op.id}`,
            title: `Judul ${op.id} v${++version}`,
            section: op.section,
            tags: op.tags,
            authors: op.authors.map((name) => ({ name })),
            publishedAt,
            updatedAt: publishedAt,
            status: op.withdrawn ? 'withdrawn' : 'published',
            version,
          }),
        );
        await buildFeedsForArticles(deps, [op.id]);
        const stored = await articles.getMany(ids);
        const expected = expectedDirectory(stored, NOW);
        expect(await directory.all()).toEqual(expected);

        const page = readIndex(text(publisher.objects.get(INDEX_KEY)) ?? '');
        const visible = stored.filter((a) => isPublicNow(a, NOW)).sort((a, b) => (listingSortKey(a) < listingSortKey(b) ? 1 : -1));
        expect(page.headlines.map((h) => h.text)).toEqual(visible.slice(0, HEADLINE_COUNT).map((a) => a.title));
        const wanted = expected.flatMap((r) => (['rss', 'atom', 'json'] as const).map((f) => feedUrl(site, r.path, f))).sort();
        expect(page.alternates.filter((a) => FEED_TYPES.includes(a.type)).map((a) => a.href).sort()).toEqual(wanted);
        const opml = text(publisher.objects.get(OPML_KEY));
        if (expected.length === 0) expect(opml).toBeUndefined();
        else expect(readOpml(opml ?? '').outlines.flatMap((o) => (o.xmlUrl ? [o.xmlUrl] : [])).sort()).toEqual(expected.map((r) => feedUrl(site, r.path, 'rss')).sort());
      }
    },
  );

  it('writes nothing when a build changes neither the feeds nor the headlines, and serves both files with short caching', async () => {
    const { articles, publisher, deps } = setUp();
    const article = makeArticle({ id: 'b1', title: 'Harga cabai naik & “turun” <lagi>', publishedAt: '2024-02-07T10:00:00.000Z' });
    articles.seed(article);
    const first = await buildFeedsForArticles(deps, ['b1']);
    expect(first.written).toEqual(expect.arrayContaining([INDEX_KEY, OPML_KEY]));
    expect(publisher.objects.get(INDEX_KEY)?.options).toEqual({ contentType: INDEX_CONTENT_TYPE, cacheControl: 'public, max-age=300, stale-while-revalidate=60' });
    expect(publisher.objects.get(OPML_KEY)?.options).toEqual({ contentType: OPML_CONTENT_TYPE, cacheControl: 'public, max-age=300, stale-while-revalidate=60' });
    const before = text(publisher.objects.get(INDEX_KEY));

    const again = await buildFeedsForArticles(deps, ['b1']);
    expect(again.written).not.toContain(INDEX_KEY);
    expect(again.written).not.toContain(OPML_KEY);
    expect(text(publisher.objects.get(INDEX_KEY))).toBe(before);

    // A body correction changes no headline and no feed: the page stays as it was.
    articles.seed({ ...article, bodyHtml: '<p>Ralat isi.</p>', bodyText: 'Ralat isi.', version: 2 });
    const corrected = await buildFeedsForArticles(deps, ['b1']);
    expect(corrected.written).not.toContain(INDEX_KEY);
    expect(readIndex(before ?? '').headlines.map((h) => h.text)).toEqual(['Harga cabai naik & “turun” <lagi>']);
  });

  it('names no feed and shows no headline of an article scheduled for later', async () => {
    const { articles, publisher, deps } = setUp();
    articles.seed(makeArticle({ id: 'now', title: 'Sudah terbit', tags: ['Umum'], publishedAt: '2024-02-07T11:00:00.000Z' }));
    articles.seed(makeArticle({ id: 'later', title: 'Belum boleh terbit', section: 'Rahasia', tags: ['Kejutan'], publishedAt: '2024-02-07T13:00:00.000Z' }));
    await buildFeedsForArticles(deps, ['now', 'later']);
    const html = text(publisher.objects.get(INDEX_KEY)) ?? '';
    expect(readIndex(html).headlines.map((h) => h.text)).toEqual(['Sudah terbit']);
    expect(html).not.toContain('Kejutan');
    expect(html).not.toContain('Rahasia');
    expect(html).not.toContain('Belum boleh terbit');
  });

  it('renders again when another builder changed the directory meanwhile', async () => {
    const { articles, publisher, revisions, deps } = setUp();
    articles.seed(makeArticle({ id: 'c1', title: 'Pertama', publishedAt: '2024-02-07T09:00:00.000Z' }));
    let interfered = false;
    const publish = publisher.publish.bind(publisher);
    publisher.publish = async (key, body, options) => {
      if (key === INDEX_KEY && !interfered) {
        interfered = true;
        // Another builder stores an article, updates the directory and bumps the counter while this one publishes.
        articles.seed(makeArticle({ id: 'c2', title: 'Kedua', publishedAt: '2024-02-07T10:00:00.000Z' }));
        await articles.syncListingChanges('c2', deps.clock.now());
        await revisions.bump(DISCOVERY_REVISION_KEY);
      }
      return publish(key, body, options);
    };
    await buildFeedsForArticles(deps, ['c1']);
    expect(readIndex(text(publisher.objects.get(INDEX_KEY)) ?? '').headlines.map((h) => h.text)).toEqual(['Kedua', 'Pertama']);
  });
});
