import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RuntimeConfigSchema } from '../../shared/config/load-config.js';
import { rebuildAllPartnerOutputs } from '../../shared/partners/build-partner-outputs.js';
import { buildDependencies, partnerOutputDependencies } from '../../shared/runtime/dependencies.js';
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

const PARTNERS_EXTRA_HELP = `
Where: the running local job on --data DIR (default .warta), or an AWS table with
  --table NAME [--bucket FEED_BUCKET]   (AWS credentials and region from the environment)
After sync, suspend and activate the partners' outputs are rebuilt at once (locally, or in AWS when
--bucket is given; otherwise at the next article change).
`;

/**
 * `warta partners …` on the running local job (found through its data folder) or on an AWS table.
 */
export async function partnersOnTarget(args: string[], ctx: CommandContext): Promise<number> {
  const { taken, rest } = takeOptions(args, ['data', 'table', 'bucket', 'site-url', 'feeds-base-url']);
  if (rest.includes('--help') || rest.includes('-h')) {
    const code = await partnersCommand(rest, { repository: undefined as never, stdout: ctx.stdout, stderr: ctx.stderr });
    ctx.stdout.write(PARTNERS_EXTRA_HELP);
    return code;
  }
  let table = taken['table'];
  let bucket = taken['bucket'];
  let edge: string | undefined;
  if (!table) {
    const dataDir = resolve(taken['data'] ?? '.warta');
    const local = await readLocalEndpoints(dataDir);
    if (!local) {
      ctx.stderr.write(`warta partners: no running 'warta start' uses ${dataDir}; start it, pass --data, or give --table for AWS\n`);
      return 1;
    }
    useLocalEndpoints(local);
    table = local.table;
    bucket = local.feedBucket;
    edge = local.edge;
  }
  const deps = buildDependencies(
    RuntimeConfigSchema.parse({
      articlesTableName: table,
      // Without a bucket nothing is published (see below); the config still needs a name.
      feedBucketName: bucket ?? 'unused-no-bucket-given',
      s3ForcePathStyle: edge ? 'true' : 'false',
      site: {
        siteUrl: taken['site-url'] ?? process.env['SITE_URL'] ?? 'https://jurnalpagi.example',
        siteTitle: process.env['SITE_TITLE'] ?? 'JurnalPagi',
        siteDescription: process.env['SITE_DESCRIPTION'] ?? 'Berita terkini dari JurnalPagi',
        feedsBaseUrl: taken['feeds-base-url'] ?? edge ?? taken['site-url'] ?? process.env['SITE_URL'] ?? 'https://jurnalpagi.example',
      },
    }),
  );
  const code = await partnersCommand(rest, { repository: deps.partners, stdout: ctx.stdout, stderr: ctx.stderr });
  const changesRegistry = ['sync', 'suspend', 'activate'].includes(rest.find((a) => !a.startsWith('-')) ?? '');
  if (code === 0 && changesRegistry && bucket) {
    const result = await rebuildAllPartnerOutputs(partnerOutputDependencies(deps));
    ctx.stdout.write(`partner outputs rebuilt: ${result.written.length} written, ${result.deleted.length} deleted\n`);
  }
  return code;
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
