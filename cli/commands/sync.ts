import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { signBody } from '../../shared/auth/webhook-signature.js';
import { systemClock } from '../../shared/ports.js';
import type { WordPressRestPost } from '../../shared/parsing/wordpress-rest.js';
import {
  syncWordPress,
  WordPressSyncError,
  type SyncOutcome,
  type WordPressSyncState,
  type WordPressSyncStateStore,
} from '../../shared/wordpress/sync-wordpress.js';
import { readLocalEndpoints } from '../local/local-endpoints.js';
import type { CommandContext } from '../main.js';
import { parseCommandArgs, usageError } from './command-args.js';

export const SYNC_USAGE = `Usage: warta sync --wordpress URL [options]

Pulls a WordPress site's posts through its REST API (for sites where the Warta plugin cannot be
installed) and sends each published post to the ingest API: the running local job (found through
--data) or a deployed stack (--url). It remembers where it stopped (the newest modification time seen)
in a state file, so the next run fetches only posts modified since.

Options:
  --wordpress URL      The site, e.g. https://news.example (its REST API under /wp-json/ or ?rest_route=)
  --since DATE         Start from posts modified after DATE (ISO 8601) instead of the saved position
  --user U             WordPress user for an application password: drafts, private, scheduled and
  --app-password P     password-protected posts are then seen too, and withdrawn if Warta holds them
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

  try {
    const summary = await syncWordPress(
      {
        fetch,
        ingest: (post) => sendPost(endpoint as string, post, secret),
        withdraw: (id) => withdraw(endpoint as string, id, secret),
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
      const notPublic = Object.entries(summary.notPublic).map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
      ctx.stdout.write(
        `${summary.site}: ${summary.posts} post(s) in ${summary.pages} page(s) modified ${summary.from ? `after ${summary.from}` : 'ever'}: ` +
          `created ${summary.created}, updated ${summary.updated}, unchanged ${summary.unchanged}, withdrawn ${summary.withdrawn}, ` +
          `refused ${summary.refused.length}; not public and never sent: ${notPublic}\n` +
          summary.refused.map((r) => `  refused\t${r.id}\t${r.reasons.join('; ')}\n`).join('') +
          `next run starts after ${summary.to ?? summary.from ?? 'the beginning'} (${stateFile})\n`,
      );
    }
    return 0;
  } catch (error) {
    if (!(error instanceof WordPressSyncError) && !(error instanceof TypeError)) throw error;
    ctx.stderr.write(`warta sync: ${(error as Error).message}${(error as Error).cause ? ` (${String((error as { cause?: Error }).cause?.message ?? '')})` : ''}\n`);
    return 1;
  }
}

async function call(url: string, method: string, body: Buffer | undefined, secret: string | undefined) {
  const headers: Record<string, string> = {};
  if (body) headers['content-type'] = 'application/json';
  if (secret) headers['x-hub-signature-256'] = signBody(secret, body ?? Buffer.alloc(0));
  const response = await fetch(url, { method, headers, ...(body ? { body } : {}) });
  const answer = (await response.json().catch(() => ({}))) as { status?: string; problems?: { field: string; message: string }[]; message?: string };
  return { response, answer };
}

async function sendPost(endpoint: string, post: WordPressRestPost, secret: string | undefined): Promise<SyncOutcome> {
  const { response, answer } = await call(`${endpoint}/articles`, 'POST', Buffer.from(JSON.stringify(post), 'utf8'), secret);
  if (answer.status === 'refused') return { status: 'refused', problems: answer.problems ?? [] };
  if (!response.ok || !['created', 'updated', 'unchanged', 'withdrawn'].includes(answer.status ?? '')) {
    throw new WordPressSyncError(`the ingest API answered HTTP ${response.status} ${answer.message ?? ''}`.trim());
  }
  return { status: answer.status as 'created' };
}

async function withdraw(endpoint: string, id: string, secret: string | undefined): Promise<SyncOutcome | { status: 'unknown' }> {
  const { response, answer } = await call(`${endpoint}/articles/${encodeURIComponent(id)}`, 'DELETE', undefined, secret);
  if (answer.status === 'withdrawn') return { status: 'withdrawn' };
  if (answer.status === 'unchanged' || answer.status === 'refused' || response.status === 404) return { status: 'unknown' };
  throw new WordPressSyncError(`the ingest API answered HTTP ${response.status} to withdrawing ${id}`);
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
