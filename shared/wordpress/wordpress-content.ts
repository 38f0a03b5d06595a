import { autop } from '@wordpress/autop';
import { replace as replaceShortcode } from '@wordpress/shortcode';
import { DomUtils, parseDocument } from 'htmlparser2';
import { escapeHtml } from '../parsing/newsroom-conventions.js';

/** An attachment of the export (or the REST API's media), as a post's content and featured image refer to it. */
export interface WordPressAttachment {
  id: string;
  url: string;
  caption?: string;
  alt?: string;
  /** The post the attachment was uploaded to: `[gallery]` without `ids` shows these. */
  parentId?: string;
}

export interface RenderedContent {
  /** The post body as the site's single-post page shows it (not yet sanitized; ingest sanitizes). */
  html: string;
  /** The part before `<!--more-->`, when the post has one: the teaser WordPress shows on archive pages. */
  teaserHtml?: string;
}

export interface ContentContext {
  /** Resolves an attachment id (`[gallery ids]`); undefined when the export has no such attachment. */
  attachment?: (id: string) => WordPressAttachment | undefined;
  /** Attachments uploaded to this post, in export order (`[gallery]` without `ids`). */
  childAttachments?: () => WordPressAttachment[];
}

/** A post written in the block editor: its content holds block delimiters, and WordPress does not run wpautop on it. */
const BLOCK_DELIMITER = /<!--\s+\/?wp:[a-z][\s\S]*?-->/g;
const MORE = /<!--more(.*?)?-->/;
const NEXTPAGE = /<!--nextpage-->/g;
const NOTEASER = /<!--noteaser-->/g;

/**
 * Renders raw `post_content` (as a WXR export carries it) the way WordPress's `the_content` shows it on
 * the single-post page: block delimiters removed, `<!--more-->` and `<!--nextpage-->` markers removed
 * (every page of a paged post is shown, one after another, as WordPress does in feeds), paragraphs made
 * from blank lines for classic-editor posts (`wpautop`), the common core shortcodes turned into HTML and
 * other shortcodes removed (their enclosed text kept). Smart quotes (`wptexturize`) are deliberately not
 * applied: the text stays exactly as the author typed it.
 */
export function renderPostContent(raw: string, context: ContentContext = {}): RenderedContent {
  const isBlockPost = /<!--\s+wp:[a-z]/.test(raw);
  let text = raw.replace(/\r\n?/g, '\n').replace(NOTEASER, '');
  let teaser: string | undefined;
  const more = MORE.exec(text);
  if (more) {
    teaser = text.slice(0, more.index);
    text = `${teaser}${text.slice(more.index + more[0].length)}`;
  }
  const render = (source: string): string => {
    // Shortcodes before paragraphs: the figures and links they become are blocks that wpautop leaves unwrapped
    // (WordPress gets the same result from wpautop, do_shortcode and shortcode_unautop).
    let html = renderShortcodes(source.replace(NEXTPAGE, '\n\n').replace(BLOCK_DELIMITER, ''), context);
    if (!isBlockPost) html = autop(html);
    return linkBareUrls(html).trim();
  };
  const html = render(text);
  const teaserHtml = teaser !== undefined ? render(teaser) : undefined;
  return teaserHtml ? { html, teaserHtml } : { html };
}

// ------------------------------------------------------------------ shortcodes

/**
 * A bracketed word is taken for a shortcode only when it looks like one: it has attributes, a closing
 * tag, or a `-`/`_` in its name. So `[sic]`, `[1]` and `[Update]` in a story stay as written, while
 * `[contact-form-7 id="5"]` or `[su_box]…[/su_box]` from a plugin that is not there are removed.
 */
const CANDIDATE = /\[\/?([a-z][a-z0-9_-]*)(\s[^\]]*)?\/?\]/g;

