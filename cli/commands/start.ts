import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMainJob } from '../local/main-job.js';
import type { CommandContext } from '../main.js';
import { parseCommandArgs, usageError } from './command-args.js';

export const START_USAGE = `Usage: warta start [options]

Starts the whole pipeline on this machine, in one process on 127.0.0.1: DynamoDB (dynalite),
S3 (s3rver), the ingest API, the feed builders and a local edge that plays CloudFront.
Ingests the example articles, prints the feed URLs, then watches the inbox folder.

Options:
  --port N        Port of the local edge (default 4000); the ingest API listens on N+1
  --data DIR      Data folder: DynamoDB, S3 objects, signing keys (default .warta)
  --inbox DIR     Folder watched for article files (default <data>/inbox)
  --memory        Keep DynamoDB and S3 in memory only; nothing survives a restart
  --no-examples   Start without the example articles and partners
  --quiet-edge    Do not print the edge's access log lines
  --websub        Play a WebSub hub on 127.0.0.1: subscribers get new feed content as it changes
  --websub-hub URL  Also notify this WebSub hub when feeds change (repeatable)
  -h, --help      Show this help
`;

const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** `warta start`: the main job on the embedded stack; stays up until Ctrl-C. */
export async function startCommand(args: string[], ctx: CommandContext): Promise<number> {
  const parsedArgs = parseCommandArgs(
    'start',
    START_USAGE,
    {
      args,
      options: {
        port: { type: 'string', default: '4000' },
        data: { type: 'string', default: '.warta' },
        inbox: { type: 'string' },
        memory: { type: 'boolean', default: false },
        'no-examples': { type: 'boolean', default: false },
        'quiet-edge': { type: 'boolean', default: false },
        websub: { type: 'boolean', default: false },
        'websub-hub': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    },
    ctx,
  );
  if (typeof parsedArgs === 'number') return parsedArgs;
  const { values } = parsedArgs;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65534) return usageError('start', START_USAGE, '--port must be an integer from 0 to 65534', ctx);
  const dataDir = resolve(values.data);
  const inboxDir = resolve(values.inbox ?? resolve(dataDir, 'inbox'));
  const log = (line: string) => ctx.stdout.write(`${new Date().toISOString()} ${line}\n`);
  log(`warta: starting (edge port ${port}, data ${dataDir}${values.memory ? ' [in memory]' : ''}, inbox ${inboxDir})`);

  let job;
  try {
    job = await startMainJob({
      port,
      dataDir,
      inboxDir,
      memory: values.memory,
      examplesDir: values['no-examples'] ? null : resolve(PROJECT_ROOT, 'examples/articles'),
      partnersFile: values['no-examples'] ? null : resolve(PROJECT_ROOT, 'examples/partners.json'),
      log,
      accessLog: values['quiet-edge'] ? undefined : (entry) => ctx.stdout.write(`${JSON.stringify(entry)}\n`),
      websub: values.websub,
      ...(values['websub-hub'] ? { websubHubs: values['websub-hub'] } : {}),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      ctx.stderr.write(`warta start: port ${port} or ${port + 1} is already in use; stop what uses it or pass --port\n`);
      return 1;
    }
    throw error;
  }

  ctx.stdout.write(
    [
      '',
      `Local edge (plays CloudFront): ${job.edgeUrl}/`,
      `Latest feeds:`,
      ...job.feedUrls.map((u) => `  ${u}`),
      `Ingest API (POST an article, DELETE /articles/ID to withdraw): ${job.apiUrl}/articles`,
      `Inbox folder (drop .txt, .html or .json article files): ${inboxDir}`,
      ...(job.hubUrl ? [`WebSub hub (plays the hub): ${job.hubUrl}`] : []),
      `Data folder: ${dataDir}${values.memory ? ' (signing keys only; tables and objects in memory)' : ''}`,
      `Stop with Ctrl-C.`,
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log('warta: stopping: no new requests or inbox files are taken; the build in progress gets a few seconds');
  // A second Ctrl-C stops at once; what was not built is built at the next start.
  const again = () => {
    log('warta: stopped at once; unbuilt changes are built at the next start');
    process.exit(130);
  };
  process.once('SIGINT', again);
  process.once('SIGTERM', again);
  const report = await job.close();
  log(`warta: stopped${report.inFlight === 'abandoned' ? ' (the abandoned build is redone at the next start)' : ''}`);
  // An abandoned build may still be waiting on the closed services; nothing it does matters any more.
  if (report.inFlight === 'abandoned') process.exit(0);
  return 0;
}
