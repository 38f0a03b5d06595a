import { escapeHtml, stripInvalidXmlChars } from '../feeds/xml-text.js';

/**
 * Sitemaps (sitemaps.org 0.9) and Google News sitemaps, rendered as text. Written by hand rather than
 * with the `sitemap` package: each file is a handful of fixed elements, and the output must be
 * byte-stable (no generated timestamps, a fixed namespace set, a fixed order) so that a rebuild with
 * nothing changed writes nothing. See docs/feeds.md, "Sitemaps".
 */

export const SITEMAP_NS = 'http://www.sitemaps.org/schemas/sitemap/0.9';
export const NEWS_NS = 'http://www.google.com/schemas/sitemap-news/0.9';
export const SITEMAP_CONTENT_TYPE = 'application/xml; charset=utf-8';

/** A Google News sitemap holds at most 1,000 URLs; a sitemap at most 50,000. */
export const NEWS_SITEMAP_MAX_URLS = 1000;
export const SITEMAP_MAX_URLS = 50_000;

export interface NewsSitemapEntry {
  url: string;
  title: string;
  /** The original publication instant, never the update time. */
  publishedAt: string;
  language: string;
}

export interface SitemapEntry {
  url: string;
  /** The article's updatedAt. */
  lastmod: string;
}

export interface SitemapIndexEntry {
  url: string;
  lastmod?: string;
}

const text = (value: string) => escapeHtml(stripInvalidXmlChars(value));
const instant = (iso: string) => new Date(iso).toISOString();

/**
 * The News sitemap language: an ISO 639 code of 2 or 3 letters, or zh-cn / zh-tw for Chinese
 * (the schema's pattern); a BCP 47 tag such as "en-US" gives its language subtag.
 */
export function newsLanguage(language: string): string {
  const lower = language.toLowerCase();
  if (lower === 'zh-tw' || lower === 'zh-hant' || lower.startsWith('zh-hant-') || lower === 'zh-hk') return 'zh-tw';
  if (lower.startsWith('zh')) return 'zh-cn';
  const primary = lower.split('-')[0] ?? '';
  return /^[a-z]{2,3}$/.test(primary) ? primary : 'id';
}

export function renderNewsSitemap(entries: readonly NewsSitemapEntry[], publicationName: string): string {
  const urls = entries.map(
    (e) =>
      `  <url>\n    <loc>${text(e.url)}</loc>\n    <news:news>\n      <news:publication>\n        <news:name>${text(publicationName)}</news:name>\n` +
      `        <news:language>${newsLanguage(e.language)}</news:language>\n      </news:publication>\n` +
      `      <news:publication_date>${instant(e.publishedAt)}</news:publication_date>\n      <news:title>${text(e.title)}</news:title>\n` +
      `    </news:news>\n  </url>\n`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${SITEMAP_NS}" xmlns:news="${NEWS_NS}">\n${urls.join('')}</urlset>\n`;
}

export function renderUrlSitemap(entries: readonly SitemapEntry[]): string {
  const urls = entries.map((e) => `  <url>\n    <loc>${text(e.url)}</loc>\n    <lastmod>${instant(e.lastmod)}</lastmod>\n  </url>\n`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${SITEMAP_NS}">\n${urls.join('')}</urlset>\n`;
}

export function renderSitemapIndex(entries: readonly SitemapIndexEntry[]): string {
  const sitemaps = entries.map(
    (e) => `  <sitemap>\n    <loc>${text(e.url)}</loc>\n${e.lastmod ? `    <lastmod>${instant(e.lastmod)}</lastmod>\n` : ''}  </sitemap>\n`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="${SITEMAP_NS}">\n${sitemaps.join('')}</sitemapindex>\n`;
}

/** `sitemaps/news.xml`, then `news-2.xml`, … */
export function newsSitemapKey(file: number): string {
  return file === 1 ? 'sitemaps/news.xml' : `sitemaps/news-${file}.xml`;
}

/** `sitemaps/articles-2024-02.xml`, then `articles-2024-02-2.xml`, … */
export function monthSitemapKey(month: string, file: number): string {
  return file === 1 ? `sitemaps/articles-${month}.xml` : `sitemaps/articles-${month}-${file}.xml`;
}

export const SITEMAP_INDEX_KEY = 'sitemaps/index.xml';

