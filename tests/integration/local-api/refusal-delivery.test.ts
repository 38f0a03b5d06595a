import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApiServer, type LocalApiServer } from '../../../cli/local/api-server.js';
import { startLocalHub, type LocalHub } from '../../../cli/local/websub-hub.js';

/**
 * A client as most HTTP clients behave: it sends its whole body, at its own pace, and reads the answer only
 * afterwards. A server that refuses early and closes while the upload is still arriving makes the kernel
 * reset the connection, which throws the refusal away unread (the client sees EPIPE or ECONNRESET).
 */
function uploadThenRead(url: string, method: string, path: string, bodyBytes: number, options: { chunked?: boolean } = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const received: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => {
      socket.pause();
      const framing = options.chunked ? 'transfer-encoding: chunked' : `content-length: ${bodyBytes}`;
      socket.write(`${method} ${path} HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/x-www-form-urlencoded\r\n${framing}\r\n\r\n`);
      let sent = 0;
      const piece = 32 * 1024;
      const pump = () => {
        if (socket.destroyed) return;
        if (sent >= bodyBytes) {
          if (options.chunked) socket.write('0\r\n\r\n');
          // Only now does it read.
          socket.resume();
          return;
        }
        const n = Math.min(piece, bodyBytes - sent);
        sent += n;
        const bytes = Buffer.alloc(n, 0x61);
        socket.write(options.chunked ? Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]) : bytes);
        setTimeout(pump, 1);
      };
      pump();
    });
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(received).toString('utf8')));
    socket.on('error', (error: NodeJS.ErrnoException) => reject(new Error(`${error.code ?? error.message} with ${Buffer.concat(received).length} answer bytes read`)));
  });
}

function statusAndBody(raw: string): { status: number; body: string } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body };
}

describe('refusals reach a client that uploads before it reads', () => {
  let api: LocalApiServer;
  let hub: LocalHub;
  beforeAll(async () => {
    const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' });
    api = await startLocalApiServer({ host: '127.0.0.1', port: 0, handler, maxBodyBytes: 100_000 });
    hub = await startLocalHub({ host: '127.0.0.1', port: 0, log: () => undefined });
  });
  afterAll(async () => {
    await api?.close();
    await hub?.close();
  });

  it('local API: 404 for an unknown route and 413 for a declared or streamed oversize body, every time', async () => {
    for (let round = 0; round < 5; round++) {
      const [unknownRoute, declared, streamed] = await Promise.all([
        uploadThenRead(api.url, 'POST', '/articles/not-a-route', 400_000),
        uploadThenRead(api.url, 'POST', '/articles', 400_000),
        uploadThenRead(api.url, 'POST', '/articles', 400_000, { chunked: true }),
      ]);
      expect(statusAndBody(unknownRoute)).toEqual({ status: 404, body: JSON.stringify({ message: 'Not Found' }) });
      expect(statusAndBody(declared).status).toBe(413);
      expect(JSON.parse(statusAndBody(declared).body).problems[0]).toEqual({ field: 'body', message: 'is 400000 bytes; the largest accepted input is 100000 bytes' });
      expect(statusAndBody(streamed).status).toBe(413);
      expect(JSON.parse(statusAndBody(streamed).body).problems[0].field).toBe('body');
    }
  });

  it('local WebSub hub: 413 for an oversize form and 405 for a body sent with PUT', async () => {
    const [tooLarge, wrongMethod] = await Promise.all([uploadThenRead(hub.url, 'POST', '/', 300_000), uploadThenRead(hub.url, 'PUT', '/', 300_000)]);
    expect(statusAndBody(tooLarge)).toEqual({ status: 413, body: 'request body is larger than 65536 bytes\n' });
    expect(statusAndBody(wrongMethod)).toEqual({ status: 405, body: 'A WebSub hub takes form-encoded POSTs\n' });
  });
});
