import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { fc, test } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main.js';
import { systemClock } from '../../../shared/ports.js';
import { DEFAULT_RETRY_POLICY, RETRYABLE_STATUSES, retryAfterMs, retryDelayMs } from '../../../shared/wordpress/retrying-fetch.js';
import { syncWordPress, type WordPressSyncState } from '../../../shared/wordpress/sync-wordpress.js';

const EXPORT = fileURLToPath(new URL('../../fixtures/wordpress/edge-cases.xml', import.meta.url));

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const servers: { close: () => void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

/** A tiny HTTP server on an ephemeral 127.0.0.1 port; it records when each request arrived. */
async function serve(handler: Handler) {
  const arrivals: { at: number; method: string; url: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      arrivals.push({ at: Date.now(), method: req.method ?? '', url: req.url ?? '' });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => server.close() });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals };
}

/** Answers the first `busy` requests 503 with `Retry-After: 1`, then hands over. */
function busyTwice(then: Handler, status = 503, busy = 2): Handler {
  let count = 0;
  return (req, res, body) => {
    if (count++ < busy) {
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"status":"error","message":"busy"}');
      return;
    }
    then(req, res, body);
  };
}

function output() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { stream, text: () => text };
}

describe('Retry-After', () => {
  test.prop([fc.integer({ min: 0, max: 10 }), fc.integer({ min: 100, max: 599 }), fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined })])(
    'a delay is given only for 429/502/503/504 within the retries, never longer than the longest wait, and exactly what the server asked when it asked',
    (attempt, status, seconds) => {
      const delay = retryDelayMs(DEFAULT_RETRY_POLICY, attempt, status, seconds === undefined ? null : String(seconds), 0);
      if (!RETRYABLE_STATUSES.has(status) || attempt >= DEFAULT_RETRY_POLICY.retries) expect(delay).toBeUndefined();
      else if (seconds === undefined) expect(delay).toBe(Math.min(DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** attempt, DEFAULT_RETRY_POLICY.maxDelayMs));
      // A server asking for longer than we wait gets its answer back at once instead.
      else expect(delay).toBe(seconds * 1000 > DEFAULT_RETRY_POLICY.maxDelayMs ? undefined : seconds * 1000);
    },
  );

  test.prop([fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), fc.integer({ min: -86_400, max: 86_400 })])(
    'an HTTP date is read as the time until then (never negative)',
    (now, offsetSeconds) => {
      const then = new Date(Math.floor(now.getTime() / 1000) * 1000 + offsetSeconds * 1000);
      expect(retryAfterMs(then.toUTCString(), now.getTime())).toBe(Math.max(0, then.getTime() - now.getTime()));
    },
  );

  it('reads nothing into an absent or malformed value', () => {
    for (const value of [null, undefined, '', 'soon', '-1', '1.5']) expect(retryAfterMs(value, 0)).toBeUndefined();
  });

  it('warta import of a WordPress export waits as the ingest API asks and then stores every post', async () => {
    const stored = new Set<string>();
    const api = await serve(
      busyTwice((_req, res, body) => {
        const id = (JSON.parse(body) as { id: string }).id;
        stored.add(id);
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'created', id }));
      }),
    );
    const out = output();
    const err = output();
    const code = await main(['import', '--url', api.url, '--concurrency', '1', '--json', EXPORT], { stdout: out.stream, stderr: err.stream, now: () => new Date() });
    const summary = JSON.parse(out.text()) as { created: number; failed: unknown[] };
    // Exit 1 only because the export holds posts Warta refuses (empty title, no content): nothing failed.
    expect(summary.failed).toEqual([]);
    expect(summary.created).toBe(stored.size);
    expect(stored.size).toBeGreaterThan(3);
    expect(code).toBe(1);
    // The first post was sent three times, each repeat at least the asked second after the 503.
    const [first, second, third] = api.arrivals;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(950);
    expect(api.arrivals).toHaveLength(stored.size + 2);
  }, 30_000);

  it('gives up after the bounded retries and reports the answer', async () => {
    const api = await serve(busyTwice(() => undefined, 503, Number.MAX_SAFE_INTEGER));
    const out = output();
    const code = await main(['import', '--url', api.url, '--concurrency', '32', '--json', EXPORT], { stdout: out.stream, stderr: output().stream, now: () => new Date() });
    const summary = JSON.parse(out.text()) as { created: number; failed: { reason?: string; error?: string }[] };
    expect(code).toBe(1);
    expect(summary.created).toBe(0);
    expect(JSON.stringify(summary.failed)).toContain('HTTP 503');
    // Each post: the first attempt and DEFAULT_RETRY_POLICY.retries repeats, no more.
    expect(api.arrivals.length % (DEFAULT_RETRY_POLICY.retries + 1)).toBe(0);
  }, 120_000);

  it('warta sync waits as the WordPress site asks (429 with Retry-After) and syncs its posts', async () => {
    const post = { id: 7, status: 'publish', modified_gmt: '2024-03-01T08:00:00', date_gmt: '2024-03-01T08:00:00', link: 'https://site.example/?p=7', title: { rendered: 'Pasar ikan' }, content: { rendered: '<p>Buka lagi.</p>', protected: false } };
    const wordpress = await serve(
      busyTwice(
        (req, res) => {
          const url = new URL(req.url ?? '/', 'http://x');
          const list = url.searchParams.get('_fields') === 'id' ? [{ id: 7 }] : [post];
          res.writeHead(200, { 'content-type': 'application/json', 'x-wp-total': '1', 'x-wp-totalpages': '1' }).end(JSON.stringify(list));
        },
        429,
      ),
    );
    let saved: WordPressSyncState | undefined;
    const ingested: number[] = [];
    const summary = await syncWordPress(
      {
        fetch,
        ingest: async (p) => {
          ingested.push(p.id);
          return { status: 'created' };
        },
        withdraw: async () => ({ status: 'unknown' }),
        state: { load: async () => saved, save: async (s) => void (saved = s) },
        clock: systemClock,
      },
      { siteUrl: wordpress.url },
    );
    expect(summary).toMatchObject({ created: 1, posts: 1, listed: 1 });
    expect(ingested).toEqual([7]);
    expect(saved).toMatchObject({ listed: [7], modifiedAfter: '2024-03-01T07:59:59.000Z' });
    expect(wordpress.arrivals[1]!.at - wordpress.arrivals[0]!.at).toBeGreaterThanOrEqual(950);
  }, 30_000);
});
