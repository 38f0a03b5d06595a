import { DomUtils, ElementType, parseDocument } from 'htmlparser2';
import type { AnyNode, Document, Element } from 'domhandler';
import { matchCorrectionNote } from '../article/correction.js';
import { instantProblem, type ArticleDraft, type Author, type Dateline, type Image, type RelatedHeadline } from '../model/article.js';
import { classesOf, findAll, findFirst, isElement, isTextNode, matches, relOf, select, textOf } from './dom-helpers.js';
import {
  cleanLine,
  escapeHtml,
  isBoilerplate,
  isCommentFormHeading,
  isCopyrightLine,
  isSharePrompt,
  isShareTarget,
  matchCredit,
  matchDateline,
  matchRelatedHeadline,
  readAloneHeadlineLabel,
} from './newsroom-conventions.js';
import { sanitizeArticleHtml } from './sanitize.js';

/**
 * Parses a WordPress single-post page (any common theme): metadata from Open Graph, `article:*`
 * metas, JSON-LD and theme markup; the body from `.entry-content` with comment forms, share and
 * related-post widgets, ads and scripts removed; inline "Baca juga" links as related headlines;
 * dateline, credits and copyright by the same newsroom rules as the raw text export.
 * The returned `bodyHtml` is already sanitized. Never throws on bad markup.
 */
export function parseWordPressHtml(html: string): ArticleDraft {
  const doc = parseDocument(html);
  const metas = collectMetas(doc);
  const ld = findJsonLdArticle(doc);
  const meta = (key: string): string | undefined => metas.get(key)?.[0];

  const url = firstOf(
    linkHref(doc, 'canonical'),
    meta('og:url'),
    str(ld?.['url']),
    str(ld?.['mainEntityOfPage']) ?? str(record(ld?.['mainEntityOfPage'])?.['@id']),
  );
  const siteName = firstOf(meta('og:site_name'), str(record(ld?.['publisher'])?.['name']));
  const scope = articleScope(doc);

  const draft: ArticleDraft = {
    title: findTitle(doc, scope, meta('og:title'), str(ld?.['headline']), siteName),
    bodyHtml: '',
    tags: [],
    authors: [],
    images: [],
    relatedHeadlines: [],
  };
  if (url) draft.url = url;
  const id = findPostId(doc);
  if (id) draft.id = id;

  const summary = firstOf(meta('og:description'), meta('description'), str(ld?.['description']));
  if (summary) draft.summary = summary;

  const published = firstOf(
    meta('article:published_time'),
    str(ld?.['datePublished']),
    timeAttr(scope, (el) => classesOf(el).includes('published') || classesOf(el).includes('entry-date')),
    timeAttr(scope, () => true),
  );
  if (published) draft.publishedAt = toUtcIso(published);
  const modified = firstOf(
    meta('article:modified_time'),
    meta('og:updated_time'),
    str(ld?.['dateModified']),
    timeAttr(scope, (el) => classesOf(el).includes('updated')),
  );
  if (modified) draft.updatedAt = toUtcIso(modified);

  const language = languageOf(doc, meta('og:locale'), str(ld?.['inLanguage']));
  if (language) draft.language = language;

  const categories = unique([
    ...(metas.get('article:section') ?? []),
    ...strings(ld?.['articleSection']),
    ...findAll(scope, (el) => el.name === 'a' && relOf(el).includes('category')).map((el) => textOf(el)),
    ...select(scope, [{ className: 'cat-links' }, { tag: 'a' }]).map((el) => textOf(el)),
  ]);
  // The first category is the section; further categories are topical labels, so they become tags.
  const [section, ...otherCategories] = categories;
  if (section) draft.section = section;
  draft.tags = unique([
    ...(metas.get('article:tag') ?? []),
    ...select(scope, [{ className: 'tags-links' }, { tag: 'a' }]).map((el) => textOf(el)),
    ...findAll(scope, (el) => el.name === 'a' && relOf(el).includes('tag') && !relOf(el).includes('category')).map((el) => textOf(el)),
    ...keywords(ld?.['keywords']),
    ...otherCategories,
  ]);

  draft.authors = findAuthors(scope, metas, ld);
  draft.images = findImages(scope, metas, ld, url);

  const content = findContent(doc, scope);
  if (content) {
    const body = readContent(content, url);
    draft.bodyHtml = sanitizeArticleHtml(DomUtils.getInnerHTML(content), url ? { baseUrl: url } : {}).html;
    draft.relatedHeadlines = body.relatedHeadlines;
    if (body.dateline) draft.dateline = body.dateline;
    if (body.editor) draft.editor = body.editor;
    if (body.copyright) draft.copyright = body.copyright;
    if (body.correction) draft.correction = body.correction;
    if (draft.authors?.length === 0) draft.authors = body.reporters.map((name) => ({ name }));
  } else {
    const articleBody = str(ld?.['articleBody']);
    if (articleBody) {
      draft.bodyHtml = articleBody
        .split(/\n\s*\n|\r?\n/)
        .map((p) => cleanLine(p))
        .filter((p) => p.length > 0)
        .map((p) => `<p>${escapeHtml(p)}</p>`)
        .join('\n');
    }
  }
  return draft;
}

