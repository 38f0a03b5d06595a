import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import Negotiator from 'negotiator';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { verifySignedUrl } from '../../shared/signing/verify-signed-url.js';

/**
 * The local edge: plays CloudFront in front of the s3rver bucket, with the same rules for
 * caching headers, compression and signed partner paths. See docs/partners.md.
 */

export interface EdgeServerOptions {
  s3: S3Client;
  bucket: string;
  host: string;
  /** 0 picks an ephemeral port. */
  port: number;
  /** Trusted public keys for signed paths, by key pair id (the "trusted key group"); re-read on each request so rotation needs no restart. */
  trustedKeys: () => Promise<ReadonlyMap<string, string>> | ReadonlyMap<string, string>;
  /** Path prefixes that require a signed URL, like CloudFront behaviours with a trusted key group. Default ['partners/']. */
  signedPrefixes?: readonly string[];
  clock?: { now(): Date };
  /** One JSON object per request: { time, method, path, status, reason?, partner?, ip, bytes, ms }. */
  log?: (entry: Record<string, unknown>) => void;
  /**
   * Take the client address from the first X-Forwarded-For entry instead of the socket.
   * Only for tests and trusted proxies: anyone can send that header.
   */
  trustForwardedFor?: boolean;
}

export interface EdgeServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The object `/` answers with, as CloudFront's `defaultRootObject` (infra/constructs/delivery.ts): the
 * discovery page the feed builder writes. Until a build wrote one, the edge lists the bucket's feeds itself.
 */
export const DEFAULT_ROOT_OBJECT = 'index.html';

/** CloudFront compresses objects from 1,000 bytes to 10 MB of these types; smaller ones gain nothing. */
const COMPRESS_MIN_BYTES = 1000;
const COMPRESSIBLE = /^(text\/|application\/(json|feed\+json|rss\+xml|atom\+xml|xml|javascript)|image\/svg\+xml)/;

