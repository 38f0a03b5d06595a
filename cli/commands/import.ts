import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { signBody } from '../../shared/auth/webhook-signature.js';
import { idFromFilename } from '../../shared/parsing/parse-input.js';
import { readLocalEndpoints } from '../local/local-endpoints.js';
import type { CommandContext } from '../main.js';
import { parseCommandArgs, usageError } from './command-args.js';
import { importWordPressExport, parseUtcOffset, type WordPressImportOptions } from './import-wordpress.js';

export const IMPORT_USAGE = `Usage: warta import [options] PATH...

Sends article files (raw text .txt, WordPress .html, Warta .json) through the ingest API, the way a
CMS does: to the running local job (found through --data), or to a deployed stack with --url.
A folder is imported file by file in name order; each file's name (without extension) is its id.

Options:
  --data DIR         Data folder of the running 'warta start' (default .warta)
  --url URL          Ingest endpoint of a deployed stack, e.g. https://abc.execute-api.ap-southeast-3.amazonaws.com
  --secret-env NAME  Environment variable holding the webhook HMAC secret (default WARTA_WEBHOOK_SECRET);
                     requests are signed when it is set
  --concurrency N    Requests in flight (default 8)
  -h, --help         Show this help

The API answers once an article is stored; the feeds are built right after, in batches (locally the
running job's log says when). A 503 answer is retried after the Retry-After it names, a few times.
Ends with how many files took how long, in articles per second.

A WordPress export (Tools → Export, a .xml file) is read as a stream: each published post is sent as
article wp-<post id>; drafts, pending, private, password-protected, trashed and scheduled posts are not
(docs/wordpress.md). Options for exports:
  --types LIST       Post types to import, comma-separated (default post)
  --timezone ±HH:MM  The site's UTC offset for posts without a GMT date (default: guessed from the export)
  --dry-run          Parse and check every post; send nothing
  --json             Print the closing summary as JSON

Exit codes: 0 all accepted (created, updated or unchanged), 1 some refused or failed, 2 usage error.
`;

/** Times a file answered 503 is sent again before it counts as failed. */
const MAX_RETRIES_503 = 4;

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.txt': 'text/plain',
};

/** `warta import`: archive import through the same ingest API the CMS uses; prints one line per file. */
export async function importCommand(args: string[], ctx: CommandContext): Promise<number> {
  const parsedArgs = parseCommandArgs(
    'import',
    IMPORT_USAGE,
    {
      args,
      allowPositionals: true,
      options: {
        data: { type: 'string', default: '.warta' },
        url: { type: 'string' },
        'secret-env': { type: 'string', default: 'WARTA_WEBHOOK_SECRET' },
        concurrency: { type: 'string', default: '8' },
        types: { type: 'string', default: 'post' },
        timezone: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    },
    ctx,
  );
  if (typeof parsedArgs === 'number') return parsedArgs;
  const { values, positionals } = parsedArgs;
  const concurrency = Number(values.concurrency);
  if (positionals.length === 0 || !Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    return usageError('import', IMPORT_USAGE, 'give at least one PATH, and --concurrency from 1 to 32', ctx);
  }
  const wordpressExport = positionals.length === 1 && /\.xml$/i.test(positionals[0] as string);
  if (values.timezone !== undefined && parseUtcOffset(values.timezone) === undefined) {
    return usageError('import', IMPORT_USAGE, '--timezone must be an offset such as +07:00', ctx);
  }
  if (wordpressExport && values['dry-run']) {
    return importWordPressExport(wordpressOptions(positionals[0] as string, undefined, values, concurrency), ctx);
  }
  let endpoint = values.url?.replace(/\/+$/, '');
  if (!endpoint) {
    const local = await readLocalEndpoints(resolve(values.data));
    if (!local) {
      ctx.stderr.write(`warta import: no running 'warta start' uses ${resolve(values.data)}; start it, pass --data, or give --url\n`);
      return 1;
    }
    endpoint = local.api;
  }
  const secret = process.env[values['secret-env']];
  if (wordpressExport) {
    return importWordPressExport(wordpressOptions(positionals[0] as string, endpoint, values, concurrency, secret), ctx);
  }

  let files: string[];
  try {
    files = (await Promise.all(positionals.map(expand))).flat();
  } catch (error) {
    return usageError('import', IMPORT_USAGE, (error as Error).message, ctx);
  }
  const counts = new Map<string, number>();
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++] as string;
      const status = await send(endpoint as string, file, secret).catch((error: Error) => ({ status: 'failed', detail: error.message }));
      counts.set(status.status, (counts.get(status.status) ?? 0) + 1);
      ctx.stdout.write(`${status.status}\t${file}${status.detail ? `\t${status.detail}` : ''}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? files.length / seconds : files.length;
  ctx.stdout.write(
    `imported ${files.length} file(s) in ${seconds.toFixed(1)} s (${rate.toFixed(1)} articles/s): ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}\n`,
  );
  return (counts.get('refused') ?? 0) + (counts.get('failed') ?? 0) > 0 ? 1 : 0;
}

function wordpressOptions(
  file: string,
  endpoint: string | undefined,
  values: { types: string; timezone?: string | undefined; 'dry-run': boolean; json: boolean },
  concurrency: number,
  secret?: string,
): WordPressImportOptions {
  const offset = values.timezone !== undefined ? parseUtcOffset(values.timezone) : undefined;
  return {
    file,
    endpoint,
    secret,
    types: values.types.split(',').map((t) => t.trim()).filter((t) => t.length > 0),
    json: values.json,
    dryRun: values['dry-run'],
    concurrency,
    ...(offset !== undefined ? { utcOffsetMinutes: offset } : {}),
  };
}

async function expand(path: string): Promise<string[]> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new Error(`cannot read ${path}`);
  if (info.isFile()) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && CONTENT_TYPES[extname(e.name).toLowerCase()] !== undefined)
    .map((e) => join(path, e.name))
    .sort();
}

async function send(endpoint: string, file: string, secret: string | undefined): Promise<{ status: string; detail?: string }> {
  const body = await readFile(file);
  const headers: Record<string, string> = {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'text/plain',
  };
  if (secret) headers['x-hub-signature-256'] = signBody(secret, body);
  const id = idFromFilename(basename(file));
  const url = `${endpoint}/articles${id ? `?id=${encodeURIComponent(id)}` : ''}`;
  let response = await fetch(url, { method: 'POST', headers, body });
  // Storage was briefly unavailable: the same request is safe to repeat after the delay the API asks for.
  for (let retry = 1; response.status === 503 && retry <= MAX_RETRIES_503; retry++) {
    const seconds = Number(response.headers.get('retry-after'));
    await response.arrayBuffer().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1000 * (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 30) : retry)));
    response = await fetch(url, { method: 'POST', headers, body });
  }
  const answer = (await response.json().catch(() => ({}))) as { status?: string; problems?: { field: string; message: string }[]; message?: string };
  if (answer.status === 'refused') {
    return { status: 'refused', detail: (answer.problems ?? []).map((p) => `${p.field}: ${p.message}`).join('; ') };
  }
  if (!response.ok || !answer.status) return { status: 'failed', detail: `HTTP ${response.status} ${answer.message ?? ''}`.trim() };
  return { status: answer.status };
}
