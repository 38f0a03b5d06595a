import type { Problem } from '../errors.js';
import type { Clock } from '../ports.js';
import { isWordPressRestPost, type WordPressRestPost } from '../parsing/wordpress-rest.js';

/**
 * Pulls a WordPress site's posts through its REST API, for sites where no plugin can be installed:
 * pages of 100 posts ordered by modification time (`orderby=modified`, `modified_after` from where the
 * last run stopped, `_embed` for authors, terms and featured media), each post ingested as a REST post.
 * With an application password the API also shows drafts, private and scheduled posts: those are
 * withdrawn when Warta holds them (a post that was public and no longer is). The position is saved after
 * every page, so an interrupted run resumes where it stopped; a rerun finds the last posts `unchanged`.
 */

export interface WordPressSyncState {
  /** The site's base URL, as given. */
  site: string;
  /** `modified_gmt` of the newest post handled, minus one second (WordPress compares `modified_after` exclusively). */
  modifiedAfter?: string;
  lastRunAt?: string;
}

export interface WordPressSyncStateStore {
  load(site: string): Promise<WordPressSyncState | undefined>;
  save(state: WordPressSyncState): Promise<void>;
}

export type SyncOutcome =
  | { status: 'created' | 'updated' | 'unchanged' | 'withdrawn' }
  | { status: 'refused'; problems: Problem[] };

export interface WordPressSyncDeps {
  fetch: typeof fetch;
  /** Ingests one published REST post (through the ingest API or the ingest use case). */
  ingest: (post: WordPressRestPost) => Promise<SyncOutcome>;
  /** Withdraws `wp-<id>` if Warta holds it; `unknown` when it never did. */
  withdraw: (articleId: string) => Promise<SyncOutcome | { status: 'unknown' }>;
  state: WordPressSyncStateStore;
  clock: Clock;
  onPage?: (page: number, totalPages: number) => void;
}

export interface WordPressSyncOptions {
  siteUrl: string;
  /** Start from this time instead of the saved position. */
  since?: string;
  user?: string;
  appPassword?: string;
  perPage?: number;
}

export interface WordPressSyncSummary {
  site: string;
  from?: string;
  to?: string;
  pages: number;
  posts: number;
  created: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  /** Non-public posts (draft, pending, private, scheduled, password-protected) that Warta never held. */
  notPublic: Record<string, number>;
  refused: { id: string; reasons: string[] }[];
}

export class WordPressSyncError extends Error {}

