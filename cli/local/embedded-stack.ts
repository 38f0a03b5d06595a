import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { BucketAlreadyExists, BucketAlreadyOwnedByYou, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Worker } from 'node:worker_threads';
import { startEmbeddedServers, type EmbeddedServers, type EmbeddedServersOptions } from './embedded-servers.js';

/** Credentials the embedded services accept; they check none, but the SDK insists on some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
export const LOCAL_REGION = 'us-east-1';

export interface EmbeddedStackOptions {
  host?: string;
  /** Folder for DynamoDB and S3 data; ignored when `memory` is true. */
  dataDir?: string;
  memory?: boolean;
  tableName: string;
  buckets: readonly string[];
  /**
   * Runs dynalite and s3rver in a worker thread of their own. Storage then works on a second core
   * while the main thread parses, builds and serves (a profile of `warta import` showed about a third of
   * the main job's CPU inside them), and a long build no longer delays their answers.
   */
  ownThread?: boolean;
}

export interface EmbeddedStack {
  dynamoEndpoint: string;
  s3Endpoint: string;
  dynamodb: DynamoDBClient;
  s3: S3Client;
  close(): Promise<void>;
}

/**
 * Starts dynalite (DynamoDB) and s3rver (S3) on ephemeral loopback ports and creates the
 * table and buckets Warta uses, with the same key schema as the CDK stack.
 */
export async function startEmbeddedStack(options: EmbeddedStackOptions): Promise<EmbeddedStack> {
  const host = options.host ?? '127.0.0.1';
  let scratch: string | undefined;
  let s3Dir: string;
  let dynamoPath: string | undefined;
  if (options.memory || !options.dataDir) {
    // s3rver always stores on disk; in memory mode it gets a temporary folder removed at close.
    scratch = await mkdtemp(join(tmpdir(), 'warta-s3-'));
    s3Dir = scratch;
  } else {
    s3Dir = join(options.dataDir, 's3');
    dynamoPath = join(options.dataDir, 'dynamodb');
    await mkdir(s3Dir, { recursive: true });
    await mkdir(dynamoPath, { recursive: true });
  }

  const servers = options.ownThread
    ? await startServersInWorker({ host, dynamoPath, s3Dir })
    : await startEmbeddedServers({ host, ...(dynamoPath ? { dynamoPath } : {}), s3Dir });
  const { dynamoEndpoint, s3Endpoint } = servers;

  const dynamodb = new DynamoDBClient({ endpoint: dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const s3 = new S3Client({ endpoint: s3Endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, forcePathStyle: true });

  await ensureTable(dynamodb, options.tableName);
  for (const bucket of options.buckets) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (error) {
      // A persisted data folder already has its buckets.
      if (!(error instanceof BucketAlreadyExists || error instanceof BucketAlreadyOwnedByYou)) throw error;
    }
  }

  return {
    dynamoEndpoint,
    s3Endpoint,
    dynamodb,
    s3,
    async close() {
      dynamodb.destroy();
      s3.destroy();
      await servers.close();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** Creates the single table (pk/sk strings), as infra/ does in AWS. */
export async function ensureTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let i = 0; i < 50; i++) {
    const out = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`Table ${tableName} did not become active`);
}

/** Starts the servers in a worker thread; resolves with their endpoints once both listen. */
async function startServersInWorker(options: EmbeddedServersOptions): Promise<EmbeddedServers> {
  const worker = new Worker(new URL('./embedded-servers-worker.mjs', import.meta.url), { workerData: options });
  let closing = false;
  const started = await new Promise<{ dynamoEndpoint: string; s3Endpoint: string }>((resolve, reject) => {
    worker.once('message', (message: { dynamoEndpoint: string; s3Endpoint: string } | { error: string }) =>
      'error' in message ? reject(new Error(`embedded DynamoDB and S3 did not start: ${message.error}`)) : resolve(message),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`embedded DynamoDB and S3 did not start (worker exit code ${code})`)));
  });
  // Storage gone in the middle of a run loses every later write: stop loudly rather than limp on.
  worker.on('error', (error) => {
    if (!closing) throw new Error(`embedded DynamoDB and S3 stopped: ${error.message}`);
  });
  return {
    ...started,
    async close() {
      closing = true;
      // The worker closes both servers, dynalite its database last (it waits for requests in flight, up to
      // its own 30 s), then ends by itself. It is terminated only if it never ends: terminating it while
      // the on-disk database is still open would kill the whole process.
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('close');
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 60_000)))]);
      clearTimeout(timer);
      if (!ended) await worker.terminate();
    },
  };
}
