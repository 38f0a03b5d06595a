import type { Problem } from '../errors.js';
import type { ArticleDraft, Image } from '../model/article.js';
import { limitTags } from '../parsing/wordpress-rest.js';
import { plainText, renderPostContent, type WordPressAttachment } from './wordpress-content.js';
import { readWxr, type WxrEvent, type WxrItem } from './wxr-reader.js';

/**
 * Archive import from a WordPress export (WXR): two streaming passes over the file. The first collects
 * what posts refer to but may come after them (attachments for featured images and galleries, authors'
 * display names, the site's offset from UTC) and counts the posts; the second turns each post into a
 * Warta draft and hands it to `ingest`. Only small maps (attachment id → URL and caption) are kept.
 */

/** Opens the export again for each pass (a file stream). */
export type OpenExport = () => AsyncIterable<string | Buffer>;

export type IngestStatus = 'created' | 'updated' | 'unchanged' | 'withdrawn' | 'valid';

/** What the importer does with a draft: send it to the ingest API, or only validate it (dry run). */
export type IngestDraft = (draft: ArticleDraft) => Promise<{ status: IngestStatus } | { status: 'refused'; problems: Problem[] }>;

export interface WxrImportOptions {
  /** Post types to import (default: `post`). */
  types?: readonly string[];
  /** The site's offset from UTC in minutes, for posts without `wp:post_date_gmt`; guessed from the export when not given. */
  utcOffsetMinutes?: number;
  /** Requests in flight. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface WxrImportSummary {
  wxrVersion?: string;
  site?: string;
  /** Items of the selected types that are published and public: what the import tries to ingest. */
  posts: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Dry run only: posts that would be ingested. */
  valid: number;
  /** Not imported, by reason (`draft`, `pending`, `private`, `password-protected`, `trash`, `scheduled without a date`, `type page`, …). */
  skipped: Record<string, number>;
  /** Refused, by reason (`empty title`, `no content`, or the ingest API's problem). */
  refused: Record<string, number>;
  refusedPosts: { id: string; title: string; reasons: string[] }[];
  /**
   * Scheduled posts (WordPress status `future`): imported with their publication time, and held out of every
   * public output until then (docs/feeds.md, "Scheduled stories"); listed so the newsroom knows.
   */
  scheduled: { id: string; title: string; publishAt?: string }[];
  /** Items that are not well-formed XML (or lack a post id): skipped, with where they are. */
  malformed: { line: number; column: number; message: string; postId?: string }[];
  /** XML errors outside items, with where they are. */
  documentErrors: { line: number; column: number; message: string }[];
  /** Posts the ingest API could not be reached for (network, 5xx): try the import again. */
  failed: { id: string; message: string }[];
  /** The export declared a DOCTYPE; its entities were not expanded. */
  doctypeIgnored: boolean;
}

interface ScanResult {
  authors: Map<string, string>;
  attachments: Map<string, WordPressAttachment>;
  children: Map<string, string[]>;
  utcOffsetMinutes?: number;
  language?: string;
  wxrVersion?: string;
  site?: string;
  posts: number;
  isWxr: boolean;
}

const LIST_LIMIT = 1000;

