import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './embedded-stack.js';

/**
 * Where a running main job can be reached. `warta start` writes it into the data folder, so
 * other commands (`warta partners`, `warta sign-url`) act on the running job without flags.
 */
export interface LocalEndpoints {
  pid: number;
  dynamodb: string;
  s3: string;
  edge: string;
  api: string;
  table: string;
  feedBucket: string;
  inboxBucket: string;
  /** The Warta environment variables the job's handlers run with (site, feeds base URL, table, bucket). */
  environment: Record<string, string>;
}

const FILE = 'local-endpoints.json';

export async function writeLocalEndpoints(dataDir: string, endpoints: LocalEndpoints): Promise<() => Promise<void>> {
  const path = join(dataDir, FILE);
  await writeFile(path, `${JSON.stringify(endpoints, null, 2)}\n`);
  return () => rm(path, { force: true });
}

/** The running job's endpoints, or undefined when no job runs on this data folder. */
export async function readLocalEndpoints(dataDir: string): Promise<LocalEndpoints | undefined> {
  let endpoints: LocalEndpoints;
  try {
    endpoints = JSON.parse(await readFile(join(dataDir, FILE), 'utf8')) as LocalEndpoints;
  } catch {
    return undefined;
  }
  try {
    process.kill(endpoints.pid, 0);
  } catch {
    return undefined; // left behind by a job that did not stop cleanly
  }
  return endpoints;
}

/** Points the AWS SDK of this process at a running local job. */
export function useLocalEndpoints(endpoints: LocalEndpoints): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_REGION: process.env['AWS_REGION'] ?? LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  });
}
