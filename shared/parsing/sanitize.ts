import sanitizeHtml from 'sanitize-html';
import { parseDocument } from 'htmlparser2';
import type { ChildNode } from 'domhandler';
import { isElement, isTextNode } from './dom-helpers.js';

/** Result of sanitizing an article body: safe HTML for feeds and its plain text. */
export interface SanitizedHtml {
  html: string;
  text: string;
}

const ALLOWED_TAGS = [
  'p', 'br', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li',
  'a', 'strong', 'em', 'b', 'i', 'figure', 'figcaption', 'img',
  'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td',
];

// Tags whose text is code, form chrome or embedded documents: dropping the tag must drop the text too.
const NON_TEXT_TAGS = [
  'script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed',
  'template', 'svg', 'math', 'select', 'button', 'head', 'title', 'canvas', 'audio', 'video',
];

/**
 * Sanitizes article HTML for syndication: structural and inline text tags only, http(s)/mailto
 * links, http(s) images, relative URLs made absolute against `baseUrl`; scripts, styles, iframes,
 * event handlers and `javascript:` URLs are gone. Idempotent: sanitizing the output again
 * returns the same string. `text` is the plain text, one paragraph per block, entities decoded.
 */
export function sanitizeArticleHtml(html: string, options: { baseUrl?: string } = {}): SanitizedHtml {
  const absolutize = urlResolver(options.baseUrl);
  const clean = sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ['href'],
      img: ['src', 'alt', 'width', 'height'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan', 'scope'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['http', 'https'] },
    allowProtocolRelative: false,
    nonTextTags: NON_TEXT_TAGS,
    transformTags: {
      h1: 'h2',
      a: (tagName, attribs) => withUrl(tagName, attribs, 'href', absolutize),
      img: (tagName, attribs) => withUrl(tagName, attribs, 'src', absolutize),
    },
    // Paragraphs emptied by removing scripts, ads or share widgets would show as gaps in readers.
    // An image whose only source was unsafe (data:, javascript:) is an empty box.
    exclusiveFilter: (frame) =>
      (frame.tag === 'img' && !frame.attribs['src']) ||
      ((frame.tag === 'p' || frame.tag === 'figure' || frame.tag === 'li') &&
        frame.mediaChildren.length === 0 &&
        frame.text.replace(/[\s\u00a0]+/g, '').length === 0),
  }).trim();
  return { html: clean, text: htmlToText(clean) };
}

function withUrl(
  tagName: string,
  attribs: Record<string, string>,
  name: 'href' | 'src',
  absolutize: (url: string) => string | undefined,
): sanitizeHtml.Tag {
  // Rebuilt in the original order so serialization stays stable.
  const next: Record<string, string> = {};
  for (const [key, value] of Object.entries(attribs)) {
    if (key !== name) next[key] = value;
    else {
      const resolved = absolutize(value);
      if (resolved !== undefined) next[key] = resolved;
    }
  }
  return { tagName, attribs: next };
}

/** Resolves a URL against `baseUrl`; without a base, relative URLs are kept as they are. */
function urlResolver(baseUrl: string | undefined): (url: string) => string | undefined {
  return (url) => {
    const trimmed = url.trim();
    if (trimmed.length === 0) return undefined;
    if (baseUrl === undefined) return trimmed;
    try {
      return new URL(trimmed, baseUrl).href;
    } catch {
      return trimmed;
    }
  };
}

const BLOCK_TAGS = new Set([
  'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li', 'figure',
  'figcaption', 'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'div', 'section', 'article',
]);

/** Plain text of HTML: one paragraph per block element, joined by blank lines, whitespace collapsed. */
export function htmlToText(html: string): string {
  const parts: string[] = [];
  const walk = (nodes: ChildNode[]): void => {
    for (const node of nodes) {
      if (isTextNode(node)) {
        parts.push(node.data);
      } else if (isElement(node)) {
        if (NON_TEXT_TAGS.includes(node.name)) continue;
        const block = BLOCK_TAGS.has(node.name) || node.name === 'td' || node.name === 'th';
        if (block) parts.push('\n\n');
        else if (node.name === 'br') parts.push(' ');
        walk(node.children);
        if (block) parts.push('\n\n');
      }
    }
  };
  walk(parseDocument(html).children);
  return parts
    .join('')
    .split(/\n\s*\n/)
    .map((p) => p.replace(/[\s\u00a0]+/g, ' ').trim())
    .filter((p) => p.length > 0)
    .join('\n\n');
}

/**
 * A summary from plain text: as many whole leading paragraphs as fit in `maxChars`; when even the
 * first does not fit, it is cut at a word boundary and ends with "…".
 */
export function summarize(text: string, maxChars = 300): string {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0);
  const first = paragraphs[0];
  if (first === undefined) return '';
  if (first.length > maxChars) return cutAtWord(first, maxChars);
  let summary = first;
  for (const next of paragraphs.slice(1)) {
    const longer = `${summary} ${next}`;
    if (longer.length > maxChars) break;
    summary = longer;
  }
  return summary;
}

function cutAtWord(text: string, maxChars: number): string {
  const room = Math.max(1, maxChars - 1);
  const slice = text.slice(0, room + 1);
  const lastSpace = slice.lastIndexOf(' ');
  // A single huge word has no boundary to cut at; cut it hard rather than return nothing.
  const cut = lastSpace > 0 ? slice.slice(0, lastSpace) : text.slice(0, room);
  return `${cut.replace(/[\s,;:.\-–—]+$/u, '')}…`;
}
