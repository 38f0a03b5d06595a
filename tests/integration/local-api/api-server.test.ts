import { request } from 'node:http';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalApiServer, type LocalApiServer } from '../../../cli/local/api-server.js';
import { createIngestHandler } from '../../../functions/ingest.js';
import { MAX_INPUT_BYTES } from '../../../shared/parsing/parse-input.js';
import { InMemoryArticleRepository } from '../../../shared/storage/in-memory-adapters.js';

interface Reply {
  status: number;
  body: string;
  /** Body bytes the client had handed to the socket when the answer arrived. */
  sentWhenAnswered: number;
}

/**
 * A raw request: the path goes out byte for byte. The body is streamed in `chunk`-byte pieces until
 * `total` bytes are sent or the server answers, whichever comes first, so an early answer is observable.
 */
function send(
  url: string,
  method: string,
  path: string,
  options: { total?: number; chunk?: number; contentLength?: number; body?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const { port, hostname } = new URL(url);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.contentLength !== undefined) headers['content-length'] = options.contentLength;
    // Node sends DELETE bodies unframed unless told their length.
    if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
    const req = request({ host: hostname, port, path, method, headers }, (res) => {
      answered = true;
      const sentWhenAnswered = sent;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), sentWhenAnswered }));
      res.on('error', reject);
    });
    // The server may close the connection while the upload is still going: that is the point.
    req.on('error', (error) => (answered ? undefined : reject(error)));
    if (options.body !== undefined) {
      req.end(options.body);
      return;
    }
    const total = options.total ?? 0;
    const piece = Buffer.alloc(options.chunk ?? 64 * 1024, 0x61);
    const pump = () => {
      while (!answered && sent < total) {
        const n = Math.min(piece.length, total - sent);
        sent += n;
        if (!req.write(n === piece.length ? piece : piece.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (!answered) req.end();
    };
    pump();
  });
}

const quietLogger = new Logger({ serviceName: 'warta-test', logLevel: 'SILENT' });

