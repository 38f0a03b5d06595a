import * as z from 'zod';
import { htmlDepthProblem } from '../parsing/html-depth.js';
import { stripInvalidXmlCharsDeep } from '../text/xml-chars.js';

/**
 * The Article model: what every input format becomes, what is stored in DynamoDB,
 * and what every feed, partner document and related grouping is rendered from.
 */

/** Largest sanitized body we accept, in UTF-8 bytes. A DynamoDB item caps at 400 KB and holds HTML and text. */
export const MAX_BODY_BYTES = 180_000;

export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/**
 * The plausible range of article dates, inclusive: 1900-01-01T00:00:00Z to 2099-12-31T23:59:59.999Z.
 * Year 0000 makes Atom feeds invalid and year 9999 pins an article to the top of every feed.
 */
export const EARLIEST_ARTICLE_DATE = '1900-01-01T00:00:00.000Z';
export const LATEST_ARTICLE_DATE = '2099-12-31T23:59:59.999Z';

// "2024-02-07T09:30:00Z", "2024-02-07T09:30:00.123+07:00", "2024-02-07T09:30+0700", "2024-02-07 09:30:00+07:00".
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?$/i;

/**
 * Why `value` is not an acceptable article date-time, or undefined when it is: ISO 8601 with a date
 * that exists (no 30 February: JavaScript's Date would roll it into March), a time of day that exists,
 * and an instant within the plausible range.
 */
export function instantProblem(value: string): string | undefined {
  const m = ISO_INSTANT.exec(value);
  if (!m) return 'must be an ISO 8601 date-time such as 2024-02-07T09:30:00Z';
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0', m[8] ?? '0', m[9] ?? '0'].map(Number);
  if (year === undefined || month === undefined || day === undefined) return 'must be an ISO 8601 date-time such as 2024-02-07T09:30:00Z';
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) {
    return `names a day that does not exist (${m[1]}-${m[2]}-${m[3]})`;
  }
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59 || (offsetHours ?? 0) > 23 || (offsetMinutes ?? 0) > 59) {
    return 'names a time of day that does not exist';
  }
  const time = Date.parse(value.replace(' ', 'T'));
  if (Number.isNaN(time)) return 'must be an ISO 8601 date-time such as 2024-02-07T09:30:00Z';
  if (time < Date.parse(EARLIEST_ARTICLE_DATE) || time > Date.parse(LATEST_ARTICLE_DATE)) {
    return `is outside the accepted range ${EARLIEST_ARTICLE_DATE.slice(0, 10)} to ${LATEST_ARTICLE_DATE.slice(0, 10)}`;
  }
  return undefined;
}

const isoInstant = z.string().superRefine((value, ctx) => {
  const problem = instantProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
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
  url: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).optional(),
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
  url: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).optional(),
});
export type RelatedHeadline = z.infer<typeof RelatedHeadlineSchema>;

export const ArticleStatusSchema = z.enum(['published', 'withdrawn']);
export type ArticleStatus = z.infer<typeof ArticleStatusSchema>;

/**
 * What a parser produces from one input: everything the newsroom said about the article,
 * before Warta assigns identity defaults, version and content hash.
 * `bodyHtml` may be unsanitized here; normalization sanitizes it.
 */
const ArticleDraftObjectSchema = z.object({
  id: z.string().regex(ID_PATTERN, 'must be 1-128 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit').optional(),
  slug: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase words joined by "-"').max(200).optional(),
  url: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).optional(),
  title: z.string().trim().min(1, 'is missing or empty').max(500, 'is longer than 500 characters'),
  summary: z.string().trim().max(2000, 'is longer than 2000 characters').optional(),
  bodyHtml: z
    .string()
    .trim()
    .min(1, 'is missing or empty')
    .superRefine((html, ctx) => {
      const problem = htmlDepthProblem(html);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
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

/**
 * Validates a draft. Characters XML forbids (U+0001, U+000B, U+001B, …) are removed from every string
 * first, in every input format, so no stored article can carry one (docs/parsing.md).
 */
export const ArticleDraftSchema = z.preprocess((draft) => stripInvalidXmlCharsDeep(draft), ArticleDraftObjectSchema);
export type ArticleDraft = z.input<typeof ArticleDraftObjectSchema>;
export type ParsedDraft = z.output<typeof ArticleDraftObjectSchema>;

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