// ---------------------------------------------------------------- metadata

type JsonRecord = Record<string, unknown>;

function record(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : undefined;
}

function str(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = cleanLine(value);
  return trimmed.length > 0 ? trimmed : undefined;
}

function strings(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => str(v)).filter((v): v is string => v !== undefined);
}

function keywords(value: unknown): string[] {
  return strings(value).flatMap((k) => k.split(',')).map((k) => k.trim()).filter((k) => k.length > 0);
}

function firstOf(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && v.length > 0);
}

function unique(values: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of values) {
    const value = cleanLine(raw);
    const key = value.toLowerCase();
    if (value.length === 0 || seen.has(key)) continue;
    seen.add(key);
    out.push(value);
  }
  return out;
}

/** `<meta property|name|itemprop=… content=…>` values by lower-cased key, in document order. */
function collectMetas(doc: Document): Map<string, string[]> {
  const metas = new Map<string, string[]>();
  for (const el of findAll(doc, (e) => e.name === 'meta')) {
    const key = (el.attribs['property'] ?? el.attribs['name'] ?? el.attribs['itemprop'])?.toLowerCase();
    const content = str(el.attribs['content']);
    if (!key || content === undefined) continue;
    metas.set(key, [...(metas.get(key) ?? []), content]);
  }
  return metas;
}

function linkHref(doc: Document, rel: string): string | undefined {
  return str(findFirst(doc, (el) => el.name === 'link' && relOf(el).includes(rel))?.attribs['href']);
}

const ARTICLE_TYPES = new Set(['NewsArticle', 'Article', 'BlogPosting', 'ReportageNewsArticle', 'AnalysisNewsArticle', 'OpinionNewsArticle', 'ReviewNewsArticle', 'Report']);

/** The article node of the page's JSON-LD, with `@id` references (Yoast's `@graph`) resolved one level. */
function findJsonLdArticle(doc: Document): JsonRecord | undefined {
  const nodes: JsonRecord[] = [];
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    const obj = record(value);
    if (!obj) return;
    nodes.push(obj);
    if (obj['@graph'] !== undefined) collect(obj['@graph']);
  };
  for (const script of findAll(doc, (el) => el.name === 'script' && (el.attribs['type'] ?? '').toLowerCase() === 'application/ld+json')) {
    try {
      collect(JSON.parse(DomUtils.textContent(script)));
    } catch {
      // A broken JSON-LD block is common in the wild; the page's other metadata still counts.
    }
  }
  const byId = new Map(nodes.flatMap((n) => (typeof n['@id'] === 'string' ? [[n['@id'], n] as const] : [])));
  const article = nodes.find((n) => strings(n['@type']).some((t) => ARTICLE_TYPES.has(t)));
  if (!article) return undefined;
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    const obj = record(value);
    const ref = obj?.['@id'];
    if (obj && typeof ref === 'string' && Object.keys(obj).length === 1) return byId.get(ref) ?? obj;
    return value;
  };
  return Object.fromEntries(Object.entries(article).map(([k, v]) => [k, resolve(v)]));
}