/** Runs both passes; never throws for bad content (only for an unreadable file or a failing `ingest` port). */
export async function importWxr(open: OpenExport, ingest: IngestDraft, options: WxrImportOptions = {}): Promise<WxrImportSummary> {
  const types = new Set(options.types ?? ['post']);
  const scan = await scanExport(open, types);
  const summary: WxrImportSummary = {
    posts: scan.posts,
    created: 0,
    updated: 0,
    unchanged: 0,
    valid: 0,
    skipped: {},
    refused: {},
    refusedPosts: [],
    scheduled: [],
    malformed: [],
    documentErrors: [],
    failed: [],
    doctypeIgnored: false,
  };
  if (scan.wxrVersion) summary.wxrVersion = scan.wxrVersion;
  if (scan.site) summary.site = scan.site;
  const offset = options.utcOffsetMinutes ?? scan.utcOffsetMinutes ?? 0;
  const count = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
  const refuse = (id: string, title: string, reasons: string[]) => {
    for (const reason of reasons) count(summary.refused, reason);
    if (summary.refusedPosts.length < LIST_LIMIT) summary.refusedPosts.push({ id, title, reasons });
  };

  let done = 0;
  const inFlight = new Set<Promise<void>>();
  const concurrency = options.concurrency ?? 4;
  const send = async (draft: ArticleDraft) => {
    const id = draft.id as string;
    try {
      const outcome = await ingest(draft);
      if (outcome.status === 'refused') {
        refuse(id, draft.title ?? '', outcome.problems.map((p) => `${p.field}: ${p.message}`));
      } else if (outcome.status === 'withdrawn') {
        summary.updated++;
      } else {
        summary[outcome.status]++;
      }
    } catch (error) {
      if (summary.failed.length < LIST_LIMIT) summary.failed.push({ id, message: (error as Error).message });
    } finally {
      done++;
      options.onProgress?.(done, scan.posts);
    }
  };

  for await (const event of readWxr(open())) {
    if (event.kind === 'malformed-item') {
      count(summary.skipped, 'malformed');
      if (summary.malformed.length < LIST_LIMIT) summary.malformed.push(withoutKind(event));
      continue;
    }
    if (event.kind === 'document-error') {
      if (summary.documentErrors.length < LIST_LIMIT) summary.documentErrors.push(withoutKind(event));
      continue;
    }
    if (event.kind === 'doctype') summary.doctypeIgnored = true;
    if (event.kind !== 'item') continue;
    const decision = classify(event.item, types);
    if (decision.kind === 'skip') {
      count(summary.skipped, decision.reason);
      if (decision.reason === 'malformed' && summary.malformed.length < LIST_LIMIT) {
        summary.malformed.push({ line: event.item.line, column: event.item.column, message: 'the item has no valid <wp:post_id>' });
      }
      continue;
    }
    if (decision.scheduled) {
      // Its publication time is what holds it back: without one it would go public at once.
      const publishAt = publicationTime(event.item, offset);
      if (!publishAt) {
        count(summary.skipped, 'scheduled without a date');
        continue;
      }
      if (summary.scheduled.length < LIST_LIMIT) summary.scheduled.push({ id: `wp-${event.item.postId}`, title: plainText(event.item.title), publishAt });
    }
    const built = draftFromItem(event.item, scan, offset);
    if (!built.ok) {
      refuse(`wp-${event.item.postId}`, plainText(event.item.title), built.reasons);
      done++;
      options.onProgress?.(done, scan.posts);
      continue;
    }
    const task = send(built.draft).finally(() => inFlight.delete(task));
    inFlight.add(task);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (!scan.isWxr && summary.documentErrors.length === 0) {
    summary.documentErrors.push({ line: 1, column: 1, message: 'this is not a WordPress export: no <wp:wxr_version> in its channel' });
  }
  return summary;
}

function withoutKind<T extends { kind: string }>(event: T): Omit<T, 'kind'> {
  const { kind: _k, ...rest } = event;
  return rest;
}

async function scanExport(open: OpenExport, types: Set<string>): Promise<ScanResult> {
  const scan: ScanResult = { authors: new Map(), attachments: new Map(), children: new Map(), posts: 0, isWxr: false };
  const offsets = new Map<number, number>();
  for await (const event of readWxr(open())) {
    noteChannel(scan, event);
    if (event.kind !== 'item') continue;
    const item = event.item;
    if (item.postType === 'attachment' && item.postId) {
      const url = httpUrl(item.attachmentUrl) ?? httpUrl(item.guid);
      if (url) {
        const attachment: WordPressAttachment = { id: item.postId, url };
        const caption = plainText(item.excerpt);
        if (caption) attachment.caption = caption;
        const alt = item.meta.get('_wp_attachment_image_alt')?.trim();
        if (alt) attachment.alt = alt;
        if (item.parentId && item.parentId !== '0') {
          attachment.parentId = item.parentId;
          scan.children.set(item.parentId, [...(scan.children.get(item.parentId) ?? []), item.postId]);
        }
        scan.attachments.set(item.postId, attachment);
      }
    }
    const local = wpDate(item.postDate);
    const gmt = wpDate(item.postDateGmt);
    if (local !== undefined && gmt !== undefined) {
      const minutes = Math.round((local - gmt) / 60_000);
      if (Math.abs(minutes) <= 14 * 60) offsets.set(minutes, (offsets.get(minutes) ?? 0) + 1);
    }
    if (classify(item, types).kind === 'post') scan.posts++;
  }
  // The site's offset is what most posts show between local and GMT dates (daylight saving makes a few differ).
  const common = [...offsets].sort((a, b) => b[1] - a[1])[0];
  if (common) scan.utcOffsetMinutes = common[0];
  return scan;
}

function noteChannel(scan: ScanResult, event: WxrEvent): void {
  if (event.kind === 'author') scan.authors.set(event.author.login, event.author.displayName);
  if (event.kind !== 'channel') return;
  if (event.field === 'wxr_version') {
    scan.isWxr = true;
    scan.wxrVersion = event.value;
  }
  if (event.field === 'language') {
    const primary = /^([a-zA-Z]{2,3})(?:[-_]|$)/.exec(event.value)?.[1];
    if (primary) scan.language = primary.toLowerCase();
  }
  if (event.field === 'base_blog_url' || (event.field === 'base_site_url' && !scan.site)) scan.site = event.value;
}

type Decision = { kind: 'post'; scheduled: boolean } | { kind: 'skip'; reason: string };

const STATUS_REASONS: Record<string, string> = {
  draft: 'draft',
  'auto-draft': 'draft',
  pending: 'pending',
  private: 'private',
  trash: 'trash',
};

/** Which items are ingested: published or scheduled public posts of the chosen types. Everything else is counted by reason. */
function classify(item: WxrItem, types: Set<string>): Decision {
  const type = item.postType || 'post';
  if (!types.has(type)) return { kind: 'skip', reason: `type ${type}` };
  if (item.status !== 'publish' && item.status !== 'future') return { kind: 'skip', reason: STATUS_REASONS[item.status] ?? `status ${item.status || 'missing'}` };
  if (item.password !== '') return { kind: 'skip', reason: 'password-protected' };
  if (!/^\d+$/.test(item.postId) || item.postId === '0') return { kind: 'skip', reason: 'malformed' };
  return { kind: 'post', scheduled: item.status === 'future' };
}

type Built = { ok: true; draft: ArticleDraft } | { ok: false; reasons: string[] };

/** One published post as the site showed it (see docs/wordpress.md for each field). */
function draftFromItem(item: WxrItem, scan: ScanResult, offsetMinutes: number): Built {
  const title = plainText(item.title);
  const context = {
    attachment: (id: string) => scan.attachments.get(id),
    childAttachments: () => (scan.children.get(item.postId) ?? []).flatMap((id) => scan.attachments.get(id) ?? []),
  };
  const content = renderPostContent(item.content, context);
  const reasons: string[] = [];
  if (!title) reasons.push('empty title');
  if (!plainText(content.html) && !/<img\b/i.test(content.html)) reasons.push('no content');
  if (reasons.length > 0) return { ok: false, reasons };

  const draft: ArticleDraft = { id: `wp-${item.postId}`, title, bodyHtml: content.html, tags: [], authors: [], images: [] };
  const url = httpUrl(item.link) ?? httpUrl(item.guid);
  if (url) draft.url = url;
  const summary = plainText(item.excerpt) || (content.teaserHtml ? plainText(content.teaserHtml) : '');
  if (summary) draft.summary = summary.length > 2000 ? `${summary.slice(0, 1999).trimEnd()}…` : summary;
  // WordPress's default category says nothing; as the plugin does, Warta's default section stands in for it.
  const names = (domain: string) =>
    item.categories
      .filter((c) => c.domain === domain && !(domain === 'category' && c.nicename === 'uncategorized'))
      .map((c) => plainText(c.name) || c.nicename)
      .filter((n) => n);
  const [section, ...otherCategories] = names('category');
  if (section) draft.section = section;
  draft.tags = limitTags([...otherCategories, ...names('post_tag')]);
  const author = item.creator ? (scan.authors.get(item.creator) ?? item.creator) : '';
  if (author) draft.authors = [{ name: plainText(author) || author }];
  const thumbnail = scan.attachments.get(item.meta.get('_thumbnail_id')?.trim() ?? '');
  if (thumbnail) {
    const image: Image = { url: thumbnail.url };
    const caption = thumbnail.caption ?? thumbnail.alt;
    if (caption) image.caption = caption;
    draft.images = [image];
  }
  if (scan.language) draft.language = scan.language;
  const published = publicationTime(item, offsetMinutes);
  if (published) draft.publishedAt = published;
  const modified = wpDate(item.modifiedGmt);
  if (modified !== undefined && (!published || modified >= Date.parse(published))) draft.updatedAt = new Date(modified).toISOString();
  return { ok: true, draft };
}

/** `wp:post_date_gmt`, or `wp:post_date` moved by the site's offset when WordPress left the GMT date empty (`0000-00-00 00:00:00`). */
function publicationTime(item: WxrItem, offsetMinutes: number): string | undefined {
  const gmt = wpDate(item.postDateGmt);
  if (gmt !== undefined) return new Date(gmt).toISOString();
  const local = wpDate(item.postDate);
  return local !== undefined ? new Date(local - offsetMinutes * 60_000).toISOString() : undefined;
}

/** A WordPress MySQL date (`2024-02-07 09:30:00`) read as if UTC, in epoch ms; undefined for empty or zero dates. */
function wpDate(value: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value.trim());
  if (!match || match[1] === '0000') return undefined;
  const time = Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`);
  return Number.isNaN(time) ? undefined : time;
}

function httpUrl(value: string): string | undefined {
  const trimmed = value.trim();
  return /^https?:\/\/\S+$/i.test(trimmed) && URL.canParse(trimmed) ? trimmed : undefined;
}
