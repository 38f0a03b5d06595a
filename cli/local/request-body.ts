import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Request bodies for the local runtime's HTTP servers (ingest API, WebSub hub): read up to a limit, and
 * refuse the rest without losing the answer.
 */

/** How long a refused upload is read and discarded before its connection is cut. */
const LINGER_MS = 2000;

/**
 * Reads the body up to `limit` bytes; stops collecting as soon as it would exceed it. Event-based rather
 * than `for await`, which would destroy the socket on an early exit before the refusal could be sent.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.off('data', onData);
        req.off('end', onEnd);
        resolve('too large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

/**
 * Answers a request whose body (or the rest of it) will not be read, then closes the connection.
 *
 * Closing a socket while upload bytes are still arriving makes the kernel send a reset, and a reset
 * discards the answer from the client's receive buffer before the client reads it: a client that sends
 * its whole body before reading (most do) then sees EPIPE or ECONNRESET instead of the 413 or 404. So the
 * connection closes lingering (RFC 9112 §9.6): the whole answer is written at once (its length declared),
 * the rest of the upload is read and discarded as it arrives, and the connection ends when the upload
 * ends, or after a grace period for a client that keeps sending.
 */
export function refuseLingering(req: IncomingMessage, res: ServerResponse, status: number, contentType: string, payload: string): void {
  res.writeHead(status, { 'content-type': contentType, connection: 'close', 'content-length': Buffer.byteLength(payload) });
  // write, not end: ending the response is what makes Node close the socket.
  res.write(payload);
  const close = () => {
    clearTimeout(timer);
    if (!res.writableEnded) res.end();
  };
  const timer = setTimeout(() => {
    close();
    req.socket.destroy();
  }, LINGER_MS);
  timer.unref();
  req.on('error', close);
  if (req.readableEnded) {
    close();
    return;
  }
  req.once('end', close);
  req.resume();
}
