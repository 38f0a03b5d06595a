import { isHttpUrl } from '../text/http-url.js';
import { correctionNoteHtml } from '../article/correction.js';
import type { Article, Image } from '../model/article.js';
import { derivedFrom } from '../model/frozen-article.js';
import { entryDigest } from './fragment-cache.js';
import { articleTagUri } from './feed-ids.js';
import { stripInvalidXmlChars } from './xml-text.js';

/** Related link of one article, as the related builder resolved it. */
export interface RelatedLink {
  id: string;
  title: string;
  url: string;
  reason?: string;
}

/** What every feed format shows of one article, cleaned once for all three renderers. */
export interface FeedEntry {
  articleId: string;
  /** Durable tag URI; see feed-ids.ts. */
  id: string;
  url: string;
  title: string;
  /** Plain text; the article summary, or an excerpt of its body when the newsroom gave none. */
  summary: string;
  /** Sanitized article HTML, or undefined when the feed is not full text. */
  contentHtml: string | undefined;
  /** Section first, then tags; duplicates (ignoring case) removed. */
  categories: string[];
  authors: { name: string; email?: string; url?: string }[];
  language: string;
  published: Date;
  /** Never earlier than `published`, so Atom readers see a consistent pair. */
  updated: Date;
  leadImage: Image | undefined;
  related: RelatedLink[];
}

/** Length of the body excerpt used as summary when an article has none. */
export const EXCERPT_LENGTH = 280;

/** First `maxLength` characters of `text`, cut at a word boundary, with an ellipsis when cut. */
export function excerpt(text: string, maxLength = EXCERPT_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= maxLength) return flat;
  const cut = flat.slice(0, maxLength);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxLength / 2 ? cut.slice(0, lastSpace) : cut).replace(/[\s,;:.–-]+$/, '')}…`;
}

function parseInstant(value: string, field: string, articleId: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Article ${articleId} has an invalid ${field}: ${value}`);
  return date;
}

function uniqueIgnoringCase(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of values) {
    const key = value.toLocaleLowerCase('id');
    if (value === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(value);
  }
  return out;
}

/** Cleans one article into the fields the renderers show. */
export function toFeedEntry(
  article: Article,
  siteUrl: string,
  options: { fullText: boolean; includeImages: boolean; related: readonly RelatedLink[] },
): FeedEntry {
  const clean = (text: string) => stripInvalidXmlChars(text).trim();
  const published = parseInstant(article.publishedAt, 'publishedAt', article.id);
  const updatedAt = parseInstant(article.updatedAt, 'updatedAt', article.id);
  const summary = clean(article.summary) || excerpt(clean(article.bodyText));
  return {
    articleId: article.id,
    id: articleTagUri(siteUrl, article.id),
    url: article.url,
    title: clean(article.title).replace(/\s+/g, ' '),
    summary,
    // A correction note is shown above the text, where a reader of the corrected article sees it first.
    contentHtml: options.fullText
      ? stripInvalidXmlChars(article.correction ? `${correctionNoteHtml(article.correction)}\n${article.bodyHtml}` : article.bodyHtml)
      : undefined,
    categories: uniqueIgnoringCase([article.section, ...article.tags].map(clean)),
    // Only http(s) author links are published (an article stored before ingest checked them may hold any).
    authors: article.authors
      .map(({ url, ...a }) => ({ ...a, name: clean(a.name), ...(isHttpUrl(url) ? { url } : {}) }))
      .filter((a) => a.name !== ''),
    language: article.language,
    published,
    updated: updatedAt.getTime() < published.getTime() ? published : updatedAt,
    leadImage: options.includeImages && isHttpUrl(article.images[0]?.url) ? article.images[0] : undefined,
    related: options.related.filter((r) => isHttpUrl(r.url)).map((r) => ({ ...r, title: clean(r.title), ...(r.reason === undefined ? {} : { reason: clean(r.reason) }) })),
  };
}

/** A feed entry with the cache keys of its rendered fragments in each format (fragment-cache.ts). */
export interface DigestedEntry {
  readonly entry: FeedEntry;
  readonly keys: { readonly rss: string; readonly atom: string; readonly json: string };
}

const entriesOfShared = new WeakMap<object, Map<string, DigestedEntry>>();

/**
 * `toFeedEntry` with its fragments' keys, remembered for a shared article (frozen-article.ts) by the
 * options that shape the entry: an article stays in its feeds for many builds, and cleaning and
 * digesting its whole body again for each one was most of the work of an entry whose fragments were
 * already rendered (docs/performance.md). The entry is shared too: renderers only read it.
 */
export function digestedFeedEntry(
  article: Article,
  siteUrl: string,
  options: { fullText: boolean; includeImages: boolean; related: readonly RelatedLink[] },
): DigestedEntry {
  const variant = `${siteUrl}\n${options.fullText}\n${options.includeImages}\n${options.related.length === 0 ? '' : JSON.stringify(options.related)}`;
  return derivedFrom(entriesOfShared, article, variant, () => {
    const entry = Object.freeze(toFeedEntry(article, siteUrl, options));
    const digest = entryDigest(entry);
    return Object.freeze({ entry, keys: Object.freeze({ rss: `rss ${digest}`, atom: `atom ${digest}`, json: `json ${digest}` }) });
  });
}
