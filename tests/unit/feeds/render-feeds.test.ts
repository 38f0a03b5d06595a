import { afterEach, describe, expect, it, vi } from 'vitest';
import { EMPTY_FEED_DATE } from '../../../shared/feeds/feed-ids.js';
import { renderFeeds, type RenderedFeeds } from '../../../shared/feeds/render-feeds.js';
import { makeArticle, makeImage, SAMPLE_SITE_URL } from '../../fixtures/articles.js';
import { feedCases, makeMeta, TRICKY_TITLE, TRICKY_TITLE_CLEAN } from './feed-cases.js';
import { feedparserAvailable, parseAllWithFeedparser, parseWithFeedparser, parseWithRssParser } from './readers.js';

const SAMPLE_ID = 'tag:jurnalpagi.example,2024:article:kominfo-koordinasi-platform-pemilu';

function twoArticles() {
  const first = makeArticle({ images: [makeImage()] });
  const second = makeArticle({
    id: 'kedua',
    slug: 'kedua',
    url: `${SAMPLE_SITE_URL}/berita/kedua`,
    title: 'Debat kelima calon presiden digelar Minggu',
    authors: [{ name: 'Rina Wulandari', email: 'rina@redaksi.example.com' }],
    // An older article edited after the newest one: the feed's build date must follow this edit.
    publishedAt: '2024-02-06T20:00:00+07:00',
    updatedAt: '2024-02-07T11:45:00+07:00',
  });
  return [first, second];
}

function renderCase(name: string): RenderedFeeds {
  const feedCase = feedCases().find((c) => c.name === name);
  if (!feedCase) throw new Error(`no feed case ${name}`);
  return renderFeeds(feedCase.meta, feedCase.articles, feedCase.options);
}

interface JsonFeedDocument {
  version: string;
  title: string;
  home_page_url: string;
  feed_url: string;
  language: string;
  authors: { name: string; url?: string }[];
  hubs?: { type: string; url: string }[];
  items: Record<string, unknown>[];
}

/** The JSON Feed 1.1 rules a validator checks: required members, their types, and 1.1-only shapes. */
function jsonFeedProblems(doc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const isString = (v: unknown) => typeof v === 'string' && v.length > 0;
  if (doc.version !== 'https://jsonfeed.org/version/1.1') problems.push('version');
  if (!isString(doc.title)) problems.push('title');
  if ('author' in doc) problems.push('feed uses the 1.0 singular author');
  for (const key of ['home_page_url', 'feed_url'] as const) if (key in doc && !isString(doc[key])) problems.push(key);
  if (!Array.isArray(doc.items)) return [...problems, 'items'];
  for (const [index, item] of (doc.items as Record<string, unknown>[]).entries()) {
    if (!isString(item.id)) problems.push(`items[${index}].id`);
    if (!isString(item.content_html) && !isString(item.content_text)) problems.push(`items[${index}] has no content_html or content_text`);
    if ('author' in item) problems.push(`items[${index}] uses the 1.0 singular author`);
    if (item.authors !== undefined && !(Array.isArray(item.authors) && item.authors.every((a: { name?: unknown }) => isString(a.name)))) {
      problems.push(`items[${index}].authors`);
    }
    for (const key of ['date_published', 'date_modified'] as const) {
      const value = item[key];
      if (value !== undefined && !(typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value))) problems.push(`items[${index}].${key}`);
    }
  }
  return problems;
}