function renderShortcodes(html: string, context: ContentContext): string {
  let out = html;
  out = replaceShortcode('caption', out, ({ attrs, content }) => caption(content ?? '', String(attrs.named['caption'] ?? '')));
  out = replaceShortcode('wp_caption', out, ({ attrs, content }) => caption(content ?? '', String(attrs.named['caption'] ?? '')));
  out = replaceShortcode('gallery', out, ({ attrs }) => gallery(String(attrs.named['ids'] ?? attrs.named['include'] ?? ''), context));
  out = replaceShortcode('embed', out, ({ content }) => link((content ?? '').trim()));
  out = replaceShortcode('audio', out, ({ attrs }) => link(mediaSource(attrs.named)));
  out = replaceShortcode('video', out, ({ attrs }) => link(mediaSource(attrs.named)));
  out = replaceShortcode('playlist', out, () => '');

  const names = new Set<string>();
  const hasClosing = new Set<string>();
  for (const match of out.matchAll(CANDIDATE)) {
    const name = match[1] as string;
    if (match[0].startsWith('[/')) hasClosing.add(name);
    if (match[2]?.trim() || /[-_]/.test(name) || match[0].endsWith('/]')) names.add(name);
  }
  for (const name of hasClosing) names.add(name);
  // Repeated until nothing changes: an unclosed tag before an enclosing pair of the same name is read by
  // WordPress's own pattern as one shortcode wrapping the pair's opening tag.
  for (let pass = 0; pass < 5; pass++) {
    const before = out;
    for (const name of names) out = replaceShortcode(name, out, ({ content }) => content ?? '');
    if (out === before) break;
  }
  return out;
}

/** `[caption]<img …> Text[/caption]` (or `caption="Text"`) → `<figure><img …><figcaption>Text</figcaption></figure>`. */
function caption(content: string, attrCaption: string): string {
  const trimmed = content.trim();
  const media = /^(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*<\/a>)?/i.exec(trimmed);
  const image = media ? media[0] : '';
  const text = (attrCaption || (media ? trimmed.slice(media[0].length) : trimmed)).trim();
  return `<figure>${image}${text ? `<figcaption>${text}</figcaption>` : ''}</figure>`;
}

function gallery(ids: string, context: ContentContext): string {
  const list = ids
    ? ids
        .split(',')
        .map((id) => context.attachment?.(id.trim()))
        .filter((a): a is WordPressAttachment => a !== undefined)
    : (context.childAttachments?.() ?? []);
  return list
    .map(
      (a) =>
        `<figure><img src="${escapeHtml(a.url)}" alt="${escapeHtml(a.alt ?? '')}">${a.caption ? `<figcaption>${escapeHtml(a.caption)}</figcaption>` : ''}</figure>`,
    )
    .join('\n');
}

const MEDIA_KEYS = ['src', 'mp4', 'm4v', 'webm', 'ogv', 'wmv', 'flv', 'mp3', 'ogg', 'wma', 'm4a', 'wav'];

function mediaSource(named: Record<string, string | undefined>): string {
  for (const key of MEDIA_KEYS) {
    const value = named[key];
    if (value) return value;
  }
  return '';
}

/** Audio, video and embeds cannot play in a feed reader; a link to the media keeps them reachable. */
function link(url: string): string {
  if (!/^https?:\/\/\S+$/i.test(url)) return '';
  return `<p><a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>`;
}

/** WordPress turns a URL alone on its line into an oEmbed player; in a feed it becomes a link. */
function linkBareUrls(html: string): string {
  return html.replace(/(^|<p>|<div class="wp-block-embed__wrapper">|\n)\s*(https?:\/\/[^\s<>"]+)\s*(?=<\/p>|<\/div>|\n|$)/g, (_m, before: string, url: string) => {
    return `${before}<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
  });
}

// ------------------------------------------------------------------ plain text

/**
 * The text a reader sees of a WordPress title or excerpt: tags dropped, entities decoded exactly once
 * (`&amp;amp;` stays `&amp;`), white space collapsed. WordPress stores titles with whatever markup the
 * editor typed (`Title <em>With</em> Markup`) and renders it; feeds carry the plain text.
 */
export function plainText(html: string): string {
  const doc = parseDocument(html, { decodeEntities: true });
  return DomUtils.textContent(doc).replace(/\s+/g, ' ').trim();
}
