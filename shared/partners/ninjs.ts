import { isHttpUrl } from '../text/http-url.js';
import { correctionNoteHtml, correctionNoteText } from '../article/correction.js';
import { articleTagUri } from '../feeds/feed-ids.js';
import { excerpt } from '../feeds/feed-entry.js';
import { imageMediaType, type RelatedLink } from '../feeds/render-feeds.js';
import { stripInvalidXmlCharsDeep } from '../feeds/xml-text.js';
import type { Article } from '../model/article.js';
import { slugify } from '../text/slugify.js';

/**
 * IPTC ninjs 2.x (https://iptc.org/std/ninjs/) documents for partners: one JSON document per
 * article, the shape news agencies exchange. Pure: everything comes from the article and options.
 */

export const NINJS_STANDARD = {
  name: 'ninjs',
  version: '2.1',
  schema: 'http://www.iptc.org/std/ninjs/ninjs-schema_2.1.json',
} as const;

export interface NinjsOptions {
  related?: readonly RelatedLink[];
  includeImages: boolean;
  fullText: boolean;
  /** Site URL whose host names the `uri` authority; defaults to the article URL's origin. Same `uri` as the feed entry id. */
  siteUrl?: string;
}

export interface NinjsRendition {
  name: string;
  href: string;
  contenttype?: string;
  width?: number;
  height?: number;
  title?: string;
}

export interface NinjsAssociation {
  name: string;
  uri: string;
  type: 'text';
  headlines: { role: string; value: string }[];
  altids: { role: string; value: string }[];
}

/** The subset of ninjs 2.1 Warta emits; property names and shapes follow the IPTC schema (arrays, not keyed objects). */
export interface NinjsDocument {
  standard: typeof NINJS_STANDARD;
  uri: string;
  type: 'text';
  representationtype: 'full' | 'partial';
  version: string;
  versioncreated: string;
  firstcreated: string;
  pubstatus: 'usable' | 'canceled';
  language: string;
  headlines: { role: string; value: string }[];
  descriptions: { role: string; contenttype: string; value: string }[];
  bodies: { role: string; contenttype: string; charcount?: number; value: string }[];
  by?: string;
  located?: string;
  subjects: { name: string; uri: string; rel: string; relevance?: number }[];
  renditions?: NinjsRendition[];
  associations?: NinjsAssociation[];
  copyrightnotice?: string;
  infosources?: { name: string; role: string }[];
  /** `webpage`: the article on the outlet's site; `slug`: its current slug. */
  altids: { role: string; value: string }[];
}

function subjectUri(siteUrl: string, kind: 'section' | 'tag', name: string): string {
  return `${siteUrl.replace(/\/+$/, '')}/${kind}/${slugify(name)}`;
}

/**
 * The ninjs document of an article. A withdrawn article keeps its document with `pubstatus: canceled`
 * and no body, so a partner that already holds it learns to take it down.
 */
export function toNinjs(article: Article, options: NinjsOptions): NinjsDocument {
  const siteUrl = options.siteUrl ?? new URL(article.url).origin;
  const withdrawn = article.status === 'withdrawn';
  const summary = article.summary || excerpt(article.bodyText);
  const bodies: NinjsDocument['bodies'] = [];
  if (options.fullText && !withdrawn) {
    // A correction note opens the body, as in the public feeds.
    const html = article.correction ? `${correctionNoteHtml(article.correction)}\n${article.bodyHtml}` : article.bodyHtml;
    const text = article.correction ? `${correctionNoteText(article.correction)}\n\n${article.bodyText}` : article.bodyText;
    bodies.push(
      { role: 'main', contenttype: 'text/html', value: html },
      { role: 'main', contenttype: 'text/plain', charcount: [...text].length, value: text },
    );
  }
  const doc: NinjsDocument = {
    standard: NINJS_STANDARD,
    uri: articleTagUri(siteUrl, article.id),
    type: 'text',
    representationtype: options.fullText && !withdrawn ? 'full' : 'partial',
    version: String(article.version),
    versioncreated: article.updatedAt,
    firstcreated: article.publishedAt,
    pubstatus: withdrawn ? 'canceled' : 'usable',
    language: article.language,
    headlines: [{ role: 'main', value: article.title }],
    descriptions: withdrawn
      ? []
      : [
          { role: 'summary', contenttype: 'text/plain', value: summary },
          ...(article.correction ? [{ role: 'correction', contenttype: 'text/plain', value: correctionNoteText(article.correction) }] : []),
        ],
    bodies,
    subjects: [
      { name: article.section, uri: subjectUri(siteUrl, 'section', article.section), rel: 'section', relevance: 100 },
      ...article.tags
        .filter((tag, i, all) => all.findIndex((t) => slugify(t) === slugify(tag)) === i && slugify(tag) !== slugify(article.section))
        .map((tag) => ({ name: tag, uri: subjectUri(siteUrl, 'tag', tag), rel: 'tag' })),
    ],
    altids: [
      { role: 'webpage', value: article.url },
      { role: 'slug', value: article.slug },
    ],
  };
  if (article.authors.length > 0) doc.by = article.authors.map((a) => a.name).join(', ');
  if (article.dateline) {
    doc.located = article.dateline.place;
    if (article.dateline.source) doc.infosources = [{ name: article.dateline.source, role: 'source' }];
  }
  if (options.includeImages && !withdrawn && article.images.length > 0) {
    doc.renditions = article.images.filter((image) => isHttpUrl(image.url)).map((image, index) => {
      const rendition: NinjsRendition = { name: index === 0 ? 'main' : `image${index + 1}`, href: image.url };
      const contenttype = imageMediaType(image);
      if (contenttype) rendition.contenttype = contenttype;
      if (image.width) rendition.width = image.width;
      if (image.height) rendition.height = image.height;
      if (image.caption) rendition.title = image.caption;
      return rendition;
    });
  }
  if (options.related && options.related.length > 0 && !withdrawn) {
    doc.associations = options.related.filter((link) => isHttpUrl(link.url)).map((link, index) => ({
      name: `related${index + 1}`,
      uri: articleTagUri(siteUrl, link.id),
      type: 'text' as const,
      headlines: [{ role: 'main', value: link.title }],
      altids: [{ role: 'webpage', value: link.url }],
    }));
  }
  if (article.copyright) doc.copyrightnotice = article.copyright;
  // Partners get the same text as the feeds: no control characters, even from articles stored before ingest removed them.
  return stripInvalidXmlCharsDeep(doc);
}
