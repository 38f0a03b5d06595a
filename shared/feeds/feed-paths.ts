import type { Article } from '../model/article.js';
import { derivedFrom } from '../model/frozen-article.js';
import { slugify } from '../text/slugify.js';

/**
 * Public feed paths. A path names one feed listing; its files are
 * `feeds/<path>.rss`, `feeds/<path>.atom` and `feeds/<path>.json`.
 */
export const LATEST_FEED_PATH = 'latest';

export type FeedKind = 'latest' | 'section' | 'tag' | 'author';

export const FEED_FORMATS = {
  rss: { extension: 'rss', contentType: 'application/rss+xml; charset=utf-8' },
  atom: { extension: 'atom', contentType: 'application/atom+xml; charset=utf-8' },
  json: { extension: 'json', contentType: 'application/feed+json; charset=utf-8' },
} as const;
export type FeedFormat = keyof typeof FEED_FORMATS;

export function sectionFeedPath(section: string): string {
  return `section/${slugify(section)}`;
}
export function tagFeedPath(tag: string): string {
  return `tag/${slugify(tag)}`;
}
export function authorFeedPath(authorName: string): string {
  return `author/${slugify(authorName)}`;
}

const pathsOfShared = new WeakMap<object, Map<string, readonly string[]>>();

/**
 * Every public feed a published article belongs to; none for a withdrawn one. Remembered for a shared
 * article (frozen-article.ts): each feed a build renders asks it of every article it lists.
 */
export function feedPathsForArticle(article: Pick<Article, 'status' | 'section' | 'tags' | 'authors'>): readonly string[] {
  return derivedFrom(pathsOfShared, article, '', () => {
    if (article.status !== 'published') return Object.freeze([]);
    const paths = [
      LATEST_FEED_PATH,
      sectionFeedPath(article.section),
      ...article.tags.map(tagFeedPath),
      ...article.authors.map((a) => authorFeedPath(a.name)),
    ].filter((p) => !p.endsWith('/'));
    return Object.freeze([...new Set(paths)]);
  });
}

/** The kind of a feed path and the slug after its prefix. */
export function parseFeedPath(path: string): { kind: FeedKind; slug: string } {
  if (path === LATEST_FEED_PATH) return { kind: 'latest', slug: '' };
  const [kind, slug] = path.split('/', 2) as [string, string | undefined];
  if ((kind === 'section' || kind === 'tag' || kind === 'author') && slug) return { kind, slug };
  throw new Error(`Not a feed path: ${path}`);
}

/** S3 object key of one format of a public feed. */
export function feedObjectKey(path: string, format: FeedFormat): string {
  return `feeds/${path}.${FEED_FORMATS[format].extension}`;
}
