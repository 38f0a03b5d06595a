import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { S3Client } from '@aws-sdk/client-s3';

// s3rver ships no type declarations; type the little we use here instead of a project-wide ambient module.
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export interface S3Fixture {
  s3: S3Client;
  bucket: string;
  endpoint: string;
  /** s3rver's data folder (`<bucket>/<key>._S3rver_object` and its metadata files). */
  directory: string;
  stop(): Promise<void>;
}

/** A real s3rver on an ephemeral 127.0.0.1 port with one bucket, and an SDK client pointed at it. */
export async function startS3(bucket = 'warta-feeds'): Promise<S3Fixture> {
  const directory = await mkdtemp(join(tmpdir(), 'warta-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  return {
    s3,
    bucket,
    endpoint,
    directory,
    async stop() {
      s3.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
