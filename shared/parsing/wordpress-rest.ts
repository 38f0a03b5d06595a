import type { Problem, Result } from '../errors.js';
import { instantProblem, type ArticleDraft, type Author, type Image } from '../model/article.js';
import { plainText } from '../wordpress/wordpress-content.js';

/**
 * The WordPress REST API's representation of a post (`GET /wp-json/wp/v2/posts/<id>`, with or without
 * `_embed`) as an input format. Only the fields Warta reads are named; the API sends many more.
 * https://developer.wordpress.org/rest-api/reference/posts/
 */
export interface WordPressRestPost {
  id: number;
  date?: string | null;
  date_gmt?: string | null;
  modified_gmt?: string | null;
  slug?: string;
  status?: string;
  type?: string;
  link?: string;
  title: { rendered: string };
  content: { rendered: string; protected?: boolean };
  excerpt?: { rendered: string; protected?: boolean };
  categories?: number[];
  tags?: number[];
  _embedded?: {
    author?: unknown[];
    'wp:featuredmedia'?: unknown[];
    'wp:term'?: unknown[][];
  };
}

type JsonRecord = Record<string, unknown>;

function record(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : undefined;
}

function rendered(value: unknown): string | undefined {
  const r = record(value)?.['rendered'];
  return typeof r === 'string' ? r : undefined;
}

/** True when a parsed JSON object has the shape of a REST post: a numeric id and rendered title and content. */
export function isWordPressRestPost(value: unknown): value is WordPressRestPost {
  const obj = record(value);
  return (
    obj !== undefined &&
    typeof obj['id'] === 'number' &&
    rendered(obj['title']) !== undefined &&
    rendered(obj['content']) !== undefined
  );
}

/** WordPress's own "read more" tail of an automatic excerpt: ` [&hellip;]`, `[...]`. */
const EXCERPT_TAIL = /\s*\[(?:…|\.\.\.)\]\s*$/;

/**
 * A REST post as an article draft: `wp-<id>` as its id, the permalink, the title as plain text, the
 * rendered content (shortcodes and blocks already rendered by WordPress), the excerpt as summary, GMT
 * dates, and with `_embed` the author names, categories (the first is the section, the others become
 * tags), tags and featured image. A scheduled post (`future`) keeps its future date, which hides it until
 * then. Any other status but `publish`, or a password-protected post, is refused with that reason: its text
 * must never reach the public feeds.
 */
export function draftFromWordPressRest(post: WordPressRestPost): Result<ArticleDraft> {
  const problems: Problem[] = [];
  // A scheduled post (`future`, visible only with credentials) is ingested with its future date: Warta
  // keeps it out of every public output until then (shared/embargo/visibility.ts).
  if (post.status !== undefined && post.status !== 'publish' && post.status !== 'future') {
    problems.push({ field: 'status', message: `is "${post.status}" in WordPress; only published and scheduled posts are ingested` });
  }
  if (post.status === 'future' && gmtInstant(post.date_gmt) === undefined) {
    problems.push({ field: 'date_gmt', message: 'is missing on a scheduled post; its publication time is what keeps it hidden until then' });
  }
  if (post.content.protected === true) {
    problems.push({ field: 'content', message: 'is password-protected in WordPress; protected posts are never published' });
  }
  if (!Number.isSafeInteger(post.id) || post.id <= 0) problems.push({ field: 'id', message: 'must be a positive WordPress post id' });
  if (problems.length > 0) return { ok: false, problems };

  const draft: ArticleDraft = {
    id: `wp-${post.id}`,
    title: plainText(post.title.rendered),
    bodyHtml: post.content.rendered,
    tags: [],
    authors: [],
    images: [],
  };
  if (typeof post.link === 'string' && /^https?:\/\//i.test(post.link)) draft.url = post.link;
  const excerpt = post.excerpt && post.excerpt.protected !== true ? plainText(post.excerpt.rendered).replace(EXCERPT_TAIL, '') : '';
  if (excerpt) draft.summary = excerpt;
  const published = gmtInstant(post.date_gmt);
  if (published) draft.publishedAt = published;
  const modified = gmtInstant(post.modified_gmt);
  if (modified) draft.updatedAt = modified;

  const embedded = post._embedded;
  if (embedded) {
    draft.authors = (embedded.author ?? []).flatMap((a): Author[] => {
      const name = record(a)?.['name'];
      return typeof name === 'string' && name.trim() ? [{ name: plainText(name) }] : [];
    });
    const terms = (embedded['wp:term'] ?? []).flat().map(record).filter((t): t is JsonRecord => t !== undefined);
    const names = (taxonomy: string) =>
      terms
        .filter((t) => t['taxonomy'] === taxonomy && typeof t['name'] === 'string' && !(taxonomy === 'category' && t['slug'] === 'uncategorized'))
        .map((t) => plainText(t['name'] as string))
        .filter((n) => n);
    const [section, ...otherCategories] = names('category');
    if (section) draft.section = section;
    draft.tags = limitTags([...otherCategories, ...names('post_tag')]);
    const image = featuredImage(embedded['wp:featuredmedia']?.[0]);
    if (image) draft.images = [image];
  }
  return { ok: true, value: draft };
}

/** Warta keeps at most 50 tags; the first ones win (further categories before tags: an editor picks few categories, many tags). */
export function limitTags(tags: string[]): string[] {
  const seen = new Set<string>();
  return tags.filter((t) => {
    const key = t.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  }).slice(0, 50);
}

/** REST `date_gmt` has no offset (`2024-02-07T02:30:00`): it is UTC. */
function gmtInstant(value: string | null | undefined): string | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(value)) return undefined;
  // An impossible date ("2025-02-30") reaches validation as written: Date would roll it into March.
  if (instantProblem(`${value}Z`) !== undefined) return `${value}Z`;
  const time = Date.parse(`${value}Z`);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function featuredImage(media: unknown): Image | undefined {
  const m = record(media);
  const url = m?.['source_url'];
  if (!m || typeof url !== 'string' || !/^https?:\/\//i.test(url)) return undefined;
  const image: Image = { url };
  const caption = plainText(rendered(m['caption']) ?? '');
  const alt = typeof m['alt_text'] === 'string' ? m['alt_text'].trim() : '';
  if (caption || alt) image.caption = caption || alt;
  const details = record(m['media_details']);
  const width = details?.['width'];
  const height = details?.['height'];
  if (typeof width === 'number' && Number.isInteger(width) && width > 0) image.width = width;
  if (typeof height === 'number' && Number.isInteger(height) && height > 0) image.height = height;
  if (typeof m['mime_type'] === 'string') image.type = m['mime_type'];
  return image;
}
