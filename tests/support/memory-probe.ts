/**
 * Run by tests/e2e/memory.test.ts as `node --expose-gc --import tsx memory-probe.ts DIR COUNT`, in a
 * process of its own so that the heap it measures is only the local runtime's:
 *   1. starts the embedded stack on a data folder (dynalite on LevelDB, s3rver), as `warta start` does;
 *   2. ingests COUNT articles through the ingest handler, 8 at a time, writing through the local stream's
 *      journal, with the feed builder consuming the stream (coalesced batches, a Query per feed per build);
 *   3. runs 5,000 more Queries of the kind every builder issues (Limit, not read to the end).
 * Prints one JSON line: heap used after a full garbage collection before and after each step, in MB.
 */
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startEmbeddedStack } from '../../cli/local/embedded-stack.js';
import { LocalStream } from '../../cli/local/local-stream.js';
import { DynamoDbStreamJournal } from '../../cli/local/stream-journal.js';
import { createFeedBuilderHandler } from '../../functions/feed-builder.js';
import { createIngestHandler } from '../../functions/ingest.js';
import { RuntimeConfigSchema } from '../../shared/config/load-config.js';
import { buildDependencies, feedBuildDependencies } from '../../shared/runtime/dependencies.js';
import { postJsonEvent as post } from './api-gateway-event.js';
import { syntheticArticle } from './synthetic-archive.js';

const [dataDir, countArg] = process.argv.slice(2);
const count = Number(countArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (!dataDir || !Number.isInteger(count) || !gc) throw new Error('usage: node --expose-gc --import tsx memory-probe.ts DIR COUNT');
const heapMb = () => {
  gc();
  gc();
  return Math.round(process.memoryUsage().heapUsed / 1e5) / 10;
};

const TABLE = 'warta-articles';
const BUCKET = 'warta-feeds';
const stack = await startEmbeddedStack({ dataDir: join(dataDir, 'data'), tableName: TABLE, buckets: [BUCKET] });
const config = RuntimeConfigSchema.parse({
  articlesTableName: TABLE,
  feedBucketName: BUCKET,
  inboxBucketName: 'warta-inbox',
  s3ForcePathStyle: 'true',
  site: { siteUrl: 'https://jurnalpagi.example', siteTitle: 'JurnalPagi', siteDescription: 'Berita', feedsBaseUrl: 'http://127.0.0.1:4000' },
});
const deps = buildDependencies(config, { dynamodb: stack.dynamodb, s3: stack.s3, logger: new Logger({ serviceName: 'warta', logLevel: 'SILENT' }) });
const feedBuilder = createFeedBuilderHandler({ logger: deps.logger, build: feedBuildDependencies(deps) });
const stream = new LocalStream([{ name: 'feed-builder', handler: feedBuilder }], { journal: new DynamoDbStreamJournal(deps.documentClient, TABLE) });
const ingest = createIngestHandler({ ...deps, articles: stream.journaled(deps.articles) });

const send = async (i: number) => {
  const response = await ingest(post(JSON.stringify(syntheticArticle(i, 5))));
  if (response.statusCode !== 201) throw new Error(`article ${i}: HTTP ${response.statusCode} ${response.body}`);
};

// Warm up: the first articles load every module and client on the path.
for (let i = 0; i < 50; i++) await send(i);
await stream.idle();
const start = heapMb();
const started = performance.now();
let next = 50;
await Promise.all(Array.from({ length: 8 }, async () => { while (next < count) await send(next++); }));
await stream.idle();
const afterArticles = heapMb();
const seconds = (performance.now() - started) / 1000;

for (let i = 0; i < 5_000; i++) {
  await deps.documentClient.send(
    new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'LIST#latest' }, Limit: 10 }),
  );
}
const afterQueries = heapMb();
await stack.close();
process.stdout.write(`${JSON.stringify({ articles: count, seconds, heapStartMb: start, heapAfterArticlesMb: afterArticles, heapAfterQueriesMb: afterQueries })}\n`);
process.exit(0);