describe('renderFeeds: what rss-parser reads back', () => {
  it('keeps the given order, titles, links and stable guids in RSS and Atom', async () => {
    const articles = twoArticles();
    const feeds = renderFeeds(makeMeta(), articles);
    const rss = await parseWithRssParser(feeds.rss);
    const atom = await parseWithRssParser(feeds.atom);

    expect(rss.items.map((i) => i.title)).toEqual([articles[0]?.title, 'Debat kelima calon presiden digelar Minggu']);
    expect(atom.items.map((i) => i.title)).toEqual(rss.items.map((i) => i.title));
    expect(rss.items.map((i) => i.link)).toEqual(articles.map((a) => a.url));
    expect(rss.items.map((i) => i.guid)).toEqual([SAMPLE_ID, 'tag:jurnalpagi.example,2024:article:kedua']);
    expect(atom.items.map((i) => i.id)).toEqual(rss.items.map((i) => i.guid));
    expect(feeds.rss).toContain(`<guid isPermaLink="false">${SAMPLE_ID}</guid>`);
  });

  it('renders dates in UTC: RFC 822 GMT in RSS, RFC 3339 Z in Atom and JSON', async () => {
    const feeds = renderFeeds(makeMeta(), twoArticles());
    const rss = await parseWithRssParser(feeds.rss);
    expect(rss.items[1]?.pubDate).toBe('Tue, 06 Feb 2024 13:00:00 GMT');
    expect(rss.lastBuildDate).toBe('Wed, 07 Feb 2024 04:45:00 GMT');
    expect(feeds.atom).toContain('<published>2024-02-06T13:00:00.000Z</published>');
    expect(feeds.atom).toContain('<updated>2024-02-07T04:45:00.000Z</updated>');
    const json = JSON.parse(feeds.json) as JsonFeedDocument;
    expect(json.items[1]).toMatchObject({ date_published: '2024-02-06T13:00:00.000Z', date_modified: '2024-02-07T04:45:00.000Z' });
  });

  it('puts a byline without e-mail in dc:creator and a single byline with e-mail in <author>', async () => {
    const feeds = renderFeeds(makeMeta(), [
      ...twoArticles(),
      makeArticle({ id: 'dua', authors: [{ name: 'Agus Salim', email: 'agus@redaksi.example.com' }, { name: 'Siti Zulikha' }] }),
    ]);
    const rss = await parseWithRssParser(feeds.rss);
    expect(rss.items[0]?.dcCreators).toEqual(['Siti Zulikha']);
    expect(rss.items[0]?.author).toBeUndefined();
    expect(rss.items[1]?.author).toBe('rina@redaksi.example.com (Rina Wulandari)');
    expect(rss.items[1]?.dcCreators).toBeUndefined();
    expect(rss.items[2]?.dcCreators).toEqual(['Agus Salim', 'Siti Zulikha']);
    expect(rss.items[2]?.author).toBeUndefined();
    expect(feeds.rss).toMatch(/^<\?xml [^>]*\?>\n<rss version="2\.0"[^>]* xmlns:dc="http:\/\/purl\.org\/dc\/elements\/1\.1\/"/);
  });

  it('lists the section and then the tags as categories, without case-insensitive duplicates', async () => {
    const article = makeArticle({ section: 'Politik', tags: ['Pemilu 2024', 'politik', 'Media Sosial', 'pemilu 2024'] });
    const feeds = renderFeeds(makeMeta(), [article]);
    const rss = await parseWithRssParser(feeds.rss);
    expect(rss.items[0]?.categories).toEqual(['Politik', 'Pemilu 2024', 'Media Sosial']);
    expect(feeds.atom).toContain('<category term="Politik"/>\n        <category term="Pemilu 2024"/>\n        <category term="Media Sosial"/>');
    expect((JSON.parse(feeds.json) as JsonFeedDocument).items[0]?.tags).toEqual(['Politik', 'Pemilu 2024', 'Media Sosial']);
  });

  it('includes full HTML content by default and leaves it out when fullText is false', async () => {
    const [article] = twoArticles();
    if (!article) throw new Error('fixture');
    const full = renderFeeds(makeMeta(), [article]);
    const summaryOnly = renderFeeds(makeMeta(), [article], { fullText: false });

    const fullRss = await parseWithRssParser(full.rss);
    expect(fullRss.items[0]?.['content:encoded']).toBe(article.bodyHtml);
    expect((await parseWithRssParser(full.atom)).items[0]?.content).toBe(article.bodyHtml);
    expect((JSON.parse(full.json) as JsonFeedDocument).items[0]?.content_html).toBe(article.bodyHtml);

    const shortRss = await parseWithRssParser(summaryOnly.rss);
    expect(shortRss.items[0]?.['content:encoded']).toBeUndefined();
    expect(shortRss.items[0]?.content).toBe(article.summary);
    expect(summaryOnly.atom).not.toContain('<content');
    expect(summaryOnly.atom).toContain(`<summary type="text">${article.summary}</summary>`);
    const shortJson = (JSON.parse(summaryOnly.json) as JsonFeedDocument).items[0];
    expect(shortJson?.content_html).toBeUndefined();
    expect(shortJson?.content_text).toBe(article.summary);
  });

  it('uses a body excerpt as summary when the newsroom gave none', async () => {
    const article = makeArticle({ summary: '', bodyHtml: `<p>${'kata '.repeat(200)}akhir</p>` });
    const rss = await parseWithRssParser(renderFeeds(makeMeta(), [article], { fullText: false }).rss);
    const summary = rss.items[0]?.content ?? '';
    expect(summary.startsWith('kata kata')).toBe(true);
    expect(summary.endsWith('kata…')).toBe(true);
    expect(summary.length).toBeLessThanOrEqual(281);
  });

  it('renders the lead image as Media RSS, an Atom enclosure and a JSON image, and omits it on request', async () => {
    const [withImage] = twoArticles();
    if (!withImage) throw new Error('fixture');
    const image = makeImage();
    const feeds = renderFeeds(makeMeta(), [withImage]);
    const rss = await parseWithRssParser(feeds.rss);
    expect(rss.items[0]?.mediaContent?.$).toEqual({ url: image.url, medium: 'image', type: 'image/jpeg', width: '1200', height: '675' });
    expect(feeds.rss).toContain('xmlns:media="http://search.yahoo.com/mrss/"');
    expect(feeds.rss).toContain(`<media:description type="plain">${image.caption}</media:description>`);
    expect(feeds.rss).not.toContain('<enclosure');
    expect(feeds.atom).toContain(`<link rel="enclosure" type="image/jpeg" href="${image.url}"/>`);
    expect((JSON.parse(feeds.json) as JsonFeedDocument).items[0]?.image).toBe(image.url);

    const noImages = renderFeeds(makeMeta(), [withImage], { includeImages: false });
    expect(noImages.rss).not.toContain('<media:content');
    expect(noImages.atom).not.toContain('rel="enclosure"');
    expect((JSON.parse(noImages.json) as JsonFeedDocument).items[0]?.image).toBeUndefined();

    const without = renderFeeds(makeMeta(), [makeArticle({ images: [] })]);
    expect(without.rss).not.toContain('<media:content');
    expect(without.atom).not.toContain('rel="enclosure"');
  });

  it('declares self links, the site link, the hub, the language and the generator', async () => {
    const meta = makeMeta('section/politik', { hubUrl: 'https://hub.jurnalpagi.example/' });
    const feeds = renderFeeds(meta, twoArticles());
    expect(feeds.rss).toContain(`<atom:link href="${meta.links.rss}" rel="self" type="application/rss+xml"/>`);
    expect(feeds.rss).toContain('<atom:link href="https://hub.jurnalpagi.example/" rel="hub"/>');
    expect(feeds.atom).toContain(`<link rel="self" href="${meta.links.atom}"/>`);
    expect(feeds.atom).toContain('<link rel="hub" href="https://hub.jurnalpagi.example/"/>');
    expect(feeds.atom).toMatch(/^<\?xml [^>]*\?>\n<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom" xml:lang="id">/);
    expect(feeds.atom).toContain('<id>tag:jurnalpagi.example,2024:feed:section/politik</id>');
    const rss = await parseWithRssParser(feeds.rss);
    expect(rss.language).toBe('id');
    expect(rss.generator).toBe('Warta');
    expect(rss.link).toBe(`${SAMPLE_SITE_URL}/`);
    expect(rss.title).toBe(meta.title);
    expect(rss.description).toBe(meta.description);
    expect(feeds.atom).toContain('<generator>Warta</generator>');

    const json = JSON.parse(feeds.json) as JsonFeedDocument;
    expect(json.feed_url).toBe(meta.links.json);
    expect(json.home_page_url).toBe(SAMPLE_SITE_URL);
    expect(json.hubs).toEqual([{ type: 'WebSub', url: 'https://hub.jurnalpagi.example/' }]);
  });

  it('renders related links in Atom, RSS (atom:link) and JSON (_warta.related)', () => {
    const [first, second] = twoArticles();
    if (!first || !second) throw new Error('fixture');
    const related = new Map([[first.id, [{ id: second.id, title: 'Debat & kampanye', url: second.url, reason: 'story' }]]]);
    const feeds = renderFeeds(makeMeta(), [first, second], { relatedLinks: related });
    expect(feeds.atom).toContain(`<link rel="related" type="text/html" href="${second.url}" title="Debat &amp; kampanye"/>`);
    expect(feeds.rss).toContain(`<atom:link rel="related" type="text/html" href="${second.url}" title="Debat &amp; kampanye"/>`);
    const json = JSON.parse(feeds.json) as JsonFeedDocument;
    expect(json.items[0]?._warta).toEqual({ related: [{ id: 'kedua', title: 'Debat & kampanye', url: second.url, reason: 'story' }] });
    expect(json.items[1]?._warta).toBeUndefined();
  });
});

describe('renderFeeds: identity and determinism', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps each entry id when title, body, slug, URL and updatedAt change', () => {
    const before = makeArticle();
    const after = makeArticle({
      title: 'Judul baru setelah koreksi',
      bodyHtml: '<p>Isi yang sudah dikoreksi.</p>',
      slug: 'judul-baru',
      url: `${SAMPLE_SITE_URL}/berita/judul-baru`,
      updatedAt: '2024-02-09T08:00:00Z',
      version: 2,
    });
    const ids = (feeds: RenderedFeeds) => ({
      rss: [...feeds.rss.matchAll(/<guid isPermaLink="false">([^<]+)<\/guid>/g)].map((m) => m[1]),
      atom: [...feeds.atom.matchAll(/<entry>\s*<title[^>]*>.*?<\/title>\s*<id>([^<]+)<\/id>/gs)].map((m) => m[1]),
      json: (JSON.parse(feeds.json) as JsonFeedDocument).items.map((i) => i.id),
    });
    const first = ids(renderFeeds(makeMeta(), [before]));
    const second = ids(renderFeeds(makeMeta('tag/pemilu-2024'), [after]));
    expect(first).toEqual({ rss: [SAMPLE_ID], atom: [SAMPLE_ID], json: [SAMPLE_ID] });
    expect(second).toEqual(first);
  });

  it('is byte-identical across renders at different wall-clock times', () => {
    const articles = twoArticles();
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const first = renderFeeds(makeMeta(), articles);
    vi.setSystemTime(new Date('2031-06-15T12:34:56Z'));
    const second = renderFeeds(makeMeta(), twoArticles());
    expect(second).toEqual(first);
    expect(first.rss).not.toContain('2030');
    expect(first.atom).not.toContain('2030');
  });

  it('dates the build with the newest entry update, and an empty feed with the fixed epoch', async () => {
    const feeds = renderFeeds(makeMeta(), twoArticles());
    expect(feeds.atom.split('<entry>')[0]).toContain('<updated>2024-02-07T04:45:00.000Z</updated>');

    const empty = renderFeeds(makeMeta(), []);
    const rss = await parseWithRssParser(empty.rss);
    expect(rss.items).toHaveLength(0);
    expect(rss.lastBuildDate).toBe(EMPTY_FEED_DATE.toUTCString());
    expect(empty.atom).toContain(`<updated>${EMPTY_FEED_DATE.toISOString()}</updated>`);
    expect(empty.atom).not.toContain('<entry>');
    expect((JSON.parse(empty.json) as JsonFeedDocument).items).toEqual([]);
  });

  it('keeps only the first occurrence of an article listed twice', async () => {
    const [first, second] = twoArticles();
    if (!first || !second) throw new Error('fixture');
    const rss = await parseWithRssParser(renderFeeds(makeMeta(), [first, second, first]).rss);
    expect(rss.items.map((i) => i.guid)).toEqual([SAMPLE_ID, 'tag:jurnalpagi.example,2024:article:kedua']);
  });
});

