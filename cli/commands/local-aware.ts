import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ENV } from '../../shared/config/env-names.js';
import { loadConfig } from '../../shared/config/load-config.js';
import { ConfigurationError } from '../../shared/errors.js';
import { rebuildAllPartnerOutputs } from '../../shared/partners/build-partner-outputs.js';
import {
  buildDependencies,
  feedBuildDependencies,
  partnerOutputDependencies,
  type Dependencies,
} from '../../shared/runtime/dependencies.js';
import { buildFeedsForArticles } from '../../shared/usecases/build-feeds.js';
import { updateRelated } from '../../shared/related/update-related.js';
import { DEFAULT_REBUILD_CONCURRENCY, rebuildAllFeeds } from '../../shared/usecases/rebuild-all-feeds.js';
import { DynamoDbArchiveListings } from '../../shared/storage/dynamodb-archive-listings.js';
import { parseCommandArgs, usageError } from './command-args.js';
import { readLocalEndpoints, useLocalEndpoints } from '../local/local-endpoints.js';
import type { CommandContext } from '../main.js';
import { partnersCommand } from './partners.js';
import { signUrlCommand } from './sign-url.js';

/** Splits `--data DIR` (and other wrapper options) off a command's own arguments. */
function takeOptions(args: string[], names: readonly string[]): { taken: Record<string, string>; rest: string[] } {
  const taken: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const name = names.find((n) => arg === `--${n}` || arg.startsWith(`--${n}=`));
    if (!name) {
      rest.push(arg);
    } else if (arg.includes('=')) {
      taken[name] = arg.slice(arg.indexOf('=') + 1);
    } else {
      taken[name] = args[++i] ?? '';
    }
  }
  return { taken, rest };
}

const TARGET_HELP = `
Where: the running local job on --data DIR (default .warta), or a deployed stack with
  --table NAME --bucket FEED_BUCKET   (AWS credentials and region, and the stack's SITE_URL, SITE_TITLE,
                                       SITE_DESCRIPTION and FEEDS_BASE_URL, from the environment, so what is
                                       rebuilt renders exactly as the Lambda functions render it)
`;
const TARGET_OPTIONS = ['data', 'table', 'bucket'] as const;

/**
 * The dependencies of the running local job (found through its data folder, with the configuration its
 * handlers run with) or of a deployed stack (table and bucket named, configuration from the environment).
 * Returns an exit code instead when there is no such target.
 */
async function resolveTarget(command: string, taken: Record<string, string>, ctx: CommandContext): Promise<Dependencies | number> {
  let env: Record<string, string | undefined>;
  if (taken['table']) {
    // Without --bucket nothing is published; the configuration still needs a bucket name.
    env = { ...process.env, [ENV.articlesTableName]: taken['table'], [ENV.feedBucketName]: taken['bucket'] ?? 'no-bucket-given' };
  } else {
    const dataDir = resolve(taken['data'] ?? '.warta');
    const endpoints = await readLocalEndpoints(dataDir);
    if (!endpoints) {
      ctx.stderr.write(`warta ${command}: no running 'warta start' uses ${dataDir}; start it, pass --data, or give --table and --bucket\n`);
      return 1;
    }
    useLocalEndpoints(endpoints);
    env = endpoints.environment;
  }
  try {
    return buildDependencies(loadConfig(env));
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    ctx.stderr.write(`warta ${command}: ${error.message}\n`);
    return 2;
  }
}

/** `warta partners …` on the running local job or a deployed stack; registry changes rebuild partner outputs at once. */
export async function partnersOnTarget(args: string[], ctx: CommandContext): Promise<number> {
  const { taken, rest } = takeOptions(args, TARGET_OPTIONS);
  if (rest.includes('--help') || rest.includes('-h')) {
    const code = await partnersCommand(rest, { repository: undefined as never, stdout: ctx.stdout, stderr: ctx.stderr });
    ctx.stdout.write(`${TARGET_HELP}After sync, suspend and activate the partners' outputs are rebuilt at once (in AWS only when --bucket is given).\n`);
    return code;
  }
  const deps = await resolveTarget('partners', taken, ctx);
  if (typeof deps === 'number') return deps;
  const code = await partnersCommand(rest, { repository: deps.partners, stdout: ctx.stdout, stderr: ctx.stderr });
  const changesRegistry = ['sync', 'suspend', 'activate'].includes(rest.find((a) => !a.startsWith('-')) ?? '');
  const canPublish = !taken['table'] || Boolean(taken['bucket']);
  if (code === 0 && changesRegistry && canPublish) {
    const result = await rebuildAllPartnerOutputs(partnerOutputDependencies(deps));
    ctx.stdout.write(`partner outputs rebuilt: ${result.written.length} written, ${result.deleted.length} deleted\n`);
  }
  return code;
}

