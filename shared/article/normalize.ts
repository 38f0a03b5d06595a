import { createHash } from 'node:crypto';
import type { Problem, Result } from '../errors.js';
import type { SiteConfig } from '../config/load-config.js';
import { MAX_BODY_BYTES, type Author, type ParsedDraft } from '../model/article.js';
import { sanitizeArticleHtml, summarize } from '../parsing/sanitize.js';
import { slugify } from '../text/slugify.js';
import type { ArticleContent } from './content-hash.js';

export interface NormalizedContent {
  content: ArticleContent;
  /** The source's own modification time, when it gave one; decides ordering of versions. */
  sourceUpdatedAt?: string;
  /** Whether publishedAt came from the input (false: the caller decides, e.g. keeps the stored one or uses ingest time). */
  publishedAtGiven: boolean;
}

/**
 * Fills Warta's defaults into a validated draft: a stable id, slug, canonical URL, section,
 * sanitized body HTML and its text, summary, UTC dates. `fallbackPublishedAt` is used when the input has none.
 */
export function normalizeDraft(draft: ParsedDraft, site: SiteConfig, fallbackPublishedAt: Date): Result<NormalizedContent> {
  const problems: Problem[] = [];
  const slug = draft.slug ?? (slugify(draft.title) || 'artikel');
  const id = draft.id ?? deriveId(draft, slug);
  const url = draft.url ?? `${site.siteUrl}/berita/${id}/${slug}`;

  const { html, text } = sanitizeArticleHtml(draft.bodyHtml, { baseUrl: url });
  if (text.trim() === '') problems.push({ field: 'bodyHtml', message: 'has no text left after removing unsafe or empty markup' });
  const bodyBytes = Buffer.byteLength(html, 'utf8');
  if (bodyBytes > MAX_BODY_BYTES) {
    problems.push({ field: 'bodyHtml', message: `is ${bodyBytes} bytes after sanitizing; the limit is ${MAX_BODY_BYTES}` });
  }
  if (problems.length > 0) return { ok: false, problems };

  const publishedAt = toUtc(draft.publishedAt) ?? fallbackPublishedAt.toISOString();
  const content: ArticleContent = {
    id,
    slug,
    url,
    title: collapse(draft.title),
    summary: draft.summary ? collapse(draft.summary) : summarize(text),
    bodyHtml: html,
    bodyText: text,
    section: draft.section ? collapse(draft.section) : site.defaultSection,
    tags: uniqueBy(draft.tags.map(collapse), (t) => slugify(t)),
    authors: uniqueBy(
      draft.authors.map((a): Author => ({ ...a, name: collapse(a.name) })),
      (a) => slugify(a.name),
    ),
    editor: draft.editor,
    dateline: draft.dateline,
    language: draft.language,
    images: draft.images,
    relatedHeadlines: draft.relatedHeadlines,
    copyright: draft.copyright,
    correction: draft.correction ? collapse(draft.correction) : undefined,
    publishedAt,
    status: draft.status,
  };
  return {
    ok: true,
    value: { content, sourceUpdatedAt: toUtc(draft.updatedAt), publishedAtGiven: draft.publishedAt !== undefined },
  };
}

/**
 * An input without an id gets one from what identifies it at the source: its canonical URL,
 * else its title. Outlets that edit titles should send ids (JSON), URLs (WordPress) or stable file names.
 */
function deriveId(draft: ParsedDraft, slug: string): string {
  const basis = draft.url ?? `title:${draft.title.trim().toLowerCase()}`;
  const digest = createHash('sha256').update(basis).digest('hex').slice(0, 12);
  return `${slug.slice(0, 60).replace(/-+$/, '')}-${digest}`;
}

function toUtc(value: string | undefined): string | undefined {
  return value === undefined ? undefined : new Date(value).toISOString();
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (k === '' || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