/** Runs one sync; throws WordPressSyncError when the site cannot be read (the saved position is kept). */
export async function syncWordPress(deps: WordPressSyncDeps, options: WordPressSyncOptions): Promise<WordPressSyncSummary> {
  const site = options.siteUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/i.test(site)) throw new WordPressSyncError(`--wordpress must be the site's http(s) URL, not "${options.siteUrl}"`);
  const saved = await deps.state.load(site);
  const from = options.since ?? saved?.modifiedAfter;
  if (from !== undefined && Number.isNaN(Date.parse(from))) throw new WordPressSyncError(`--since must be an ISO 8601 date, not "${from}"`);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.user && options.appPassword) {
    headers['authorization'] = `Basic ${Buffer.from(`${options.user}:${options.appPassword.replace(/\s+/g, '')}`).toString('base64')}`;
  }
  const authenticated = headers['authorization'] !== undefined;
  const summary: WordPressSyncSummary = { site, pages: 0, posts: 0, created: 0, updated: 0, unchanged: 0, withdrawn: 0, notPublic: {}, refused: [] };
  if (from) summary.from = new Date(from).toISOString();
  const route = await findPostsRoute(deps.fetch, site, headers);

  let newest = from ? Date.parse(from) : undefined;
  let totalPages = 1;
  for (let page = 1; page <= totalPages; page++) {
    const params = new URLSearchParams({ per_page: String(options.perPage ?? 100), page: String(page), orderby: 'modified', order: 'asc', _embed: '1' });
    // With its offset: WordPress compares modified_after with the site-local post_modified, converting a
    // zoned date into the site's time zone (a date without one would be taken as site-local time).
    if (from) params.set('modified_after', new Date(from).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    // Authenticated, the API lists every status the user may see, so posts made non-public are withdrawn.
    if (authenticated) params.set('status', 'publish,future,draft,pending,private');
    const response = await deps.fetch(route(params), { headers });
    if (!response.ok) {
      const detail = await response.text().catch(() => '');
      throw new WordPressSyncError(`${site} answered HTTP ${response.status} for page ${page} of its posts${detail ? `: ${detail.slice(0, 300)}` : ''}`);
    }
    const body = (await response.json().catch(() => undefined)) as unknown;
    if (!Array.isArray(body)) throw new WordPressSyncError(`${site} did not answer page ${page} of its posts with a JSON list`);
    totalPages = Math.max(1, Number(response.headers.get('x-wp-totalpages') ?? '1') || 1);
    summary.pages = page;
    for (const post of body) {
      if (!isWordPressRestPost(post)) continue;
      summary.posts++;
      const id = `wp-${post.id}`;
      const reason = nonPublicReason(post);
      if (reason) {
        const outcome = await deps.withdraw(id);
        if (outcome.status === 'withdrawn') summary.withdrawn++;
        else summary.notPublic[reason] = (summary.notPublic[reason] ?? 0) + 1;
      } else {
        const outcome = await deps.ingest(post);
        if (outcome.status === 'refused') summary.refused.push({ id, reasons: outcome.problems.map((p) => `${p.field}: ${p.message}`) });
        else if (outcome.status === 'withdrawn') summary.withdrawn++;
        else summary[outcome.status]++;
      }
      const modified = post.modified_gmt ? Date.parse(`${post.modified_gmt}Z`) : Number.NaN;
      if (!Number.isNaN(modified) && (newest === undefined || modified > newest)) newest = modified;
    }
    deps.onPage?.(page, totalPages);
    // Saved after every page: a run stopped half-way resumes here. One second back, because
    // WordPress's modified_after is exclusive and several posts can share the newest second.
    if (newest !== undefined) {
      const modifiedAfter = new Date(newest - 1000).toISOString();
      summary.to = modifiedAfter;
      await deps.state.save({ site, modifiedAfter, lastRunAt: deps.clock.now().toISOString() });
    }
  }
  if (newest === undefined) await deps.state.save({ site, lastRunAt: deps.clock.now().toISOString() });
  return summary;
}

function nonPublicReason(post: WordPressRestPost): string | undefined {
  if (post.status !== undefined && post.status !== 'publish') return post.status === 'future' ? 'scheduled' : post.status;
  if (post.content.protected === true) return 'password-protected';
  return undefined;
}

/**
 * The posts route: `/wp-json/wp/v2/posts` with pretty permalinks, `/?rest_route=/wp/v2/posts` without
 * (both are what WordPress itself advertises in its `Link: <…>; rel="https://api.w.org/"` header).
 */
async function findPostsRoute(fetcher: typeof fetch, site: string, headers: Record<string, string>): Promise<(params: URLSearchParams) => string> {
  const pretty = await fetcher(`${site}/wp-json/wp/v2/posts?per_page=1`, { headers }).catch((error: Error) => {
    throw new WordPressSyncError(`cannot reach ${site}: ${error.message}`);
  });
  await pretty.body?.cancel();
  if (pretty.ok) return (params) => `${site}/wp-json/wp/v2/posts?${params}`;
  const plain = await fetcher(`${site}/?rest_route=/wp/v2/posts&per_page=1`, { headers });
  await plain.body?.cancel();
  if (plain.ok) return (params) => `${site}/?rest_route=/wp/v2/posts&${params}`;
  throw new WordPressSyncError(`${site} has no WordPress REST API (HTTP ${pretty.status} for /wp-json/wp/v2/posts, ${plain.status} for ?rest_route=)`);
}