/** The element holding the post (so sidebars and footers do not leak categories or authors). */
function articleScope(doc: Document): AnyNode {
  return (
    findFirst(doc, (el) => el.name === 'article' && findFirst(el, (c) => classesOf(c).includes('entry-content')) !== undefined) ??
    findFirst(doc, (el) => el.name === 'article') ??
    findFirst(doc, (el) => el.name === 'main') ??
    doc
  );
}

function findTitle(doc: Document, scope: AnyNode, ogTitle: string | undefined, ldHeadline: string | undefined, siteName: string | undefined): string {
  const h1 = findFirst(scope, (el) => el.name === 'h1' && classesOf(el).includes('entry-title')) ?? findFirst(doc, (el) => el.name === 'h1' && classesOf(el).includes('entry-title'));
  const titleTag = findFirst(doc, (el) => el.name === 'title');
  const candidates: [string | undefined, boolean][] = [
    [ogTitle, false],
    [h1 ? textOf(h1) : undefined, false],
    [ldHeadline, false],
    [titleTag ? textOf(titleTag) : undefined, true],
  ];
  for (const [candidate, isTitleTag] of candidates) {
    if (candidate) return stripSiteSuffix(candidate, siteName, isTitleTag);
  }
  return '';
}

const SUFFIX_SEPARATOR = /\s+[–—|-]\s+/g;

/** "Judul – Jurnal Pagi" → "Judul". Without a known site name only `<title>` loses its last segment. */
function stripSiteSuffix(title: string, siteName: string | undefined, guess: boolean): string {
  const separators = [...title.matchAll(SUFFIX_SEPARATOR)];
  const last = separators.at(-1);
  if (last?.index === undefined) return title;
  const head = title.slice(0, last.index).trim();
  const tail = title.slice(last.index + last[0].length).trim();
  if (head.length === 0) return title;
  if (siteName !== undefined ? tail.toLowerCase() === siteName.toLowerCase() : guess && tail.length <= 40) return head;
  return title;
}

function findPostId(doc: Document): string | undefined {
  const body = findFirst(doc, (el) => el.name === 'body');
  const fromClass = body ? classesOf(body).map((c) => /^postid-(\d+)$/.exec(c)?.[1]).find((v) => v !== undefined) : undefined;
  const shortlink = linkHref(doc, 'shortlink');
  const fromShortlink = shortlink ? /[?&]p=(\d+)/.exec(shortlink)?.[1] : undefined;
  const fromArticle = /^post-(\d+)$/.exec(findFirst(doc, (el) => el.name === 'article' && /^post-\d+$/.test(el.attribs['id'] ?? ''))?.attribs['id'] ?? '')?.[1];
  const postId = fromClass ?? fromShortlink ?? fromArticle;
  return postId ? `wp-${postId}` : undefined;
}

function timeAttr(scope: AnyNode, test: (el: Element) => boolean): string | undefined {
  return str(findFirst(scope, (el) => el.name === 'time' && el.attribs['datetime'] !== undefined && test(el))?.attribs['datetime']);
}

/**
 * Dates with an offset (or date-only) become UTC `toISOString()`. Anything else passes through
 * unchanged so validation names the field rather than Warta guessing a time zone.
 */
