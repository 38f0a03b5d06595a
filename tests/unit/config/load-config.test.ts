import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/load-config.js';
import { authorFeedPath, feedPathsForArticle, parseFeedPath, sectionFeedPath } from '../../../shared/feeds/feed-paths.js';
import { slugify } from '../../../shared/text/slugify.js';

describe('loadConfig', () => {
  const valid = {
    ARTICLES_TABLE_NAME: 'warta-articles',
    FEED_BUCKET_NAME: 'warta-feeds',
    SITE_URL: 'https://jurnalpagi.example/',
    SITE_TITLE: 'JurnalPagi',
    SITE_DESCRIPTION: 'Berita terkini',
    FEEDS_BASE_URL: 'https://d111111abcdef8.cloudfront.net',
  };

  it('reads defaults and trims trailing slashes', () => {
    const config = loadConfig(valid);
    expect(config.site).toMatchObject({ siteUrl: 'https://jurnalpagi.example', language: 'id', feedItemLimit: 50, feedMaxAgeSeconds: 300, defaultSection: 'Berita' });
    expect(config.s3ForcePathStyle).toBe(false);
    expect(config.fragmentCacheMiB).toBe(320);
    expect(loadConfig({ ...valid, FRAGMENT_CACHE_MIB: '64' }).fragmentCacheMiB).toBe(64);
  });

  it('names every missing or malformed variable at once', () => {
    expect(() => loadConfig({ ...valid, ARTICLES_TABLE_NAME: '', SITE_URL: 'jurnalpagi', FEED_ITEM_LIMIT: 'banyak' })).toThrowError(
      /ARTICLES_TABLE_NAME: .*; SITE_URL: .*; FEED_ITEM_LIMIT: /,
    );
    expect(() => loadConfig({ ...valid, FRAGMENT_CACHE_MIB: '0' })).toThrowError(/FRAGMENT_CACHE_MIB: /);
  });
});

describe('feed paths', () => {
  it('slugifies names the same way everywhere, folding accents and punctuation', () => {
    expect(slugify('Pemilu 2024: Ruang Digital!')).toBe('pemilu-2024-ruang-digital');
    expect(slugify('Hukum & Kriminal')).toBe('hukum-dan-kriminal');
    expect(slugify('Éko Pràsetyo')).toBe('eko-prasetyo');
    expect(sectionFeedPath('Ekonomi Bisnis')).toBe('section/ekonomi-bisnis');
    expect(authorFeedPath('Siti Zulikha')).toBe('author/siti-zulikha');
    expect(parseFeedPath('tag/banjir')).toEqual({ kind: 'tag', slug: 'banjir' });
    expect(() => parseFeedPath('other/x')).toThrow();
  });

  it('puts a published article in latest, its section, tags and authors, and a withdrawn one nowhere', () => {
    const article = { status: 'published' as const, section: 'Politik', tags: ['Pemilu', 'pemilu!', '—'], authors: [{ name: 'Rina' }] };
    // Spellings of one name share a feed; a name of symbols only is kept too, under a stable hash slug.
    expect(feedPathsForArticle(article)).toEqual(['latest', 'section/politik', 'tag/pemilu', expect.stringMatching(/^tag\/x-[0-9a-f]{10}$/), 'author/rina']);
    expect(feedPathsForArticle({ ...article, status: 'withdrawn' })).toEqual([]);
  });
});
