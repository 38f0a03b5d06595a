import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SiteConfigSchema } from '../../../shared/config/load-config.js';
import { feedPathsForArticle } from '../../../shared/feeds/feed-paths.js';
import { renderFeeds } from '../../../shared/feeds/render-feeds.js';
import { toNinjs } from '../../../shared/partners/ninjs.js';
import { slugify } from '../../../shared/text/slugify.js';
import { feedMetaFor } from '../../../shared/usecases/build-feeds.js';
import { prepareArticle } from '../../../shared/usecases/ingest-article.js';
import { makeArticle } from '../../fixtures/articles.js';

const site = SiteConfigSchema.parse({
  siteUrl: 'https://jurnalpagi.example',
  siteTitle: 'JurnalPagi',
  siteDescription: 'Berita terkini',
  feedsBaseUrl: 'https://feeds.jurnalpagi.example',
});
const NOW = new Date('2024-02-07T10:00:00Z');
const prepare = (fields: Record<string, unknown>) =>
  prepareArticle(
    {
      body: JSON.stringify({ id: 'uji', title: 'Judul berita', bodyHtml: '<p>Isi berita.</p>', publishedAt: '2024-02-07T09:00:00Z', ...fields }),
      contentType: 'application/json',
    },
    site,
    NOW,
  );

describe('names in any script', () => {
  it('gives every name with a letter or digit in any script a non-empty, stable, URL-safe slug', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), (name) => {
        const slug = slugify(name);
        if (name.trim() === '') return;
        expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(slug.length).toBeLessThanOrEqual(80);
        expect(slugify(name)).toBe(slug);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps Cyrillic, Chinese and Arabic authors, sections and tags, each with its own feed', () => {
    const prepared = prepare({
      section: 'Мир',
      tags: ['Москва', '北京', 'القاهرة', 'Pemilu 2024'],
      authors: [{ name: 'Анна Иванова' }, { name: '王小明' }, { name: 'محمد علي' }],
    });
    expect(prepared.ok).toBe(true);
    if (!prepared.ok) return;
    expect(prepared.content.section).toBe('Мир');
    expect(prepared.content.tags).toEqual(['Москва', '北京', 'القاهرة', 'Pemilu 2024']);
    expect(prepared.content.authors.map((a) => a.name)).toEqual(['Анна Иванова', '王小明', 'محمد علي']);
    const paths = feedPathsForArticle({ ...prepared.content });
    expect(paths).toHaveLength(1 + 1 + 4 + 3);
    for (const path of paths) expect(path).toMatch(/^(latest|(section|tag|author)\/[a-z0-9]+(-[a-z0-9]+)*)$/);
  });

  it('still treats spellings of one name as one (case, accents), in any script', () => {
    fc.assert(
      fc.property(fc.constantFrom('Москва', 'Café', '北京', 'Ωμέγα', 'محمد'), (name) => {
        const prepared = prepare({ tags: [name, name.toUpperCase(), name.normalize('NFD')] });
        expect(prepared.ok && prepared.content.tags).toEqual([name]);
      }),
    );
  });
});

describe('links are http(s) only', () => {
  const hostileUrl = fc.oneof(
    fc.constantFrom('javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///etc/passwd', 'ftp://example.com/x'),
    fc.tuple(fc.constantFrom('javascript', 'data', 'file', 'blob', 'mailto', 'ws', 'chrome'), fc.webPath()).map(([scheme, path]) => `${scheme}:${path || 'x'}`),
  );

  it('refuses an author or related-headline URL that is not http(s), naming the field', () => {
    fc.assert(
      fc.property(hostileUrl, (url) => {
        const author = prepare({ authors: [{ name: 'Siti', url }] });
        expect(author).toMatchObject({ ok: false, problems: [{ field: 'authors.0.url', message: 'must be an absolute http(s) URL' }] });
        const headline = prepare({ relatedHeadlines: [{ text: 'Baca juga', url }] });
        expect(headline).toMatchObject({ ok: false, problems: [{ field: 'relatedHeadlines.0.url', message: 'must be an absolute http(s) URL' }] });
      }),
      { numRuns: 100 },
    );
    expect(prepare({ authors: [{ name: 'Siti', url: 'https://jurnalpagi.example/penulis/siti' }] }).ok).toBe(true);
  });

  it('never publishes a non-http(s) URL from an article stored before the check, in any feed format or ninjs', () => {
    fc.assert(
      fc.property(hostileUrl, (url) => {
        // As read back from storage, without the model's validation.
        const article = { ...makeArticle(), authors: [{ name: 'Siti Zulikha', url }], images: [{ url }] };
        const related = [{ id: 'lain', title: 'Lain', url }];
        const feeds = renderFeeds(feedMetaFor('latest', [article], site), [article], { relatedLinks: new Map([[article.id, related]]) });
        const ninjs = JSON.stringify(toNinjs(article, { includeImages: true, fullText: true, related }));
        for (const output of [feeds.rss, feeds.atom, feeds.json, ninjs]) {
          expect(output).not.toContain(url.replace(/&/g, '&amp;').replace(/</g, '&lt;'));
          expect(output).not.toContain(JSON.stringify(url).slice(1, -1));
        }
        expect(feeds.atom).toContain('<name>Siti Zulikha</name>');
      }),
      { numRuns: 60 },
    );
  });
});