function toUtcIso(raw: string): string {
  // An impossible date ("2025-02-30") must reach validation as written: Date would roll it into March.
  if (instantProblem(raw) !== undefined) return raw;
  const zoned = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i.test(raw);
  const time = Date.parse(raw.replace(' ', 'T'));
  return zoned && !Number.isNaN(time) ? new Date(time).toISOString() : raw;
}

function languageOf(doc: Document, ogLocale: string | undefined, ldLanguage: string | undefined): string | undefined {
  const htmlLang = str(findFirst(doc, (el) => el.name === 'html')?.attribs['lang']);
  const tag = firstOf(htmlLang, ogLocale, ldLanguage);
  const primary = tag ? /^([a-zA-Z]{2,3})(?:[-_]|$)/.exec(tag)?.[1] : undefined;
  return primary?.toLowerCase();
}

function findAuthors(scope: AnyNode, metas: Map<string, string[]>, ld: JsonRecord | undefined): Author[] {
  const fromMeta = metas.get('author') ?? [];
  const fromMarkup = [
    ...select(scope, [{ className: 'author' }, { className: 'fn' }]),
    ...findAll(scope, (el) => el.name === 'a' && relOf(el).includes('author')),
  ].map((el) => textOf(el));
  const ldAuthors = ld?.['author'];
  const fromLd = (Array.isArray(ldAuthors) ? ldAuthors : [ldAuthors]).map((a) => str(record(a)?.['name']) ?? str(a)).filter((n): n is string => n !== undefined);
  const names = [fromMeta, fromMarkup, fromLd].map(unique).find((list) => list.length > 0) ?? [];
  return names.map((name) => ({ name }));
}

function findImages(scope: AnyNode, metas: Map<string, string[]>, ld: JsonRecord | undefined, baseUrl: string | undefined): Image[] {
  const thumb = findFirst(scope, isFeaturedImage);
  const thumbImg = thumb ? findFirst(thumb, (el) => el.name === 'img' || el.name === 'amp-img') : undefined;
  const captionEl = thumb ? findFirst(thumb, (el) => el.name === 'figcaption' || classesOf(el).includes('wp-caption-text')) : undefined;
  const ldImage = ld?.['image'];
  const ldFirst = Array.isArray(ldImage) ? ldImage[0] : ldImage;
  const src = firstOf(
    metas.get('og:image')?.[0],
    thumbImg ? str(thumbImg.attribs['src']) ?? str(thumbImg.attribs['data-src']) : undefined,
    str(ldFirst) ?? str(record(ldFirst)?.['url']),
  );
  const absolute = src ? absoluteHttpUrl(src, baseUrl) : undefined;
  if (!absolute) return [];
  const image: Image = { url: absolute };
  // Sizes from Open Graph, else the featured image's own attributes, else JSON-LD's ImageObject (AMP pages).
  const ldSize = (key: string): string | undefined => {
    const value = record(ldFirst)?.[key];
    return typeof value === 'number' ? String(value) : str(value);
  };
  const width = positiveInt(metas.get('og:image:width')?.[0] ?? thumbImg?.attribs['width'] ?? ldSize('width'));
  const height = positiveInt(metas.get('og:image:height')?.[0] ?? thumbImg?.attribs['height'] ?? ldSize('height'));
  if (width) image.width = width;
  if (height) image.height = height;
  const type = metas.get('og:image:type')?.[0];
  if (type) image.type = type;
  const caption = captionEl ? textOf(captionEl) : undefined;
  if (caption) image.caption = caption;
  return [image];
}

/**
 * The post's featured image wrapper, wherever the theme puts it (before the content, or inside it as
 * Newspaper's `td-post-featured-image` does): `post-thumbnail`, `wp-block-post-featured-image`,
 * `single-featured-image`, `amp-wp-article-featured-image`, GeneratePress's `featured-image`.
 */
function isFeaturedImage(el: Element): boolean {
  return classesOf(el).some((c) => /(?:^|[-_])(?:featured-image|post-thumbnail)$/i.test(c));
}

