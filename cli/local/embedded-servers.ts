import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { closeDynaliteIterators } from './level-iterator-fix.js';

export interface EmbeddedServersOptions {
  host: string;
  /** Folder of dynalite's LevelDB; in memory when absent. */
  dynamoPath?: string;
  /** Folder s3rver stores objects in (it always stores on disk). */
  s3Dir: string;
}

export interface EmbeddedServers {
  dynamoEndpoint: string;
  s3Endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite (DynamoDB) and s3rver (S3) on ephemeral loopback ports, in whichever thread calls it. */
export async function startEmbeddedServers(options: EmbeddedServersOptions): Promise<EmbeddedServers> {
  closeDynaliteIterators();
  const dynamoServer = dynalite({ path: options.dynamoPath, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamoServer.once('error', reject);
    dynamoServer.listen(0, options.host, () => resolve());
  });
  const s3Server = new S3rver({ address: options.host, port: 0, silent: true, directory: options.s3Dir });
  const s3Address = (await s3Server.run()) as AddressInfo;
  return {
    dynamoEndpoint: `http://${options.host}:${(dynamoServer.address() as AddressInfo).port}`,
    s3Endpoint: `http://${options.host}:${s3Address.port}`,
    async close() {
      await s3Server.close();
      await new Promise<void>((resolve) => dynamoServer.close(() => resolve()));
    },
  };
}