export const REBUILD_USAGE = `Usage: warta rebuild [options] ARTICLE-ID...
       warta rebuild --all [--concurrency N]

Repairs what the given articles should have produced, from the current table state (for example after a
failed stream batch landed in a builder's on-failure queue): their related lists and stories first (and
the lists of their neighbours), then their feed listings, every feed and partner output they belong to.
Safe to repeat: unchanged files are not rewritten.

--all rebuilds every feed and every partner output of the archive: listings synced from one paged read of
the table, then N feeds at a time (default ${DEFAULT_REBUILD_CONCURRENCY}); progress on a terminal and the rate at the end.
${TARGET_HELP}`;

/** \`warta rebuild ID…\`: the feed builder's use case, run by hand for the given articles. */
export async function rebuildOnTarget(args: string[], ctx: CommandContext): Promise<number> {
  const { taken, rest } = takeOptions(args, TARGET_OPTIONS);
  const parsed = parseCommandArgs(
    'rebuild',
    REBUILD_USAGE,
    { args: rest, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' }, all: { type: 'boolean' }, concurrency: { type: 'string' } } },
    ctx,
  );
  if (typeof parsed === 'number') return parsed;
  const all = parsed.values['all'] === true;
  if (!all && parsed.positionals.length === 0) return usageError('rebuild', REBUILD_USAGE, 'give at least one ARTICLE-ID, or --all', ctx);
  if (all && parsed.positionals.length > 0) return usageError('rebuild', REBUILD_USAGE, '--all takes no ARTICLE-ID', ctx);
  const concurrency = Number(parsed.values['concurrency'] ?? DEFAULT_REBUILD_CONCURRENCY);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) return usageError('rebuild', REBUILD_USAGE, '--concurrency must be a whole number from 1 to 64', ctx);
  if (taken['table'] && !taken['bucket']) return usageError('rebuild', REBUILD_USAGE, '--table needs --bucket', ctx);
  const deps = await resolveTarget('rebuild', taken, ctx);
  if (typeof deps === 'number') return deps;
  if (all) return rebuildEverything(deps, concurrency, ctx);
  // Related first, as the stream delivers it locally, so the rebuilt feeds carry the repaired related links.
  const related = await updateRelated(
    { articles: deps.articles, store: deps.related, publisher: deps.publisher, site: deps.config.site, clock: deps.clock },
    parsed.positionals,
  );
  ctx.stdout.write(`related lists and stories: ${related.written.length} file(s) written, ${related.deleted.length} deleted\n`);
  const result = await buildFeedsForArticles(feedBuildDependencies(deps), parsed.positionals);
  ctx.stdout.write(
    `rebuilt ${result.feeds.length} feed(s): ${result.written.length} file(s) written, ${result.unchanged.length} unchanged, ${result.deleted.length} deleted\n`,
  );
  return 0;
}

/** \`warta rebuild --all\`: every feed and partner output, with progress on a terminal and the rate at the end. */
async function rebuildEverything(deps: Dependencies, concurrency: number, ctx: CommandContext): Promise<number> {
  const build = feedBuildDependencies(deps);
  const partnerDeps = partnerOutputDependencies(deps);
  const tty = (ctx.stderr as NodeJS.WriteStream).isTTY === true;
  const result = await rebuildAllFeeds(
    {
      ...build,
      archive: new DynamoDbArchiveListings(deps.documentClient, deps.config.articlesTableName),
      partnerOutputs: () => rebuildAllPartnerOutputs(partnerDeps),
    },
    {
      concurrency,
      onProgress: tty
        ? (p) => {
            const rate = p.phase === 'feeds' && p.elapsedMs > 0 ? ` (${((p.done * 1000) / p.elapsedMs).toFixed(1)}/s)` : '';
            ctx.stderr.write(`\r${p.phase}: ${p.done}${p.total === undefined ? '' : `/${p.total}`}${rate}   `);
          }
        : undefined,
    },
  );
  if (tty) ctx.stderr.write('\n');
  ctx.stdout.write(
    `rebuilt ${result.feeds} feed(s) of ${result.articles} article(s) in ${result.seconds.toFixed(1)} s ` +
      `(${result.feedsPerSecond.toFixed(1)} feeds/s, ${result.articlesPerSecond.toFixed(0)} articles/s): ` +
      `${result.written} file(s) written, ${result.unchanged} unchanged, ${result.deleted} deleted\n`,
  );
  return 0;
}

/**
 * `warta sign-url …`: signs with the local key pair in the data folder; checks the partner in the
 * running job's registry when one runs (so a suspension there stops signing at once), else in the file.
 */
export async function signUrlOnTarget(args: string[], ctx: CommandContext): Promise<number> {
  const { taken, rest } = takeOptions(args, ['data']);
  const dataDir = resolve(taken['data'] ?? '.warta');
  const local = await readLocalEndpoints(dataDir);
  const { values } = parseArgs({ args: rest, strict: false });
  let forwarded = rest;
  if (local && values['partners'] === undefined && values['table'] === undefined) {
    useLocalEndpoints(local);
    forwarded = [...rest, '--table', local.table];
  }
  return signUrlCommand(forwarded, {
    dataDir,
    edgeBaseUrl: local?.edge ?? 'http://127.0.0.1:4000',
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    now: ctx.now,
  });
}
