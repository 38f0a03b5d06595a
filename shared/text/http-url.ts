/**
 * Every URL Warta publishes is an absolute http(s) URL: a `javascript:`, `data:` or `file:` link from an
 * input must never reach a feed reader or a partner. Inputs are validated (shared/model/article.ts);
 * renderers call this again so articles stored before that check cannot leak one either.
 */
export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
