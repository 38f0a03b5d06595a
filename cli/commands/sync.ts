import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { systemClock } from '../../shared/ports.js';
import {
  syncWordPress,
  WordPressSyncError,
  type WordPressSyncState,
  type WordPressSyncStateStore,
} from '../../shared/wordpress/sync-wordpress.js';
import { readLocalEndpoints } from '../local/local-endpoints.js';
import { IngestApiClient, IngestApiError } from './ingest-api-client.js';
import type { CommandContext } from '../main.js';
import { parseCommandArgs, usageError } from './command-args.js';

export const SYNC_USAGE = `Usage: warta sync --wordpress URL [options]

Pulls a WordPress site's posts through its REST API (for sites where the Warta plugin cannot be
installed) and sends each published post to the ingest API: the running local job (found through
--data) or a deployed stack (--url). It remembers where it stopped (the newest modification time seen)
and which posts the site listed as published in a state file, so the next run fetches only posts
modified since, and withdraws posts that are no longer listed (made private, unpublished, trashed or
deleted). Answers 429/502/503/504 are retried as their Retry-After asks (at most 4 times, 30 s each).

Options:
  --wordpress URL      The site, e.g. https://news.example (its REST API under /wp-json/ or ?rest_route=)
  --since DATE         Start from posts modified after DATE (ISO 8601) instead of the saved position
  --user U             WordPress user for an application password: drafts, private, scheduled and
  --app-password P     trashed posts are then seen too, and withdrawals are counted by their reason
                       (the password may also come from $WORDPRESS_APP_PASSWORD)
  --data DIR           Data folder of the running 'warta start' (default .warta)
  --url URL            Ingest endpoint of a deployed stack
  --secret-env NAME    Environment variable holding the webhook HMAC secret (default WARTA_WEBHOOK_SECRET)
  --state FILE         Where the position is kept (default DIR/wordpress-sync/<host>.json)
  --json               Print the summary as JSON
  -h, --help           Show this help

Exit codes: 0 synced (posts refused by Warta are listed), 1 the site or Warta could not be reached, 2 usage error.
`;

/** `warta sync --wordpress URL`: the sync use case with the ingest API as its target and a state file. */
export async function syncCommand(args: string[], ctx: CommandContext): Promise<number> {
  const parsed = parseCommandArgs(
    'sync',
    SYNC_USAGE,
    {
      args,
      options: {
        wordpress: { type: 'string' },
        since: { type: 'string' },
        user: { type: 'string' },
        'app-password': { type: 'string' },
        data: { type: 'string', default: '.warta' },
        url: { type: 'string' },
        'secret-env': { type: 'string', default: 'WARTA_WEBHOOK_SECRET' },
        state: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    },
    ctx,
  );
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const site = values.wordpress;
  if (!site || !/^https?:\/\/[^/]+/i.test(site)) return usageError('sync', SYNC_USAGE, '--wordpress must be the http(s) URL of the site', ctx);
  if (values.since !== undefined && (Number.isNaN(Date.parse(values.since)) || !/^\d{4}-\d{2}-\d{2}/.test(values.since))) {
    return usageError('sync', SYNC_USAGE, '--since must be an ISO 8601 date such as 2024-02-01 or 2024-02-01T00:00:00Z', ctx);
  }
  const appPassword = values['app-password'] ?? process.env['WORDPRESS_APP_PASSWORD'];
  if ((values.user === undefined) !== (appPassword === undefined)) {
    return usageError('sync', SYNC_USAGE, '--user and --app-password go together', ctx);
  }
  let endpoint = values.url?.replace(/\/+$/, '');
  if (!endpoint) {
    const local = await readLocalEndpoints(resolve(values.data));
    if (!local) {
      ctx.stderr.write(`warta sync: no running 'warta start' uses ${resolve(values.data)}; start it, pass --data, or give --url\n`);
      return 1;
    }
    endpoint = local.api;
  }
  const secret = process.env[values['secret-env']];
  const host = new URL(site).host.replace(/[^a-z0-9.-]/gi, '_');
  const stateFile = resolve(values.state ?? join(values.data, 'wordpress-sync', `${host}.json`));

  const api = new IngestApiClient(endpoint, secret);
  try {
    const summary = await syncWordPress(
      {
        fetch,
        ingest: (post) => api.post(post),
        withdraw: (id) => api.withdraw(id),
        state: new FileSyncState(stateFile),
        clock: systemClock,
        onPage: (page, total) => {
          if ((ctx.stderr as { isTTY?: boolean }).isTTY) ctx.stderr.write(`\rpage ${page}/${total}${page === total ? '\n' : ''}`);
        },
      },
      { siteUrl: site, ...(values.since ? { since: values.since } : {}), ...(values.user && appPassword ? { user: values.user, appPassword } : {}) },
    );
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify({ ...summary, stateFile }, null, 2)}\n`);
    } else {
      const byReason = (counts: Record<string, number>) => Object.entries(counts).map(([k, n]) => `${n} ${k}`).join(', ');
      const notPublic = byReason(summary.notPublic) || 'none';
      ctx.stdout.write(
        `${summary.site}: ${summary.posts} post(s) in ${summary.pages} page(s) modified ${summary.from ? `after ${summary.from}` : 'ever'}: ` +
          `created ${summary.created}, updated ${summary.updated}, unchanged ${summary.unchanged}, withdrawn ${summary.withdrawn}${summary.withdrawn ? ` (${byReason(summary.withdrawnBy)})` : ''}, ` +
          `refused ${summary.refused.length}; not public and never sent: ${notPublic}\n` +
          summary.refused.map((r) => `  refused\t${r.id}\t${r.reasons.join('; ')}\n`).join('') +
          `${summary.listed} post(s) listed as published${summary.idPages ? ` (${summary.idPages} page(s) of ids read to find withdrawals)` : ''}\n` +
          `next run starts after ${summary.to ?? summary.from ?? 'the beginning'} (${stateFile})\n`,
      );
    }
    return 0;
  } catch (error) {
    if (!(error instanceof WordPressSyncError) && !(error instanceof IngestApiError) && !(error instanceof TypeError)) throw error;
    ctx.stderr.write(`warta sync: ${(error as Error).message}${(error as Error).cause ? ` (${String((error as { cause?: Error }).cause?.message ?? '')})` : ''}\n`);
    return 1;
  }
}

/** The sync position in a small JSON file, replaced atomically (write, then rename). */
export class FileSyncState implements WordPressSyncStateStore {
  constructor(private readonly file: string) {}

  async load(site: string): Promise<WordPressSyncState | undefined> {
    try {
      const state = JSON.parse(await readFile(this.file, 'utf8')) as WordPressSyncState;
      return state.site === site ? state : undefined;
    } catch {
      return undefined;
    }
  }

  async save(state: WordPressSyncState): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
    await rename(temporary, this.file);
  }
}
