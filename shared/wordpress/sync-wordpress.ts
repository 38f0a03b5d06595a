import type { Problem } from '../errors.js';
import type { Clock } from '../ports.js';
import { isWordPressRestPost, type WordPressRestPost } from '../parsing/wordpress-rest.js';
import { DEFAULT_RETRY_POLICY, retryingFetch, type RetryPolicy } from './retrying-fetch.js';

/**
 * Pulls a WordPress site's posts through its REST API, for sites where no plugin can be installed.
 *
 * 1. **Changes**: pages of 100 posts ordered by modification time (`orderby=modified`, `modified_after`
 *    from where the last run stopped, `_embed` for authors, terms and featured media). A published post
 *    is ingested as a REST post (`created`, `updated` or `unchanged`), and with an application password
 *    a scheduled one too, with its future date (Warta's embargo hides it until then); a password-protected
 *    one, and with an application password a draft, pending, private or trashed one, is withdrawn when
 *    Warta holds it. The position is saved after every page, so an interrupted run resumes where it stopped.
 * 2. **Withdrawals the API does not show**: anonymous clients are never shown private, draft or trashed
 *    posts, and nobody is shown a post deleted for good; `modified_after` lists only what the client may
 *    see. So the state remembers the ids the site listed as published at the end of the last run. One
 *    request (`per_page=1`) gives the number listed now: when it equals the remembered count, nothing can
 *    have left (every post published since came through step 1 and was added). Otherwise the ids are
 *    listed (`_fields=id`, 100 a page); a remembered id no longer listed, and not listed either when asked
 *    for by id (so a page shifted by a deletion mid-listing cannot withdraw a live post), is withdrawn; a
 *    listed id never seen (a scheduled post WordPress published without touching its modification time)
 *    is fetched and ingested.
 *
 * Requests the site answers 429/502/503/504 are repeated as its `Retry-After` asks (see retrying-fetch.ts).
 */

export interface WordPressSyncState {
  /** The site's base URL, as given. */
  site: string;
  /** `modified_gmt` of the newest post handled, minus one second (WordPress compares `modified_after` exclusively). */
  modifiedAfter?: string;
  lastRunAt?: string;
  /**
   * Ids of the posts the site listed as published (password-protected ones included) at the end of the
   * last run: one that is no longer listed was made private, unpublished, trashed or deleted.
   */
  listed?: number[];
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
  /** Withdraws `wp-<id>` if Warta holds it; `unknown` when it never did (or already withdrew it). */
  withdraw: (articleId: string) => Promise<SyncOutcome | { status: 'unknown' }>;
  state: WordPressSyncStateStore;
  clock: Clock;
  onPage?: (page: number, totalPages: number) => void;
  /** Asked after every page of changes; false stops the run there (its position saved), e.g. near a Lambda timeout. */
  keepGoing?: () => boolean;
}

export interface WordPressSyncOptions {
  siteUrl: string;
  /** Start from this time instead of the saved position. */
  since?: string;
  user?: string;
  appPassword?: string;
  perPage?: number;
  retry?: RetryPolicy;
}

/** Why a post is not public, as counted: a WordPress status, `password-protected`, or for posts that left the listing `deleted` (seen with credentials) or `unlisted` (anonymous: made private, unpublished, trashed or deleted). */
export type NotPublicReason = string;

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
  /** Withdrawals by reason (`private`, `draft`, `trash`, `password-protected`, `deleted`, `unlisted`, …). */
  withdrawnBy: Record<NotPublicReason, number>;
  /** Scheduled posts (seen with credentials) sent with their future date: stored, in no public output until then. */
  scheduled: number;
  /** Non-public posts (draft, pending, private, password-protected, trash) that Warta does not hold. */
  notPublic: Record<NotPublicReason, number>;
  refused: { id: string; reasons: string[] }[];
  /** Posts the site lists as published now. */
  listed: number;
  /** Pages of ids read: those dated since the day before the last run, and all when the listed count changed. */
  idPages: number;
  /** False when the run stopped early (`keepGoing`); the next run resumes from `to`. */
  complete: boolean;
}

export class WordPressSyncError extends Error {}

const ID_PAGE = 100;
/** How far before the last run the posts dated since are checked for scheduled posts published late. */
const RECENT_MS = 24 * 3_600_000;