describe('renderFeeds: escaping', () => {
  it('escapes XML specials and strips control characters so the title reads back as written', async () => {
    const feeds = renderCase('entities');
    const rss = await parseWithRssParser(feeds.rss);
    const atom = await parseWithRssParser(feeds.atom);
    // Titles are escaped character data (no CDATA; Atom type="text"): readers get the text exactly as written.
    expect(rss.items[0]?.title).toBe(TRICKY_TITLE_CLEAN);
    expect(atom.items[0]?.title).toBe(TRICKY_TITLE_CLEAN);
    expect(feeds.rss).not.toMatch(/<(?:title|description)><!\[CDATA\[/);
    expect(feeds.atom).toContain('<title type="text">');
    expect((JSON.parse(feeds.json) as JsonFeedDocument).items[0]?.title).toBe(TRICKY_TITLE_CLEAN);
    expect(rss.items[0]?.categories).toEqual(['Politik', 'A<B', 'Q&A']);
    expect(rss.items[0]?.dcCreators).toEqual(['Budi & Rekan <Tim>']);
    expect(rss.title).toBe('Topik: Q&A <khusus>');
    expect(TRICKY_TITLE).not.toBe(TRICKY_TITLE_CLEAN);
    for (const document of [feeds.rss, feeds.atom, feeds.json]) {
      expect(document).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/);
    }
  });

  it('keeps HTML content with entities and CDATA terminators intact', async () => {
    const bodyHtml = '<p>Tom &amp; Jerry&nbsp;&#8220;kutip&#8221; ]]&gt; dan ]]> lagi ]]></p>';
    const feeds = renderFeeds(makeMeta(), [makeArticle({ bodyHtml })]);
    const rss = await parseWithRssParser(feeds.rss);
    expect(rss.items[0]?.['content:encoded']).toBe('<p>Tom &amp; Jerry&nbsp;&#8220;kutip&#8221; ]]&gt; dan ]]&gt; lagi ]]&gt;</p>');
    expect((await parseWithRssParser(feeds.atom)).items[0]?.content).toBe(rss.items[0]?.['content:encoded']);
    expect((JSON.parse(feeds.json) as JsonFeedDocument).items[0]?.content_html).toBe(bodyHtml);
  });
});

describe('renderFeeds: JSON Feed 1.1', () => {
  it('emits the 1.1 version, authors arrays and language, with every required member', () => {
    for (const feedCase of feedCases()) {
      const doc = JSON.parse(renderFeeds(feedCase.meta, feedCase.articles, feedCase.options).json) as Record<string, unknown>;
      expect(jsonFeedProblems(doc), feedCase.name).toEqual([]);
    }
    const json = JSON.parse(renderCase('sample').json) as JsonFeedDocument;
    expect(json.language).toBe('id');
    expect(json.authors).toEqual([{ name: 'JurnalPagi – Berita Terkini', url: SAMPLE_SITE_URL }]);
    expect(json.items[0]).toMatchObject({ id: SAMPLE_ID, language: 'id', authors: [{ name: 'Siti Zulikha' }] });
  });

  it('reports what a 1.0-shaped document gets wrong', () => {
    const legacy = { version: 'https://jsonfeed.org/version/1', title: 't', items: [{ id: 'x', author: { name: 'a' } }] };
    expect(jsonFeedProblems(legacy)).toEqual(['version', 'items[0] has no content_html or content_text', 'items[0] uses the 1.0 singular author']);
  });
});

// Debian's python3-feedparser is the second reader; without it (e.g. a machine without the
// Debian package) these tests are skipped rather than failing on a missing tool.
describe.skipIf(!feedparserAvailable)('renderFeeds: what feedparser reads back', () => {
  it('parses every case without errors (bozo) and sees ids, dates, authors and images', () => {
    const cases = feedCases().flatMap((feedCase) => {
      const feeds = renderFeeds(feedCase.meta, feedCase.articles, feedCase.options);
      return (['rss', 'atom'] as const).map((format) => ({ feedCase, format, document: feeds[format] }));
    });
    const results = parseAllWithFeedparser(cases.map((c) => c.document));
    for (const [index, { feedCase, format }] of cases.entries()) {
      const parsed = results[index];
      if (!parsed) throw new Error(`no feedparser result for ${feedCase.name}.${format}`);
      expect(parsed.bozo, `${feedCase.name}.${format}: ${parsed.bozoException}`).toBe(false);
      expect(parsed.version).toBe(format === 'rss' ? 'rss20' : 'atom10');
      expect(parsed.entries).toHaveLength(new Set(feedCase.articles.map((a) => a.id)).size);
      expect(parsed.feed.language).toBe('id');
      expect(parsed.feed.links).toContainEqual(expect.objectContaining({ rel: 'self', href: feedCase.meta.links[format] }));
    }

    const sample = renderCase('sample');
    const [rss, atom] = parseAllWithFeedparser([sample.rss, sample.atom]);
    if (!rss || !atom) throw new Error('feedparser read nothing');
    for (const parsed of [rss, atom]) {
      expect(parsed.entries[0]).toMatchObject({
        id: SAMPLE_ID,
        published: '2024-02-07T02:30:00.000Z',
        tags: ['Politik', 'Pemilu 2024', 'Media Sosial'],
        author: 'Siti Zulikha',
      });
      expect(parsed.feed.updated).toBe('2024-02-07T03:15:00.000Z');
    }
    expect(atom.entries[0]?.updated).toBe('2024-02-07T03:15:00.000Z');
    expect(rss.entries[0]?.mediaContent).toEqual([expect.objectContaining({ url: makeImage().url, medium: 'image', type: 'image/jpeg' })]);
    expect(atom.entries[0]?.enclosures).toEqual([{ type: 'image/jpeg', href: makeImage().url }]);
    expect(atom.entries[0]?.links).toContainEqual(expect.objectContaining({ rel: 'related', href: `${SAMPLE_SITE_URL}/berita/tanpa-gambar` }));
    expect(atom.entries[1]?.enclosures).toEqual([]);
  });

  it('reads the escaped title and the entry without a byline as the feed author', () => {
    const entities = parseWithFeedparser(renderCase('entities').atom);
    expect(entities.entries[0]?.title).toBe(TRICKY_TITLE_CLEAN);
    expect(parseWithFeedparser(renderCase('entities').rss).entries[0]?.title).toBe(TRICKY_TITLE_CLEAN);
    expect(entities.entries[0]?.tags).toEqual(['Politik', 'A<B', 'Q&A']);

    // The e-mail fixtures use a .com domain: feedparser's address pattern cuts top-level domains after four letters.
    const mixed = renderCase('author-email-and-none');
    const rss = parseWithFeedparser(mixed.rss);
    expect(rss.entries.map((e) => e.authors)).toEqual([
      [{ name: 'Rina Wulandari', email: 'rina@redaksi.example.com' }],
      [],
      [{ name: 'Agus Salim' }, { name: 'Siti Zulikha' }],
    ]);
    const atom = parseWithFeedparser(mixed.atom);
    // Atom lets an entry without author inherit the feed's; the publisher fills that role.
    expect(atom.entries[1]?.authors).toEqual([]);
    expect(atom.feed.author).toBe('JurnalPagi – Berita Terkini');
  });
});
