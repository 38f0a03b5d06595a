/**
 * Durable identifiers for feeds and entries (RFC 4151 tag URIs).
 *
 * An entry id depends only on the site's host and `article.id`: never on the slug, URL, title
 * or dates, so it survives slug edits, updates and rebuilds, and one article has the same id
 * in every feed it appears in (latest, section, tag, author), which lets readers deduplicate.
 */

/** The date in every Warta tag URI: the year the tagging authority (the outlet's host) was claimed. Never change it. */
export const TAG_URI_DATE = '2024';

/**
 * Build date of a feed with no entries: a fixed instant so that rendering an empty feed
 * is deterministic. It is the start of the tag URI year.
 */
export const EMPTY_FEED_DATE = new Date(`${TAG_URI_DATE}-01-01T00:00:00Z`);

function tagAuthority(siteUrl: string): string {
  return new URL(siteUrl).hostname.toLowerCase();
}

/** Entry id of an article, e.g. `tag:jurnalpagi.example,2024:article:kominfo-pemilu-2024`. */
export function articleTagUri(siteUrl: string, articleId: string): string {
  return `tag:${tagAuthority(siteUrl)},${TAG_URI_DATE}:article:${articleId}`;
}

/** Feed id of a feed path, e.g. `tag:jurnalpagi.example,2024:feed:section/politik`. */
export function feedTagUri(siteUrl: string, feedPath: string): string {
  return `tag:${tagAuthority(siteUrl)},${TAG_URI_DATE}:feed:${encodeURI(feedPath)}`;
}