/** Runs one sync; throws WordPressSyncError when the site cannot be read (the saved position is kept). */
export async function syncWordPress(deps: WordPressSyncDeps, options: WordPressSyncOptions): Promise<WordPressSyncSummary> {
  const site = options.siteUrl.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+/i.test(site)) throw new WordPressSyncError(`--wordpress must be the site's http(s) URL, not "${options.siteUrl}"`);
  const saved = await deps.state.load(site);
  const from = options.since ?? saved?.modifiedAfter;
  if (from !== undefined && Number.isNaN(Date.parse(from))) throw new WordPressSyncError(`--since must be an ISO 8601 date, not "${from}"`);
  const fetcher = retryingFetch(deps.fetch, options.retry ?? DEFAULT_RETRY_POLICY);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.user && options.appPassword) {
    headers['authorization'] = `Basic ${Buffer.from(`${options.user}:${options.appPassword.replace(/\s+/g, '')}`).toString('base64')}`;
  }
  const authenticated = headers['authorization'] !== undefined;
  const summary: WordPressSyncSummary = {
    site,
    pages: 0,
    posts: 0,
    created: 0,
    updated: 0,
    unchanged: 0,
    withdrawn: 0,
    withdrawnBy: {},
    notPublic: {},
    refused: [],
    scheduled: 0,
    listed: 0,
    idPages: 0,
    complete: true,
  };
  if (from) summary.from = new Date(from).toISOString();
  const route = await findPostsRoute(fetcher, site, headers);
  const getPage = async (params: URLSearchParams, what: string) => {
    const response = await fetcher(route(params), { headers });
    if (!response.ok) {
      const detail = await response.text().catch(() => '');
      throw new WordPressSyncError(`${site} answered HTTP ${response.status} for ${what}${detail ? `: ${detail.slice(0, 300)}` : ''}`);
    }
    const body = (await response.json().catch(() => undefined)) as unknown;
    if (!Array.isArray(body)) throw new WordPressSyncError(`${site} did not answer ${what} with a JSON list`);
    return { body: body as unknown[], total: Number(response.headers.get('x-wp-total') ?? Number.NaN), totalPages: Math.max(1, Number(response.headers.get('x-wp-totalpages') ?? '1') || 1) };
  };

  const startedAt = deps.clock.now().getTime();
  const listed = new Set(saved?.listed ?? []);
  const seen = new Set<number>();
  const handle = async (post: WordPressRestPost) => {
    summary.posts++;
    seen.add(post.id);
    const id = `wp-${post.id}`;
    // Listed as published to anyone: `publish`, password-protected or not (anonymous lists show no status).
    if (post.status === undefined || post.status === 'publish') listed.add(post.id);
    else listed.delete(post.id);
    const reason = nonPublicReason(post);
    if (reason) {
      await withdraw(id, reason);
    } else {
      if (post.status === 'future') summary.scheduled++;
      // A modification time still to come (WordPress gives a post inserted as scheduled its future date)
      // is sent as the run's start: stored as the article's updatedAt, it would make Warta refuse every
      // real edit before then as older.
      const modified = post.modified_gmt ? Date.parse(`${post.modified_gmt}Z`) : Number.NaN;
      const sent = modified > startedAt ? { ...post, modified_gmt: new Date(startedAt).toISOString().slice(0, 19) } : post;
      const outcome = await deps.ingest(sent);
      if (outcome.status === 'refused') summary.refused.push({ id, reasons: outcome.problems.map((p) => `${p.field}: ${p.message}`) });
      else if (outcome.status === 'withdrawn') countWithdrawal(summary, 'withdrawn by Warta');
      else summary[outcome.status]++;
    }
  };
  const withdraw = async (id: string, reason: string) => {
    const outcome = await deps.withdraw(id);
    if (outcome.status === 'withdrawn') countWithdrawal(summary, reason);
    else summary.notPublic[reason] = (summary.notPublic[reason] ?? 0) + 1;
  };

  // 1. Changes since the saved position.
  // The position never passes the run's own start: WordPress gives a post inserted as scheduled its
  // future date as its modification time, which would otherwise make every later change invisible.
  let newest = from ? Date.parse(from) : undefined;
  let totalPages = 1;
  for (let page = 1; page <= totalPages; page++) {
    const params = new URLSearchParams({ per_page: String(options.perPage ?? 100), page: String(page), orderby: 'modified', order: 'asc', _embed: '1' });
    // With its offset: WordPress compares modified_after with the site-local post_modified, converting a
    // zoned date into the site's time zone (a date without one would be taken as site-local time).
    if (from) params.set('modified_after', new Date(from).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    // Authenticated, the API lists every status the user may see, so posts made non-public are withdrawn.
    if (authenticated) params.set('status', 'publish,future,draft,pending,private,trash');
    const { body, totalPages: pages } = await getPage(params, `page ${page} of its posts`);
    totalPages = pages;
    summary.pages = page;
    for (const post of body) {
      if (!isWordPressRestPost(post)) continue;
      await handle(post);
      const modified = post.modified_gmt ? Math.min(Date.parse(`${post.modified_gmt}Z`), startedAt) : Number.NaN;
      if (!Number.isNaN(modified) && (newest === undefined || modified > newest)) newest = modified;
    }
    deps.onPage?.(page, totalPages);
    // Saved after every page: a run stopped half-way resumes here. One second back, because
    // WordPress's modified_after is exclusive and several posts can share the newest second.
    const state: WordPressSyncState = { site, lastRunAt: deps.clock.now().toISOString(), listed: [...listed].sort((a, b) => a - b) };
    if (newest !== undefined) {
      state.modifiedAfter = summary.to = new Date(newest - 1000).toISOString();
    }
    await deps.state.save(state);
    if (page < totalPages && deps.keepGoing && !deps.keepGoing()) {
      summary.complete = false;
      return summary;
    }
  }

  // 2. Posts that joined or left the listing without step 1 seeing them.
  const publicParams = (extra: Record<string, string>) => {
    const params = new URLSearchParams({ _fields: 'id', ...extra });
    if (authenticated) params.set('status', 'publish');
    return params;
  };
  const listIds = async (extra: Record<string, string>, what: string) => {
    const ids = new Set<number>();
    let pages = 1;
    for (let page = 1; page <= pages; page++) {
      const result = await getPage(publicParams({ per_page: String(ID_PAGE), page: String(page), orderby: 'id', order: 'asc', ...extra }), `page ${page} of ${what}`);
      pages = result.totalPages;
      summary.idPages++;
      for (const item of result.body) {
        const id = (item as { id?: unknown }).id;
        if (typeof id === 'number') ids.add(id);
      }
    }
    return ids;
  };
  /** Fetches listed posts step 1 never saw, whole, and handles them like changes. */
  const takeUnseen = async (ids: Iterable<number>) => {
    const unseen = [...ids].filter((id) => !listed.has(id) && !seen.has(id));
    for (let i = 0; i < unseen.length; i += ID_PAGE) {
      const chunk = unseen.slice(i, i + ID_PAGE);
      const params = new URLSearchParams({ per_page: String(ID_PAGE), include: chunk.join(','), _embed: '1' });
      if (authenticated) params.set('status', 'publish');
      const { body } = await getPage(params, 'posts by id');
      for (const post of body) if (isWordPressRestPost(post)) await handle(post);
    }
  };
  // WordPress publishes a scheduled post at its time without moving its modification time, so step 1
  // never shows it: the posts dated since shortly before the last run are listed by id (WP-Cron may
  // publish late, on a quiet site hours late: RECENT_MS of slack).
  if (saved?.lastRunAt !== undefined && saved.listed !== undefined) {
    const after = new Date(Date.parse(saved.lastRunAt) - RECENT_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await takeUnseen(await listIds({ after }, 'its recently dated post ids'));
  }
  const { total } = await getPage(publicParams({ per_page: '1' }), 'the number of its published posts');
  summary.listed = total;
  // Every post listed now was listed before or came through above, so an equal count means none left.
  // Without a remembered listing (a first run, or one from --since) the ids are always listed once.
  if (saved?.listed === undefined || !Number.isFinite(total) || total !== listed.size) {
    const now = await listIds({}, 'its post ids');
    // Asked for by id, a post still listed comes back: only those that do not are gone.
    const missing = [...listed].filter((id) => !now.has(id));
    for (let i = 0; i < missing.length; i += ID_PAGE) {
      const chunk = missing.slice(i, i + ID_PAGE);
      const { body } = await getPage(publicParams({ per_page: String(ID_PAGE), include: chunk.join(',') }), 'posts by id');
      const stillListed = new Set(body.map((item) => (item as { id?: unknown }).id));
      for (const id of chunk) {
        if (stillListed.has(id)) now.add(id);
        else await withdraw(`wp-${id}`, authenticated ? 'deleted' : 'unlisted');
      }
    }
    await takeUnseen(now);
    listed.clear();
    for (const id of now) listed.add(id);
    summary.listed = listed.size;
  }
  await deps.state.save({
    site,
    lastRunAt: deps.clock.now().toISOString(),
    ...(newest !== undefined ? { modifiedAfter: new Date(newest - 1000).toISOString() } : {}),
    listed: [...listed].sort((a, b) => a - b),
  });
  return summary;
}

function countWithdrawal(summary: WordPressSyncSummary, reason: string) {
  summary.withdrawnBy[reason] = (summary.withdrawnBy[reason] ?? 0) + 1;
  summary.withdrawn++;
}

/** Why a listed post must not be public; scheduled posts are sent with their future date (see the REST format). */
function nonPublicReason(post: WordPressRestPost): string | undefined {
  if (post.content.protected === true) return 'password-protected';
  if (post.status !== undefined && post.status !== 'publish' && post.status !== 'future') return post.status;
  return undefined;
}

/**
 * The posts route: `/wp-json/wp/v2/posts` with pretty permalinks, `/?rest_route=/wp/v2/posts` without
 * (both are what WordPress itself advertises in its `Link: <…>; rel="https://api.w.org/"` header).
 */
async function findPostsRoute(fetcher: typeof fetch, site: string, headers: Record<string, string>): Promise<(params: URLSearchParams) => string> {
  const pretty = await fetcher(`${site}/wp-json/wp/v2/posts?per_page=1&_fields=id`, { headers }).catch((error: Error) => {
    throw new WordPressSyncError(`cannot reach ${site}: ${error.message}`);
  });
  await pretty.body?.cancel();
  if (pretty.ok) return (params) => `${site}/wp-json/wp/v2/posts?${params}`;
  const plain = await fetcher(`${site}/?rest_route=/wp/v2/posts&per_page=1&_fields=id`, { headers });
  await plain.body?.cancel();
  if (plain.ok) return (params) => `${site}/?rest_route=/wp/v2/posts&${params}`;
  throw new WordPressSyncError(`${site} has no WordPress REST API (HTTP ${pretty.status} for /wp-json/wp/v2/posts, ${plain.status} for ?rest_route=)`);
}