describe('local ingest API: body limits', () => {
  const seen: APIGatewayProxyEventV2[] = [];
  let api: LocalApiServer;
  let small: LocalApiServer;
  beforeAll(async () => {
    const echo = async (event: APIGatewayProxyEventV2) => {
      seen.push(event);
      const length = Buffer.from(event.body ?? '', 'base64').length;
      return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ length, id: event.pathParameters?.['id'] }) };
    };
    api = await startLocalApiServer({ host: '127.0.0.1', port: 0, handler: echo });
    small = await startLocalApiServer({ host: '127.0.0.1', port: 0, handler: echo, maxBodyBytes: 1000 });
  });
  afterAll(async () => {
    await api?.close();
    await small?.close();
  });

  it('answers 413 at once to a declared 450 MB body, having read almost none of it', async () => {
    const reply = await send(api.url, 'POST', '/articles', { contentLength: 450 * 1024 * 1024, total: 450 * 1024 * 1024 });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toEqual({
      status: 'refused',
      problems: [{ field: 'body', message: `is ${450 * 1024 * 1024} bytes; the largest accepted input is ${MAX_INPUT_BYTES} bytes` }],
    });
    expect(reply.sentWhenAnswered).toBeLessThan(64 * 1024 * 1024);
  });

  it('answers 413 to a 200 MB chunked upload as soon as the limit is passed, without buffering the rest', async () => {
    const reply = await send(api.url, 'POST', '/articles', { total: 200 * 1024 * 1024 });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body).problems[0].message).toBe(`is more than ${MAX_INPUT_BYTES} bytes; the largest accepted input is ${MAX_INPUT_BYTES} bytes`);
    expect(reply.sentWhenAnswered).toBeLessThan(64 * 1024 * 1024);
  });

  it('passes every body up to the limit to the handler whole, and refuses every larger one, however it is sent', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.boolean(),
        async (size, chunk, declared) => {
          const reply = await send(small.url, 'POST', '/articles', { total: size, chunk, ...(declared ? { contentLength: size } : {}) });
          if (size > 1000) {
            expect(reply.status).toBe(413);
          } else {
            expect(reply.status).toBe(200);
            expect(JSON.parse(reply.body)).toEqual({ length: size });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('local ingest API: routes as API Gateway defines them', () => {
  const seen: APIGatewayProxyEventV2[] = [];
  let api: LocalApiServer;
  beforeAll(async () => {
    api = await startLocalApiServer({
      host: '127.0.0.1',
      port: 0,
      handler: async (event) => {
        seen.push(event);
        return { statusCode: 200, body: JSON.stringify({ routeKey: event.routeKey, id: event.pathParameters?.['id'] }) };
      },
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('invokes the function only for POST /articles and DELETE /articles/{id}; everything else is 404 Not Found', async () => {
    // "." and ".." are dot segments (RFC 3986 §5.2.4) that URL parsers remove, never article ids.
    const segment = fc.stringMatching(/^[a-zA-Z0-9._~-]{1,12}$/).filter((s) => s !== '.' && s !== '..');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
        fc.oneof(
          fc.array(segment, { minLength: 0, maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
          segment.map((s) => `/articles/${s}`),
          segment.map((s) => `/articles/${s}/`),
          fc.constantFrom('/articles', '/articles/', '/Articles', '//articles', '/articles//x', '/any/other/path', '/partner-access/signed-url'),
        ),
        async (method, path) => {
          seen.length = 0;
          const reply = await send(api.url, method, path, method === 'GET' || method === 'HEAD' ? {} : { body: '{}' });
          const routed = (method === 'POST' && path === '/articles') || (method === 'DELETE' && /^\/articles\/[^/]+$/.test(path));
          if (routed) {
            expect(reply.status, reply.body).toBe(200);
            expect(seen).toHaveLength(1);
          } else {
            expect(reply.status).toBe(404);
            if (method !== 'HEAD') expect(JSON.parse(reply.body)).toEqual({ message: 'Not Found' });
            expect(seen).toHaveLength(0);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('decodes the article id exactly once and answers 400 to malformed escapes', async () => {
    expect(JSON.parse((await send(api.url, 'DELETE', '/articles/%2568-ctrl-1')).body)).toEqual({ routeKey: 'DELETE /articles/{id}', id: '%68-ctrl-1' });
    expect(JSON.parse((await send(api.url, 'DELETE', '/articles/h-ctrl-1')).body).id).toBe('h-ctrl-1');
    for (const bad of ['/articles/%', '/articles/%E0%A4%A', '/articles/abc%zz', '/articles/%C3', '/articles/%ED%A0%80']) {
      seen.length = 0;
      const reply = await send(api.url, 'DELETE', bad);
      expect(reply.status).toBe(400);
      expect(seen).toHaveLength(0);
    }
    await fc.assert(
      // `.` and `..` are dot segments, removed from any URL path before routing (no article id can be one).
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }).filter((id) => id !== '.' && id !== '..'), async (id) => {
        const reply = await send(api.url, 'DELETE', `/articles/${encodeURIComponent(id)}`);
        expect(reply.status).toBe(200);
        expect(JSON.parse(reply.body).id).toBe(id);
      }),
      { numRuns: 100 },
    );
  });
});

describe('local ingest API in front of the real ingest handler', () => {
  let api: LocalApiServer;
  const articles = new InMemoryArticleRepository();
  beforeAll(async () => {
    const handler = createIngestHandler({
      articles,
      clock: { now: () => new Date('2024-02-07T10:00:00Z') },
      logger: quietLogger,
      config: {
        site: {
          siteUrl: 'https://jurnalpagi.example',
          siteTitle: 'JurnalPagi',
          siteDescription: 'Berita',
          language: 'id',
          defaultSection: 'Berita',
          feedsBaseUrl: 'https://feeds.jurnalpagi.example',
          feedItemLimit: 50,
          feedMaxAgeSeconds: 300,
          feedMaxBytes: 2_000_000,
        },
      },
    });
    api = await startLocalApiServer({ host: '127.0.0.1', port: 0, handler });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('withdraws the article named by the once-decoded id, never another one', async () => {
    const article = JSON.stringify({ id: 'h-ctrl-1', title: 'Judul', bodyHtml: '<p>Isi berita.</p>', publishedAt: '2024-02-07T09:00:00Z' });
    const created = await send(api.url, 'POST', '/articles', { body: article, headers: { 'content-type': 'application/json' } });
    expect(created.status).toBe(201);
    const reply = await send(api.url, 'DELETE', '/articles/%2568-ctrl-1');
    expect(reply.status).toBe(404);
    expect(JSON.parse(reply.body).problems[0]).toEqual({ field: 'id', message: 'no article with id "%68-ctrl-1" is stored' });
    expect((await articles.get('h-ctrl-1'))?.status).toBe('published');
    expect((await send(api.url, 'DELETE', '/articles/%')).status).toBe(400);
    expect((await send(api.url, 'DELETE', '/articles/%E0%A4%A')).status).toBe(400);
    expect((await send(api.url, 'POST', '/any/other/path', { body: article })).status).toBe(404);
    const withdrawn = await send(api.url, 'DELETE', '/articles/h-ctrl-1');
    expect(withdrawn.status).toBe(200);
    expect((await articles.get('h-ctrl-1'))?.status).toBe('withdrawn');
  });

  it('reads JSON sent as image/png or text/html as JSON, says so, and explains a refusal by the format it detected', async () => {
    for (const [id, contentType] of [['lie-png', 'image/png'], ['lie-html', 'text/html; charset=utf-8']] as const) {
      const body = JSON.stringify({ id, title: 'Judul berita', bodyHtml: '<p>Isi berita.</p>', publishedAt: '2024-02-07T09:00:00Z' });
      const reply = await send(api.url, 'POST', '/articles', { body, headers: { 'content-type': contentType } });
      expect(reply.status).toBe(201);
      expect(JSON.parse(reply.body).notes).toContain(`format: read as Warta JSON, because the content starts with \`{"\` (the Content-Type ${contentType.split(';')[0]} was not followed)`);
      expect((await articles.get(id))?.title).toBe('Judul berita');
    }
    const truncated = await send(api.url, 'POST', '/articles', { body: '{"title": "Judul", "bodyHtml": "<p>Is', headers: { 'content-type': 'text/html' } });
    expect(truncated.status).toBe(422);
    const refusal = JSON.parse(truncated.body);
    expect(refusal.detected).toBe('Warta JSON, because the content starts with `{"` (the Content-Type text/html was not followed)');
    expect(refusal.problems).toEqual([{ field: 'body', message: expect.stringMatching(/^was read as Warta JSON, .*; it is not valid JSON: /) }]);
  });
});