function positiveInt(value: string | undefined): number | undefined {
  const n = value === undefined ? Number.NaN : Number.parseInt(value, 10);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function absoluteHttpUrl(value: string, baseUrl: string | undefined): string | undefined {
  try {
    const url = baseUrl ? new URL(value, baseUrl) : new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- body

const CONTENT_SELECTORS: ((el: Element) => boolean)[] = [
  (el) => classesOf(el).includes('entry-content'),
  (el) => classesOf(el).includes('post-content'),
  (el) => el.attribs['itemprop'] === 'articleBody',
  (el) => classesOf(el).includes('article-content') || classesOf(el).includes('td-post-content'),
];

function findContent(doc: Document, scope: AnyNode): Element | undefined {
  for (const test of CONTENT_SELECTORS) {
    const found = findFirst(scope, test) ?? findFirst(doc, test);
    if (found) return found;
  }
  // Last resort: the article element itself, without its header, footer and navigation.
  if (isElement(scope) && scope.name === 'article') {
    for (const el of findAll(scope, (e) => ['header', 'footer', 'nav'].includes(e.name) || classesOf(e).includes('entry-header') || classesOf(e).includes('entry-footer'))) {
      DomUtils.removeElement(el);
    }
    return scope;
  }
  return undefined;
}

const DROP_TAGS = new Set(['script', 'style', 'noscript', 'form', 'template', 'button', 'input', 'select', 'textarea', 'svg', 'nav', 'aside', 'object', 'embed', 'link', 'meta']);
const DROP_IDS = new Set(['respond', 'comments', 'jp-post-flair', 'jp-relatedposts']);
const DROP_CLASSES = new Set([
  'comment-respond', 'comments-area', 'sharedaddy', 'sd-sharing-enabled', 'sd-block', 'jp-relatedposts',
  'addtoany_share_save_container', 'addtoany_content', 'a2a_kit', 'adsbygoogle', 'code-block',
  'heateor_sss_sharing_container', 'shared-counts-wrap', 'ssba', 'yarpp-related', 'crp_related',
  'screen-reader-text', 'post-navigation', 'nav-links', 'wp-block-comments',
]);
// Theme- and plugin-specific variants: "social-share", "entry-share-buttons", "ads-inline", "iklan_tengah"…
// Tag lists some themes print inside the content ("post-tags", Jannah's "post-bottom-tags", "tagcloud") are
// metadata, read as tags from their rel="tag" links, not body text.
const DROP_CLASS_PATTERN = /(?:^|[-_])(?:share|sharing|social|ads?|advert\w*|iklan|sponsor\w*|related|newsletter|subscribe|tags?|tagcloud)(?:[-_]|$)/i;

function isJunk(el: Element): boolean {
  if (DROP_TAGS.has(el.name)) return true;
  // The featured image is the article's image (its caption is the image's), not a figure of the text.
  if (isFeaturedImage(el)) return true;
  if (el.name === 'iframe' || el.name === 'amp-youtube') return youtubeWatchUrl(el) === undefined;
  const id = el.attribs['id'];
  if (id !== undefined && DROP_IDS.has(id)) return true;
  return classesOf(el).some((c) => DROP_CLASSES.has(c) || DROP_CLASS_PATTERN.test(c));
}

/** A YouTube embed (an iframe, or AMP's `<amp-youtube data-videoid>`) is the one embed readers of a feed lose something without; it becomes a link. */
function youtubeWatchUrl(iframe: Element): string | undefined {
  const videoId = iframe.name === 'amp-youtube' ? iframe.attribs['data-videoid'] : undefined;
  if (videoId !== undefined) return /^[\w-]{6,20}$/.test(videoId) ? `https://www.youtube.com/watch?v=${videoId}` : undefined;
  const src = iframe.attribs['src'] ?? '';
  const id = /^(?:https?:)?\/\/(?:www\.)?youtube(?:-nocookie)?\.com\/embed\/([\w-]{6,20})/.exec(src)?.[1];
  return id ? `https://www.youtube.com/watch?v=${id}` : undefined;
}

interface ContentFindings {
  relatedHeadlines: RelatedHeadline[];
  reporters: string[];
  dateline?: Dateline;
  editor?: string;
  copyright?: string;
  correction?: string;
}

/**
 * Cleans `content` in place and pulls the newsroom conventions out of it: junk widgets removed,
 * comment form and everything after it dropped, credits, copyright and related headlines taken
 * out of the body, the dateline cut from the first paragraph.
 */
function readContent(content: Element, baseUrl: string | undefined): ContentFindings {
  removeComments(content);
  for (const el of findAll(content, isJunk)) {
    if (el.parent !== null) DomUtils.removeElement(el);
  }
  for (const iframe of findAll(content, (el) => el.name === 'iframe' || el.name === 'amp-youtube')) {
    const watch = youtubeWatchUrl(iframe);
    const link = watch ? parseDocument(`<p><a href="${escapeHtml(watch)}">${escapeHtml(watch)}</a></p>`).children[0] : undefined;
    if (link) DomUtils.replaceElement(iframe, link);
  }

  const findings: ContentFindings = { relatedHeadlines: [], reporters: [] };
  let bodyParagraphs = 0;
  let afterSharePrompt = false;
  const outletLabels = (): string[] => (findings.dateline?.source ? [findings.dateline.source] : []);
  const blocks = findAll(content, (el) => el.name === 'p' || (el.name === 'div' && !findFirst(el, (c) => ['p', 'div', 'figure', 'ul', 'ol', 'table'].includes(c.name))) || linkListLinks(el) !== undefined);
  for (const block of blocks) {
    // Removing the comment form or a credit may already have detached this block.
    if (!isAttached(block, content)) continue;
    const listLinks = linkListLinks(block);
    if (listLinks) {
      // A list of links right after a read-also label ("Baca Juga:" then <ul><li><a>…</a></li>…</ul>) is the
      // editor's related headlines, one per item; any other list is body text.
      const labelElement = previousElement(block);
      const label = labelElement ? readAloneHeadlineLabel(textOf(labelElement), outletLabels()) : undefined;
      if (labelElement && label) {
        for (const link of listLinks) findings.relatedHeadlines.push(linkedHeadline(link, label, baseUrl));
        DomUtils.removeElement(labelElement);
        DomUtils.removeElement(block);
      }
      continue;
    }
    const text = cleanLine(textOf(block));
    if (text.length === 0) continue;
    // A label standing alone before its list of links is read with the list.
    const nextElement = nextElementOf(block);
    if (readAloneHeadlineLabel(text, outletLabels()) !== undefined && nextElement && linkListLinks(nextElement)) continue;
    if (isCommentFormHeading(text)) {
      removeFrom(block, content);
      break;
    }
    if (afterSharePrompt && isShareTarget(text)) {
      DomUtils.removeElement(block);
      continue;
    }
    afterSharePrompt = isSharePrompt(text);
    if (isBoilerplate(text)) {
      DomUtils.removeElement(block);
      continue;
    }
    // Credits and copyright often share one paragraph, split by <br>: read them line by line.
    const lines = linesOf(block);
    if (lines.every((line) => matchCredit(line) !== undefined || isCopyrightLine(line) || isBoilerplate(line))) {
      for (const line of lines) {
        const credit = matchCredit(line);
        if (credit?.kind === 'editor') findings.editor ??= credit.name;
        else if (credit?.kind === 'reporter') {
          findings.reporters.push(...credit.names.filter((n) => !findings.reporters.includes(n)));
          if (credit.alsoEditor) findings.editor ??= credit.names.join(' / ');
        }
        else if (isCopyrightLine(line)) findings.copyright ??= line;
      }
      DomUtils.removeElement(block);
      continue;
    }
    const note = matchCorrectionNote(text);
    if (note) {
      findings.correction = findings.correction ? `${findings.correction} ${note}` : note;
      DomUtils.removeElement(block);
      continue;
    }
    const headline = readHeadline(block, text, bodyParagraphs > 0, baseUrl, outletLabels());
    if (headline) {
      findings.relatedHeadlines.push(headline);
      DomUtils.removeElement(block);
      continue;
    }
    if (bodyParagraphs === 0 && findings.dateline === undefined && !findFirst(block, (el) => el.name === 'img')) {
      const dateline = cutDateline(block);
      if (dateline) findings.dateline = dateline;
    }
    bodyParagraphs++;
  }
  return findings;
}

/** The links of a list whose every item is exactly one link (nothing else in the item), else undefined. */
function linkListLinks(el: Element): Element[] | undefined {
  if (el.name !== 'ul' && el.name !== 'ol') return undefined;
  const items = el.children.filter(isElement);
  if (items.length === 0 || items.some((li) => li.name !== 'li')) return undefined;
  const links: Element[] = [];
  for (const li of items) {
    const anchors = findAll(li, (a) => a.name === 'a' && a.attribs['href'] !== undefined);
    const only = anchors.length === 1 ? anchors[0] : undefined;
    if (!only || cleanLine(textOf(only)).length === 0 || cleanLine(textOf(only)) !== cleanLine(textOf(li))) return undefined;
    links.push(only);
  }
  return links;
}

function previousElement(el: Element): Element | undefined {
  const siblings = el.parent?.children ?? [];
  return siblings.slice(0, siblings.indexOf(el)).filter(isElement).at(-1);
}

function nextElementOf(el: Element): Element | undefined {
  const siblings = el.parent?.children ?? [];
  return siblings.slice(siblings.indexOf(el) + 1).find(isElement);
}

/** A related headline from a link: its text, the given label, and its address made absolute. */
function linkedHeadline(link: Element, label: string | undefined, baseUrl: string | undefined): RelatedHeadline {
  const headline: RelatedHeadline = { text: cleanLine(textOf(link)).replace(/\s*[»›→]+$/u, '') };
  if (label !== undefined) headline.label = label;
  const href = absoluteHttpUrl(link.attribs['href'] ?? '', baseUrl);
  if (href && !matches(link, { attr: { name: 'href', value: '#' } })) headline.url = href;
  return headline;
}

/** The cleaned lines of a block, `<br>` ending a line. */
function linesOf(block: Element): string[] {
  const parts: string[] = [];
  const walk = (node: AnyNode): void => {
    if (isTextNode(node)) parts.push(node.data);
    else if (isElement(node)) {
      if (node.name === 'br') parts.push('\n');
      node.children.forEach(walk);
    }
  };
  walk(block);
  return parts
    .join('')
    .split('\n')
    .map(cleanLine)
    .filter((line) => line.length > 0);
}

/** Removes every HTML comment under `root`, walking with an explicit stack (no recursion on deep pages). */
function removeComments(root: Element): void {
  const stack: Element[] = [root];
  for (let el = stack.pop(); el !== undefined; el = stack.pop()) {
    for (const child of [...el.children]) {
      if (child.type === ElementType.Comment) DomUtils.removeElement(child);
      else if (isElement(child)) stack.push(child);
    }
  }
}

function isAttached(el: Element, root: Element): boolean {
  let node: AnyNode | null = el;
  while (node !== null && node !== root) node = node.parent;
  return node === root;
}

/** Removes `el` and everything after it (its later siblings and those of its ancestors) inside `root`. */
function removeFrom(el: Element, root: Element): void {
  let node: Element = el;
  while (node !== root) {
    const parent = node.parent;
    if (parent === null) return;
    const siblings = parent.children;
    for (const later of siblings.slice(siblings.indexOf(node) + 1)) DomUtils.removeElement(later);
    if (node === el) DomUtils.removeElement(node);
    if (!isElement(parent)) return;
    node = parent;
  }
}

/**
 * A paragraph is a related headline when it matches the shared headline rule and either carries a
 * "Baca juga"-style label or sits after the first body paragraph; its link (if any) becomes `url`.
 */
function readHeadline(block: Element, text: string, afterBody: boolean, baseUrl: string | undefined, outletLabels: readonly string[]): RelatedHeadline | undefined {
  if (findFirst(block, (el) => el.name === 'img')) return undefined;
  // "<span>Baca Juga</span> <a>…</a>": the markup, not a colon, sets the label apart from the linked headline.
  const anchors = findAll(block, (el) => el.name === 'a' && el.attribs['href'] !== undefined);
  const only = anchors.length === 1 ? anchors[0] : undefined;
  const onlyText = only ? cleanLine(textOf(only)) : '';
  if (only && onlyText.length > 0 && text.endsWith(onlyText)) {
    const label = readAloneHeadlineLabel(text.slice(0, text.length - onlyText.length), outletLabels);
    if (label !== undefined && matchRelatedHeadline(onlyText, outletLabels) !== undefined) return linkedHeadline(only, label, baseUrl);
  }
  const headline = matchRelatedHeadline(text, outletLabels);
  if (!headline) return undefined;
  const links = findAll(block, (el) => el.name === 'a' && el.attribs['href'] !== undefined);
  const link = links.length === 1 ? links[0] : undefined;
  const linkText = link ? cleanLine(textOf(link)).replace(/\s*[»›→]+$/u, '') : '';
  // In HTML a read-also item is a link (the whole paragraph is its text) or a paragraph carrying a
  // read-also label. An unlinked, unlabelled short paragraph (a lead-in, a one-line quotation, a
  // footnote) is body text.
  const linkItem = link !== undefined && linkText.length > 0 && linkText === headline.text;
  if (headline.label === undefined && !(linkItem && afterBody)) return undefined;
  const result: RelatedHeadline = { ...headline };
  if (link) {
    if (linkText.length > 0 && !matches(link, { attr: { name: 'href', value: '#' } })) result.text = linkText;
    const href = absoluteHttpUrl(link.attribs['href'] ?? '', baseUrl);
    if (href) result.url = href;
  }
  return result;
}

/** Finds a dateline at the start of `block`'s text and removes exactly those characters from its text nodes. */
function cutDateline(block: Element): Dateline | undefined {
  const raw = DomUtils.textContent(block).replace(/[\u00a0\u2000-\u200a\u202f]/g, ' ');
  const lead = raw.length - raw.trimStart().length;
  const match = matchDateline(raw.slice(lead));
  if (!match) return undefined;
  let remaining = lead + match.length;
  const strip = (node: AnyNode): void => {
    if (remaining <= 0) return;
    if (isTextNode(node)) {
      const take = Math.min(remaining, node.data.length);
      node.data = node.data.slice(take);
      remaining -= take;
      if (remaining === 0) node.data = node.data.trimStart();
    } else if (isElement(node)) {
      for (const child of [...node.children]) strip(child);
      // "<strong>Jakarta (JurnalPagi)</strong> – …" leaves an empty <strong> behind.
      if (node !== block && DomUtils.textContent(node).trim().length === 0 && !findFirst(node, (el) => el.name === 'img')) DomUtils.removeElement(node);
    }
  };
  strip(block);
  trimLeadingWhitespace(block);
  return match.dateline;
}

/** The text after the dash may start in a later node; the paragraph must not open with a space. */
function trimLeadingWhitespace(node: AnyNode): boolean {
  if (isTextNode(node)) {
    node.data = node.data.trimStart();
    return node.data.length > 0;
  }
  if (isElement(node)) {
    for (const child of node.children) {
      if (trimLeadingWhitespace(child)) return true;
    }
  }
  return false;
}
