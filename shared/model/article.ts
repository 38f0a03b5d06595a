import * as z from 'zod';

/**
 * The Article model: what every input format becomes, what is stored in DynamoDB,
 * and what every feed, partner document and related grouping is rendered from.
 */

/** Largest sanitized body we accept, in UTF-8 bytes. A DynamoDB item caps at 400 KB and holds HTML and text. */
export const MAX_BODY_BYTES = 180_000;

export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;

const isoInstant = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s), {
    message: 'must be an ISO 8601 date-time such as 2024-02-07T09:30:00Z',
  });

export const ImageSchema = z.object({
  url: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }),
  caption: z.string().trim().min(1).optional(),
  credit: z.string().trim().min(1).optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  type: z.string().optional(),
});
export type Image = z.infer<typeof ImageSchema>;

export const AuthorSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty'),
  email: z.email().optional(),
  url: z.url().optional(),
});
export type Author = z.infer<typeof AuthorSchema>;

export const DatelineSchema = z.object({
  place: z.string().trim().min(1),
  source: z.string().trim().min(1).optional(),
});
export type Dateline = z.infer<typeof DatelineSchema>;

/** An editor's inline "read also" headline; `url` or `articleId` when the CMS linked it. */
export const RelatedHeadlineSchema = z.object({
  text: z.string().trim().min(1),
  label: z.string().trim().min(1).optional(),
  url: z.url().optional(),
});
export type RelatedHeadline = z.infer<typeof RelatedHeadlineSchema>;

export const ArticleStatusSchema = z.enum(['published', 'withdrawn']);
export type ArticleStatus = z.infer<typeof ArticleStatusSchema>;

/**
 * What a parser produces from one input: everything the newsroom said about the article,
 * before Warta assigns identity defaults, version and content hash.
 * `bodyHtml` may be unsanitized here; normalization sanitizes it.
 */
export const ArticleDraftSchema = z.object({
  id: z.string().regex(ID_PATTERN, 'must be 1-128 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit').optional(),
  slug: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase words joined by "-"').max(200).optional(),
  url: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).optional(),
  title: z.string().trim().min(1, 'is missing or empty').max(500, 'is longer than 500 characters'),
  summary: z.string().trim().max(2000, 'is longer than 2000 characters').optional(),
  bodyHtml: z.string().trim().min(1, 'is missing or empty'),
  section: z.string().trim().min(1).max(100).optional(),
  tags: z.array(z.string().trim().min(1).max(100)).max(50).default([]),
  authors: z.array(AuthorSchema).max(20).default([]),
  editor: z.string().trim().min(1).optional(),
  dateline: DatelineSchema.optional(),
  language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a BCP 47 language tag such as "id" or "en"').default('id'),
  images: z.array(ImageSchema).max(50).default([]),
  relatedHeadlines: z.array(RelatedHeadlineSchema).max(50).default([]),
  copyright: z.string().trim().min(1).optional(),
  /** A correction note ("Koreksi: …"), shown above the article text; see shared/article/correction.ts. */
  correction: z.string().trim().min(1, 'must not be empty').max(2000, 'is longer than 2000 characters').optional(),
  publishedAt: isoInstant.optional(),
  updatedAt: isoInstant.optional(),
  status: ArticleStatusSchema.default('published'),
});
export type ArticleDraft = z.input<typeof ArticleDraftSchema>;
export type ParsedDraft = z.output<typeof ArticleDraftSchema>;

/** The stored, validated article. Dates are UTC ISO strings; `version` starts at 1. */
export const ArticleSchema = z.object({
  id: z.string().regex(ID_PATTERN),
  slug: z.string().min(1),
  url: z.url(),
  title: z.string().min(1),
  summary: z.string(),
  bodyHtml: z.string().min(1),
  bodyText: z.string().min(1),
  section: z.string().min(1),
  tags: z.array(z.string()),
  authors: z.array(AuthorSchema),
  editor: z.string().optional(),
  dateline: DatelineSchema.optional(),
  language: z.string(),
  images: z.array(ImageSchema),
  relatedHeadlines: z.array(RelatedHeadlineSchema),
  copyright: z.string().optional(),
  correction: z.string().optional(),
  publishedAt: z.string(),
  updatedAt: z.string(),
  status: ArticleStatusSchema,
  version: z.number().int().min(1),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Article = z.infer<typeof ArticleSchema>;
