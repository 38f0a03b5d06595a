// The embedded DynamoDB and S3 in a worker thread of their own (see embedded-stack.ts). Plain JavaScript
// because worker threads do not inherit the main thread's tsx loader; it registers its own.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { startEmbeddedServers } = await import('./embedded-servers.ts');

try {
  const servers = await startEmbeddedServers(workerData);
  parentPort.once('message', async () => {
    await servers.close();
    // Nothing else holds the thread: closing the port lets it end, which is what close() waits for.
    parentPort.close();
  });
  parentPort.postMessage({ dynamoEndpoint: servers.dynamoEndpoint, s3Endpoint: servers.s3Endpoint });
} catch (error) {
  parentPort.postMessage({ error: error instanceof Error ? error.message : String(error) });
  parentPort.close();
}