interface Outcome {
  status: number;
  bytes: number;
  reason?: string;
  partner?: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Object key from the raw request path, or undefined when the path tries to escape the bucket
 * namespace: dot segments (plain or encoded), encoded slashes or backslashes, NUL, empty segments.
 */
export function objectKeyFromPath(rawPath: string): string | undefined {
  if (!rawPath.startsWith('/')) return undefined;
  if (/%2f|%5c|%00/i.test(rawPath)) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  // A percent escape surviving one decode means double encoding (e.g. %252e%252e): refuse rather than guess.
  if (/[\\\0]/.test(decoded) || /%[0-9a-f]{2}/i.test(decoded)) return undefined;
  const key = decoded.slice(1);
  const segments = key.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return undefined;
  return key;
}

/**
 * Whether the client accepts gzip, read as RFC 9110 §12.5.3 says: `gzip;q=0` (or `*;q=0` without gzip)
 * refuses it, and a q-value of 0 for identity alone does not force gzip on a client that did not list it.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined || header.trim() === '') return false;
  return new Negotiator({ headers: { 'accept-encoding': header } }).encodings(['gzip']).includes('gzip');
}

/**
 * CloudFront turns a strong ETag weak when it compresses (the bytes differ from the origin's), so a
 * gzip and an identity response never share one strong validator (RFC 9110 §8.8.3).
 */
export function etagForEncoding(etag: string | undefined, gzip: boolean): string | undefined {
  if (!etag || !gzip || etag.startsWith('W/')) return etag;
  return `W/${etag}`;
}

/** Longest path segment the local bucket (s3rver files on disk) can hold; longer names cannot exist there. */
export const MAX_SEGMENT_BYTES = 240;

function etagMatches(header: string, etag: string | undefined): boolean {
  if (!etag) return false;
  if (header.trim() === '*') return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((candidate) => strip(candidate) === strip(etag));
}

/** Starts the local edge HTTP server; resolves once it listens. */
export async function startEdgeServer(options: EdgeServerOptions): Promise<EdgeServer> {
  const signedPrefixes = options.signedPrefixes ?? ['partners/'];
  const clock = options.clock ?? { now: () => new Date() };

  async function objectExists(key: string): Promise<boolean> {
    try {
      await options.s3.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }));
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (error as { name?: string }).name === 'NotFound') return false;
      throw error;
    }
  }

  async function serveIndex(res: ServerResponse, head: boolean): Promise<Outcome> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await options.s3.send(
        new ListObjectsV2Command({ Bucket: options.bucket, Prefix: 'feeds/', ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    keys.sort();
    const items = keys.map((k) => `<li><a href="/${escapeHtml(encodeURI(k))}">${escapeHtml(k)}</a></li>`).join('\n');
    const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>Warta local edge</title></head>
<body>
<h1>Warta local edge</h1>
<p>Public feeds in bucket <code>${escapeHtml(options.bucket)}</code>. Partner feeds under <code>/partners/</code> need a signed URL (<code>warta sign-url --partner ID</code>).</p>
<ul>
${items || '<li>No feeds published yet.</li>'}
</ul>
</body></html>
`;
    const body = Buffer.from(html, 'utf8');
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
    });
    res.end(head ? undefined : body);
    return { status: 200, bytes: head ? 0 : body.length };
  }

  function sendText(res: ServerResponse, status: number, text: string, head: boolean, extra: Record<string, string> = {}): number {
    const body = Buffer.from(`${text}\n`, 'utf8');
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': body.length,
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(head ? undefined : body);
    return head ? 0 : body.length;
  }

  async function serveObject(req: IncomingMessage, res: ServerResponse, key: string, head: boolean): Promise<Outcome> {
    // A name the bucket cannot hold does not exist: 404, as S3 would answer, not an origin failure.
    if (key.split('/').some((segment) => Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES)) {
      return { status: 404, bytes: sendText(res, 404, 'Not Found', head), reason: 'name too long' };
    }
    let meta: {
      contentType?: string;
      cacheControl?: string;
      etag?: string;
      lastModified?: Date;
      length?: number;
      body?: Uint8Array;
    };
    try {
      if (head) {
        const out = await options.s3.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }));
        meta = {
          contentType: out.ContentType,
          cacheControl: out.CacheControl,
          etag: out.ETag,
          lastModified: out.LastModified,
          length: out.ContentLength,
        };
      } else {
        const out = await options.s3.send(new GetObjectCommand({ Bucket: options.bucket, Key: key }));
        const body = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
        meta = {
          contentType: out.ContentType,
          cacheControl: out.CacheControl,
          etag: out.ETag,
          lastModified: out.LastModified,
          length: body.length,
          body,
        };
      }
    } catch (error) {
      const name = (error as { name?: string }).name;
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
        return { status: 404, bytes: sendText(res, 404, 'Not Found', head) };
      }
      throw error;
    }

    const compressible =
      acceptsGzip(req.headers['accept-encoding']) && COMPRESSIBLE.test(meta.contentType ?? '') && (meta.length ?? 0) >= COMPRESS_MIN_BYTES;
    const etag = etagForEncoding(meta.etag, compressible);
    const headers: Record<string, string | number> = { 'Accept-Ranges': 'none', Vary: 'Accept-Encoding' };
    if (meta.contentType) headers['Content-Type'] = meta.contentType;
    if (meta.cacheControl) headers['Cache-Control'] = meta.cacheControl;
    if (etag) headers.ETag = etag;
    if (meta.lastModified) headers['Last-Modified'] = meta.lastModified.toUTCString();

    // RFC 9110: If-None-Match wins over If-Modified-Since when both are sent.
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    let notModified = false;
    if (inm !== undefined) {
      notModified = etagMatches(inm, etag);
    } else if (ims !== undefined && meta.lastModified) {
      // RFC 9110 §13.1.3: an invalid date is ignored, and a date later than the server's clock is invalid.
      const since = Date.parse(ims);
      notModified =
        !Number.isNaN(since) &&
        since <= clock.now().getTime() &&
        Math.floor(meta.lastModified.getTime() / 1000) <= Math.floor(since / 1000);
    }
    if (notModified) {
      delete headers['Content-Type'];
      res.writeHead(304, headers);
      res.end();
      return { status: 304, bytes: 0 };
    }

    if (head) {
      // HEAD answers with the headers GET would send; the compressed length is unknown without the body.
      if (compressible) headers['Content-Encoding'] = 'gzip';
      else if (meta.length !== undefined) headers['Content-Length'] = meta.length;
      res.writeHead(200, headers);
      res.end();
      return { status: 200, bytes: 0 };
    }
    let payload: Uint8Array = meta.body ?? new Uint8Array();
    if (compressible) {
      payload = gzipSync(payload);
      headers['Content-Encoding'] = 'gzip';
    }
    headers['Content-Length'] = payload.length;
    res.writeHead(200, headers);
    res.end(payload);
    return { status: 200, bytes: payload.length };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<Outcome> {
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    if (method !== 'GET' && method !== 'HEAD') {
      return { status: 405, bytes: sendText(res, 405, 'Method Not Allowed', false, { Allow: 'GET, HEAD' }) };
    }
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const rawPath = q === -1 ? target : target.slice(0, q);
    const query = q === -1 ? '' : target.slice(q + 1);
    if (rawPath === '/') return (await objectExists(DEFAULT_ROOT_OBJECT)) ? serveObject(req, res, DEFAULT_ROOT_OBJECT, head) : serveIndex(res, head);
    const key = objectKeyFromPath(rawPath);
    if (key === undefined) return { status: 400, bytes: sendText(res, 400, 'Bad Request', head), reason: 'bad path' };

    if (signedPrefixes.some((prefix) => key.startsWith(prefix))) {
      const forwarded = options.trustForwardedFor ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : '';
      const clientIp = forwarded || req.socket.remoteAddress || '';
      const verdict = verifySignedUrl(
        {
          scheme: 'http',
          host: req.headers.host ?? '',
          path: rawPath,
          query,
          clientIp,
          cookieHeader: req.headers.cookie,
        },
        clock.now(),
        await options.trustedKeys(),
      );
      if (!verdict.ok) {
        return { status: 403, bytes: sendText(res, 403, `Forbidden: ${verdict.reason}`, head), reason: verdict.reason };
      }
      const outcome = await serveObject(req, res, key, head);
      return verdict.partnerId ? { ...outcome, partner: verdict.partnerId } : outcome;
    }
    return serveObject(req, res, key, head);
  }

  const server = createServer((req, res) => {
    const started = performance.now();
    const finish = (outcome: Outcome) => {
      if (!options.log) return;
      const entry: Record<string, unknown> = {
        time: clock.now().toISOString(),
        method: req.method,
        path: (req.url ?? '/').split('?')[0],
        status: outcome.status,
      };
      if (outcome.reason) entry.reason = outcome.reason;
      if (outcome.partner) entry.partner = outcome.partner;
      const forwarded = options.trustForwardedFor ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : '';
      entry.ip = forwarded || req.socket.remoteAddress;
      entry.bytes = outcome.bytes;
      entry.ms = Math.round((performance.now() - started) * 10) / 10;
      options.log(entry);
    };
    handle(req, res).then(finish, (error: unknown) => {
      // The origin failed (s3rver down, network): a 502 like CloudFront's, the cause only in the log.
      const bytes = res.headersSent ? 0 : sendText(res, 502, 'Bad Gateway', req.method === 'HEAD');
      if (res.headersSent && !res.writableEnded) res.destroy();
      finish({ status: 502, bytes, reason: error instanceof Error ? `origin error: ${error.name}` : 'origin error' });
    });
  });

  // Idle keep-alive connections stay open 65 s (Node's default is 5 s), longer than clients such as
  // undici expect: a client whose event loop was busy for a few seconds would otherwise reuse a socket the
  // edge had just closed and fail with "other side closed".
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${hostForUrl}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
