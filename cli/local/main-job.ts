import { watch, type FSWatcher } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { ENV } from '../../shared/config/env-names.js';
import { feedObjectKey } from '../../shared/feeds/feed-paths.js';
import type { IngestOutcome } from '../../shared/usecases/ingest-article.js';
import type { ArticleRepository } from '../../shared/ports.js';
import { startLocalApiServer, type LocalApiServer } from './api-server.js';
import { startEdgeServer, type EdgeServer } from './edge-server.js';
import { IGNORED_INBOX_FILE, inboxFileNames, moveAside, readInboxFile } from './inbox-folder.js';
import { startLocalHub } from './websub-hub.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startEmbeddedStack, type EmbeddedStack } from './embedded-stack.js';
import { ensureLocalKeyPair, loadTrustedPublicKeys } from './key-pair.js';
import { LocalStream, type StreamConsumer, type StreamDelivery, type StreamStopReport } from './local-stream.js';
import { DynamoDbStreamJournal } from './stream-journal.js';
import { checkConsistency } from './consistency-check.js';
import { LocalReleaseTimers } from './release-timers.js';
import { releaseInstant, type ReleaseScheduler } from '../../shared/embargo/release-schedule.js';
import { writeLocalEndpoints } from './local-endpoints.js';
import { DEFAULT_PARSE_TIME_LIMIT_MS, startParsePool, type ParsePool } from './parse-pool.js';
import { readPartnerRegistryFile } from '../../shared/partners/partner-registry-file.js';
import { productionDependencies } from '../../shared/runtime/dependencies.js';

/** How often the local runtime refreshes the news sitemap (in AWS, a schedule does). */
const SITEMAP_REFRESH_MS = 60_000;
export const LOCAL_TABLE = 'warta-articles';
export const LOCAL_FEED_BUCKET = 'warta-feeds';
export const LOCAL_INBOX_BUCKET = 'warta-inbox';

export interface MainJobOptions {
  host?: string;
  /** Port of the local edge (0: any free port); the ingest API listens on the next one. */
  port: number;
  dataDir: string;
  inboxDir: string;
  memory: boolean;
  /** Folder of articles ingested at start; null to start empty. */
  examplesDir: string | null;
  /** Partner registry file loaded into the table at start (as `warta partners sync` does); null for none. */
  partnersFile: string | null;
  log: (line: string) => void;
  /** How long stopping waits for the build in progress (default 4 s); then it is abandoned and redone at the next start. */
  stopGraceMs?: number;
  /** Where edge access log lines go (one JSON object per request). */
  accessLog?: (entry: Record<string, unknown>) => void;
  /** Play a WebSub hub on 127.0.0.1 (`--websub`): feeds advertise it and the builder notifies it. */
  websub?: boolean;
  /** Other WebSub hubs the builder notifies (`--websub-hub`); WEBSUB_HUBS from the environment otherwise. */
  websubHubs?: string[];
  /** Time limit per article for parsing in a worker; `WARTA_PARSE_TIME_LIMIT_MS` from the environment otherwise (default 5 s). */
  parseTimeLimitMs?: number;
}

export interface MainJob {
  edgeUrl: string;
  apiUrl: string;
  feedUrls: string[];
  /** The local WebSub hub's URL, with `websub: true`. */
  hubUrl?: string;
  /** Resolves when the local stream has built every change so far. */
  idle(): Promise<void>;
  /** Stops: refuses new requests at once, lets the build in progress finish within the grace period or abandons it. */
  close(): Promise<StreamStopReport>;
}

/**
 * The main job on a laptop: dynalite, s3rver, the local edge and the ingest API in one process,
 * running the same Lambda handlers with events of the same shape as in AWS.
 */
export async function startMainJob(options: MainJobOptions): Promise<MainJob> {
  const host = options.host ?? '127.0.0.1';
  const dataDir = resolve(options.dataDir);
  const inboxDir = resolve(options.inboxDir);
  await mkdir(dataDir, { recursive: true });
  await mkdir(inboxDir, { recursive: true });
  const started = performance.now();

  const stack: EmbeddedStack = await startEmbeddedStack({
    host,
    dataDir,
    memory: options.memory,
    tableName: LOCAL_TABLE,
    buckets: [LOCAL_FEED_BUCKET, LOCAL_INBOX_BUCKET],
    ownThread: true,
  });
  const closers: (() => Promise<void>)[] = [() => stack.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };

  try {
    await ensureLocalKeyPair(dataDir);
    const edge: EdgeServer = await startEdgeServer({
      s3: stack.s3,
      bucket: LOCAL_FEED_BUCKET,
      host,
      port: options.port,
      trustedKeys: () => loadTrustedPublicKeys(dataDir),
      log: options.accessLog,
    });
    closers.push(() => edge.close());

    const hub = options.websub ? await startLocalHub({ host, log: options.log }) : undefined;
    if (hub) closers.push(() => hub.close());
    const hubs = [...(hub ? [hub.url] : []), ...(options.websubHubs ?? [])];
    // Off unless asked for: a laptop notifies no hub, and the feeds advertise none.
    if (hubs.length > 0) process.env[ENV.websubHubs] = hubs.join(',');

    configureEnvironment({ edgeUrl: edge.url, stack });
    // Imported only now: the handlers read this environment at their first invocation, as in Lambda.
    const deps = productionDependencies();
    const journal = new DynamoDbStreamJournal(deps.documentClient, LOCAL_TABLE);
    // Inputs are parsed in worker threads with a time limit each, so that no page holds the event loop
    // that serves the API, the edge and the embedded stores (see parse-pool.ts).
    const parsePool = startParsePool({ timeLimitMs: options.parseTimeLimitMs ?? parseTimeLimitFromEnvironment() });
    closers.push(() => parsePool.close());
    let stream: LocalStream | undefined;
    // Scheduled stories: one timer per article scheduled for later; at its time the article goes through
    // the stream as a change would (journaled first, so a release cut short by a stop is built at the next start).
    let releaseIntoStream: (articleId: string, at: Date) => void = () => undefined;
    const releases = new LocalReleaseTimers((articleId, at) => releaseIntoStream(articleId, at), deps.clock);
    const handlers = await loadHandlers((repository) => (stream as LocalStream).journaled(repository), parsePool, releases);
    stream = new LocalStream(handlers.streamConsumers, { journal, log: options.log });
    const localStream = stream;
    releaseIntoStream = (articleId, at) => {
      options.log(`embargo: releasing ${articleId} (scheduled for ${at.toISOString()})`);
      journal.mark(articleId).then(
        (seq) => localStream.enqueue([[articleId, seq]]),
        (error: Error) => options.log(`embargo: release of ${articleId} not queued (${error.message}); the next start releases it`),
      );
    };
    // Changes an earlier run stored but did not build (it crashed or was stopped mid-build) are built
    // first, in the background like everything the stream does.
    const replayed = await localStream.replay();
    if (replayed.length > 0) options.log(`stream: ${replayed.length} change(s) left unbuilt by the last run; building them`);
    let stopReport: StreamStopReport | undefined;
    const stopStream = async () => {
      if (stopReport) return;
      const graceMs = options.stopGraceMs ?? STOP_GRACE_MS;
      stopReport = await localStream.close(graceMs);
      const { inFlight, leftPending } = stopReport;
      const what = inFlight === 'abandoned' ? `abandoned the build in progress after ${graceMs / 1000} s` : inFlight === 'finished' ? 'finished the build in progress' : 'no build in progress';
      options.log(`stream: ${what}; ${leftPending} change(s) left for the next start`);
    };
    closers.push(stopStream);
    // Closed first (closers run in reverse): no release enters a stream that is stopping.
    closers.push(async () => releases.close());

    if (options.partnersFile) {
      const partners = await readPartnerRegistryFile(options.partnersFile);
      const registry = productionDependencies().partners;
      for (const partner of partners) await registry.put(partner);
      options.log(`partners: ${partners.map((p) => `${p.id} (${p.status})`).join(', ')} from ${options.partnersFile}`);
    }

    // Waits until the builds that include these changes are done (the ingest itself queued them).
    const afterIngest = async (outcomes: IngestOutcome[]): Promise<StreamDelivery[]> => {
      const changed = outcomes.flatMap((o) => (o.status === 'created' || o.status === 'updated' || o.status === 'withdrawn' ? [o.article.id] : []));
      const reports = await localStream.whenBuilt(changed);
      return reports.at(-1)?.deliveries ?? [];
    };

    /**
     * Ingests files one by one, each through the inbox handler as its own S3 event, then runs the builds
     * once for all of them. A file that cannot be taken (a link, too large, refused, or one whose ingest
     * throws) never stops the others or the job: in the inbox it is moved aside to `.refused/` with its reason.
     */
    const ingestFiles = async (
      dir: string,
      names: readonly string[],
      inbox: boolean,
    ): Promise<{ outcomes: IngestOutcome[]; built: Promise<StreamDelivery[]>; refusals: Map<string, string> }> => {
      const outcomes: IngestOutcome[] = [];
      const refusals = new Map<string, string>();
      for (const name of names) {
        let reason: string | undefined;
        try {
          const read = await readInboxFile(dir, name);
          if (!read.ok) {
            reason = read.reason;
            outcomes.push({ status: 'refused', problems: [{ field: 'file', message: read.reason }] });
          } else {
            await stack.s3.send(new PutObjectCommand({ Bucket: LOCAL_INBOX_BUCKET, Key: name, Body: read.body }));
            const [result] = await handlers.inbox({ Records: [s3Record(LOCAL_INBOX_BUCKET, name)] });
            if (result) {
              outcomes.push(result.outcome);
              if (result.outcome.status === 'refused') reason = refusalText(result.outcome);
            }
          }
        } catch (error) {
          reason = `could not be ingested (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`;
          outcomes.push({ status: 'refused', problems: [{ field: 'file', message: reason }] });
        }
        if (reason === undefined) continue;
        if (inbox) {
          const moved = await moveAside(dir, name, reason, new Date()).then(
            (path) => `moved to ${path}`,
            (error: unknown) => `could not be moved aside (${(error as Error).message})`,
          );
          reason = `${reason}; ${moved}`;
        }
        refusals.set(name, reason);
      }
      return { outcomes, built: afterIngest(outcomes), refusals };
    };

    if (options.examplesDir) {
      const examplesDir = resolve(options.examplesDir);
      const names = await inboxFileNames(examplesDir);
      const { outcomes, built, refusals } = await ingestFiles(examplesDir, names, false);
      const deliveries = await built;
      const counts = countBy(outcomes.map((o) => o.status));
      const split = deliveries.map((d) => `${d.consumer} ${d.ms} ms`).join(', ');
      options.log(`examples: ${names.length} files from ${options.examplesDir}: ${formatCounts(counts)}${split ? ` (${split})` : ''}`);
      for (const [name, reason] of refusals) options.log(`  refused ${join(options.examplesDir, name)}: ${reason}`);
    }

    const api: LocalApiServer = await startLocalApiServer({
      host,
      port: options.port === 0 ? 0 : options.port + 1,
      handler: handlers.ingest,
      onResponse: async (event, response) => {
        const body = JSON.parse(response.body ?? '{}') as { status?: string; id?: string };
        // As in AWS the answer comes once the article is stored; the stream builds its feeds after.
        // `?wait=1` (or `x-warta-wait: 1`) holds the answer until they are built, for scripts and tests.
        const changed = body.id && (body.status === 'created' || body.status === 'updated' || body.status === 'withdrawn');
        if (changed && body.id && wantsToWait(event)) {
          const [report] = await localStream.whenBuilt([body.id]);
          if (report && !report.built) {
            response.headers = { ...response.headers, 'x-warta-build': 'failed; built again at the next start' };
          }
        }
        options.log(`api: ${body.status ?? response.statusCode} ${body.id ?? ''}`.trim());
      },
    });
    let apiClosed: Promise<void> | undefined;
    closers.push(() => (apiClosed ??= api.close()));

    // Files already waiting in the inbox are taken in first, then the folder is watched.
    const waiting = await inboxFileNames(inboxDir);
    if (waiting.length > 0) {
      const { outcomes, built, refusals } = await ingestFiles(inboxDir, waiting, true);
      await built;
      options.log(`inbox: ${waiting.length} waiting file(s): ${formatCounts(countBy(outcomes.map((o) => o.status)))}`);
      for (const [name, reason] of refusals) options.log(`inbox: ${name} → refused: ${reason}`);
    }
    const watcher = watchInbox(inboxDir, async (name) => {
      const t0 = performance.now();
      try {
        const { outcomes, built, refusals } = await ingestFiles(inboxDir, [name], true);
        const [outcome] = outcomes;
        if (!outcome) return;
        // The next file is taken while this one is built: files dropped together are built together, as
        // the stream batches them. Its line is written once the build that includes it is done.
        void built.then((deliveries) => {
          const ms = Math.round(performance.now() - t0);
          const split = deliveries.map((d) => `${d.consumer} ${d.ms} ms`).join(', ');
          const refusal = refusals.get(name);
          const described = refusal === undefined ? describeOutcome(outcome) : `refused: ${refusal}`;
          options.log(`inbox: ${name} → ${described} (${ms} ms${split ? `: ${split}` : ''})`);
        });
      } catch (error) {
        options.log(`inbox: ${name} failed: ${(error as Error).message}`);
      }
    });
    closers.push(async () => watcher.close());
    // Plays the AWS schedule of the sitemap refresh: articles leave the news sitemap 48 hours after publication.
    const sitemapTimer = setInterval(() => {
      handlers.sitemapRefresh().catch((error: unknown) => options.log(`sitemaps: refresh failed: ${(error as Error).message}`));
    }, SITEMAP_REFRESH_MS);
    sitemapTimer.unref();
    closers.push(async () => clearInterval(sitemapTimer));
    closers.push(
      await writeLocalEndpoints(dataDir, {
        pid: process.pid,
        dynamodb: stack.dynamoEndpoint,
        s3: stack.s3Endpoint,
        edge: edge.url,
        api: api.url,
        table: LOCAL_TABLE,
        feedBucket: LOCAL_FEED_BUCKET,
        inboxBucket: LOCAL_INBOX_BUCKET,
        environment: Object.fromEntries(Object.values(ENV).flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : []))),
      }),
    );

    const feedUrls = ['rss', 'atom', 'json'].map((f) => `${edge.url}/${feedObjectKey('latest', f as 'rss')}`);
    options.log(`ready in ${Math.round(performance.now() - started)} ms`);
    // Every stored article should be in each of its feeds and have its related list; data folders
    // from older versions or a damaged table are repaired through the stream, in the background.
    void localStream
      .whenBuilt(replayed)
      .then(() => checkConsistency(deps.documentClient, LOCAL_TABLE, deps.clock.now()))
      .then(async (report) => {
        // Releases pending when the last run stopped are timers again; those whose time passed meanwhile are
        // missing from their listings, so they are among the broken ones rebuilt (released) below.
        for (const { id, publishedAt } of report.scheduled) await releases.schedule(id, releaseInstant(new Date(publishedAt)));
        if (report.scheduled.length > 0) {
          options.log(`embargo: ${report.scheduled.length} article(s) scheduled for later; the next at ${report.scheduled[0]?.publishedAt}`);
        }
        if (report.broken.length === 0) {
          options.log(`startup check: ${report.articles} stored article(s), each in its feeds and with its related list`);
          return;
        }
        const shown = report.broken.slice(0, 5).map((b) => `${b.id} (${b.problem})`).join(', ');
        options.log(`startup check: ${report.broken.length} of ${report.articles} stored article(s) not fully built: ${shown}${report.broken.length > 5 ? ', …' : ''}; rebuilding them`);
        const ids = report.broken.map((b) => b.id);
        localStream.enqueue(await Promise.all(ids.map(async (id) => [id, await journal.mark(id)] as const)));
        await localStream.whenBuilt(ids);
        options.log(`startup check: rebuilt ${ids.length} article(s)`);
      })
      .catch((error: Error) => options.log(`startup check failed: ${error.message}`));
    return {
      edgeUrl: edge.url,
      apiUrl: api.url,
      feedUrls,
      ...(hub ? { hubUrl: hub.url } : {}),
      idle: () => localStream.idle(),
      async close() {
        // New requests are refused at once; requests in flight and the build in progress get the grace
        // period, then everything else stops. The answer says whether the build finished or was abandoned.
        apiClosed = api.close();
        await stopStream();
        await Promise.race([apiClosed, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
        await closeAll();
        return stopReport as StreamStopReport;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

function configureEnvironment({ edgeUrl, stack }: { edgeUrl: string; stack: EmbeddedStack }): void {
  const defaults: Record<string, string> = {
    [ENV.siteUrl]: 'https://jurnalpagi.example',
    [ENV.siteTitle]: 'JurnalPagi',
    [ENV.siteDescription]: 'Berita terkini dari JurnalPagi',
    [ENV.siteLanguage]: 'id',
  };
  for (const [name, value] of Object.entries(defaults)) process.env[name] ??= value;
  Object.assign(process.env, {
    [ENV.articlesTableName]: LOCAL_TABLE,
    [ENV.feedBucketName]: LOCAL_FEED_BUCKET,
    [ENV.inboxBucketName]: LOCAL_INBOX_BUCKET,
    [ENV.feedsBaseUrl]: edgeUrl,
    [ENV.s3ForcePathStyle]: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoEndpoint,
    AWS_ENDPOINT_URL_S3: stack.s3Endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    POWERTOOLS_SERVICE_NAME: 'warta',
  });
  process.env['POWERTOOLS_LOG_LEVEL'] ??= 'WARN';
  // CloudWatch metrics (EMF) mean nothing on a laptop; they would only print JSON blobs.
  process.env['POWERTOOLS_METRICS_DISABLED'] ??= 'true';
}

function parseTimeLimitFromEnvironment(): number {
  const value = Number(process.env['WARTA_PARSE_TIME_LIMIT_MS']);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_PARSE_TIME_LIMIT_MS;
}

/** How long Ctrl-C waits for the build in progress before abandoning it (it is built again at the next start). */
const STOP_GRACE_MS = 4_000;

function wantsToWait(event: { queryStringParameters?: Record<string, string | undefined>; headers?: Record<string, string | undefined> }): boolean {
  const value = event.queryStringParameters?.['wait'] ?? event.headers?.['x-warta-wait'];
  return value !== undefined && value !== '0' && value !== 'false';
}

/**
 * The Lambda handlers, with the ingest and inbox handlers writing through `journaled(articles)`:
 * locally every article write also records its change for the local stream.
 */
async function loadHandlers(journaled: (repository: ArticleRepository) => ArticleRepository, parsePool: ParsePool, releases: ReleaseScheduler) {
  const [ingest, inbox, feedBuilder, relatedBuilder, sitemapRefresh] = await Promise.all([
    import('../../functions/ingest.js'),
    import('../../functions/inbox.js'),
    import('../../functions/feed-builder.js'),
    import('../../functions/related-builder.js'),
    import('../../functions/sitemap-refresh.js'),
  ]);
  // In AWS both consumers read the stream side by side; here the related lists are updated first,
  // so the feeds built right after already carry the new related links.
  const streamConsumers: StreamConsumer[] = [
    { name: 'related-builder', handler: relatedBuilder.handler },
    // The feed builder schedules releases on the local timers where Lambda uses EventBridge Scheduler.
    { name: 'feed-builder', handler: feedBuilder.createFeedBuilderHandler(() => ({ ...feedBuilder.productionFeedBuilderDeps(), releases })) },
  ];
  const writing = () => {
    const deps = productionDependencies();
    return { ...deps, articles: journaled(deps.articles), prepareArticle: parsePool.prepare };
  };
  return {
    ingest: ingest.createIngestHandler(writing),
    inbox: inbox.createInboxHandler(writing),
    streamConsumers,
    sitemapRefresh: sitemapRefresh.handler,
  };
}

function watchInbox(dir: string, onFile: (name: string) => Promise<void>): FSWatcher {
  const timers = new Map<string, NodeJS.Timeout>();
  let chain = Promise.resolve();
  // Editors and copy tools fire several events per save; wait for the file to settle.
  const watcher = watch(dir, (_event, filename) => {
    if (!filename || IGNORED_INBOX_FILE.test(filename) || /[/\\]/.test(filename)) return;
    clearTimeout(timers.get(filename));
    timers.set(
      filename,
      setTimeout(() => {
        timers.delete(filename);
        chain = chain.then(async () => {
          // lstat, not stat: a link is handed on (and refused), never followed; gone files and folders are skipped.
          const info = await lstat(join(dir, filename)).catch(() => undefined);
          if (info && !info.isDirectory()) await onFile(filename);
        });
      }, 75),
    );
  });
  // A watcher error (the folder removed, too many files) must not become an unhandled 'error' event.
  watcher.on('error', (error) => console.error(`inbox watcher: ${error.message}`));
  return watcher;
}

function s3Record(bucket: string, key: string): S3Event['Records'][number] {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: LOCAL_REGION,
    eventTime: new Date().toISOString(),
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'local' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': 'local', 'x-amz-id-2': 'local' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'inbox',
      bucket: { name: bucket, ownerIdentity: { principalId: 'local' }, arn: `arn:aws:s3:::${bucket}` },
      object: { key: encodeURIComponent(key).replace(/%20/g, '+'), size: 0, eTag: '', sequencer: '0' },
    },
  };
}

/** Every problem of a refusal, then the format the input was read as and why (so a mislabelled file explains itself). */
function refusalText(outcome: Extract<IngestOutcome, { status: 'refused' }>): string {
  const problems = outcome.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return outcome.detected === undefined || problems.includes(outcome.detected) ? problems : `${problems} (read as ${outcome.detected})`;
}

export function describeOutcome(outcome: IngestOutcome): string {
  if (outcome.status === 'refused') return `refused: ${refusalText(outcome)}`;
  const a = outcome.article;
  const effect =
    outcome.status === 'unchanged' ? '' : outcome.status === 'withdrawn' ? '; removed from every feed' : `; ${outcome.links.feeds.length} feed(s) rebuilt`;
  return `${outcome.status} ${a.id} (version ${a.version})${effect}`;
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

function formatCounts(counts: Map<string, number>): string {
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing';
}
