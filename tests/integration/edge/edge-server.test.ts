import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedCookies, getSignedUrl } from '@aws-sdk/cloudfront-signer';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEdgeServer, type EdgeServer } from '../../../cli/local/edge-server.js';
import { startS3, type S3Fixture } from './s3rver-fixture.js';

// The edge's clock runs a minute ahead of the objects it serves (stored at the real time), as a live edge's does.
const NOW = new Date(Math.ceil(Date.now() / 1000) * 1000 + 60_000);
const nowSeconds = NOW.getTime() / 1000;

function rsaKeyPair() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}
const trusted = rsaKeyPair();
const stranger = rsaKeyPair();
const KEY_ID = 'KTESTKEY000001';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP request: the path goes out byte for byte, so traversal attempts reach the server unnormalized. */
function send(port: number, path: string, headers: Record<string, string | string[]> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Path and query of a signed absolute URL, as the client puts it on the request line. */
function target(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

describe('local edge server', () => {
  let fixture: S3Fixture;
  let edge: EdgeServer;
  let base: string;
  const logs: Record<string, unknown>[] = [];

  const feedXml = `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Latest</title>${'<item><title>Berita</title></item>'.repeat(60)}</channel></rss>`;

  beforeAll(async () => {
    fixture = await startS3();
    const put = (key: string, body: string, contentType: string, cacheControl: string) =>
      fixture.s3.send(
        new PutObjectCommand({ Bucket: fixture.bucket, Key: key, Body: body, ContentType: contentType, CacheControl: cacheControl }),
      );
    await put('feeds/latest.rss', feedXml, 'application/rss+xml; charset=utf-8', 'public, max-age=300');
    await put('feeds/section/politik.json', '{"version":"https://jsonfeed.org/version/1"}', 'application/feed+json; charset=utf-8', 'public, max-age=300');
    await put('partners/acme/feed.rss', '<rss version="2.0"><channel><title>Acme</title></channel></rss>', 'application/rss+xml; charset=utf-8', 'private, max-age=60');
    await put('partners/acme/ninjs/a-1.json', '{"uri":"urn:warta:a-1"}', 'application/json; charset=utf-8', 'private, max-age=60');
    await put('partners/globex/feed.rss', '<rss version="2.0"><channel><title>Globex</title></channel></rss>', 'application/rss+xml; charset=utf-8', 'private, max-age=60');
    edge = await startEdgeServer({
      s3: fixture.s3,
      bucket: fixture.bucket,
      host: '127.0.0.1',
      port: 0,
      trustedKeys: () => new Map([[KEY_ID, trusted.publicKey]]),
      clock: { now: () => NOW },
      log: (entry) => logs.push(entry),
      trustForwardedFor: true,
    });
    base = edge.url;
  });

  afterAll(async () => {
    await edge?.close();
    await fixture?.stop();
  });

  beforeEach(() => {
    logs.length = 0;
  });

  const partnerPolicy = (overrides: { resource?: string; lessThan?: number; greaterThan?: number; ip?: string } = {}) =>
    JSON.stringify({
      Statement: [
        {
          Resource: overrides.resource ?? `${base}/partners/acme/*`,
          Condition: {
            DateLessThan: { 'AWS:EpochTime': overrides.lessThan ?? nowSeconds + 3600 },
            ...(overrides.greaterThan !== undefined ? { DateGreaterThan: { 'AWS:EpochTime': overrides.greaterThan } } : {}),
            ...(overrides.ip !== undefined ? { IpAddress: { 'AWS:SourceIp': overrides.ip } } : {}),
          },
        },
      ],
    });

  const signCustom = (path: string, policy = partnerPolicy(), privateKey = trusted.privateKey, keyPairId = KEY_ID) =>
    getSignedUrl({ url: `${base}${path}`, policy, keyPairId, privateKey });

  const signCanned = (path: string, expires = new Date((nowSeconds + 600) * 1000)) =>
    getSignedUrl({ url: `${base}${path}`, dateLessThan: expires, keyPairId: KEY_ID, privateKey: trusted.privateKey });

  describe('public objects', () => {
    it('serves a feed with its stored headers and no signature', async () => {
      const reply = await send(edge.port, '/feeds/latest.rss');
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toBe(feedXml);
      expect(reply.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
      expect(reply.headers['cache-control']).toBe('public, max-age=300');
      expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(feedXml)));
      expect(reply.headers.etag).toMatch(/^"[0-9a-f]+"$/);
      expect(Date.parse(String(reply.headers['last-modified']))).not.toBeNaN();
    });

    it('answers conditional GETs with 304 and no body', async () => {
      const first = await send(edge.port, '/feeds/latest.rss');
      const byEtag = await send(edge.port, '/feeds/latest.rss', { 'If-None-Match': String(first.headers.etag) });
      expect(byEtag.status).toBe(304);
      expect(byEtag.body.length).toBe(0);
      const byDate = await send(edge.port, '/feeds/latest.rss', { 'If-Modified-Since': String(first.headers['last-modified']) });
      expect(byDate.status).toBe(304);
      const stale = await send(edge.port, '/feeds/latest.rss', { 'If-None-Match': '"0000"' });
      expect(stale.status).toBe(200);
      const older = await send(edge.port, '/feeds/latest.rss', { 'If-Modified-Since': 'Mon, 01 Jan 2001 00:00:00 GMT' });
      expect(older.status).toBe(200);
    });

    it('gzips compressible objects when the client accepts it', async () => {
      const reply = await send(edge.port, '/feeds/latest.rss', { 'Accept-Encoding': 'gzip, br' });
      expect(reply.headers['content-encoding']).toBe('gzip');
      expect(Number(reply.headers['content-length'])).toBe(reply.body.length);
      expect(reply.body.length).toBeLessThan(Buffer.byteLength(feedXml));
      expect(gunzipSync(reply.body).toString()).toBe(feedXml);
      const small = await send(edge.port, '/feeds/section/politik.json', { 'Accept-Encoding': 'gzip' });
      expect(small.headers['content-encoding']).toBeUndefined();
    });

    it('ignores an If-Modified-Since later than its own clock (RFC 9110 §13.1.3)', async () => {
      for (const ahead of [1000, 3_600_000, 400 * 86_400_000]) {
        const future = new Date(NOW.getTime() + ahead).toUTCString();
        const reply = await send(edge.port, '/feeds/latest.rss', { 'If-Modified-Since': future });
        expect(reply.status).toBe(200);
        expect(reply.body.toString()).toBe(feedXml);
      }
    });

    it.each([
      ['gzip;q=0', false],
      ['gzip;q=0, identity', false],
      ['*;q=0, identity', false],
      ['br, deflate', false],
      ['GZIP;q=0.000', false],
      ['gzip;q=0.001', true],
      ['identity;q=0, gzip', true],
      ['*', true],
      ['br;q=1, gzip;q=0.5', true],
      ['x-gzip;q=0, gzip', true],
    ])('honours Accept-Encoding %s (gzip: %s)', async (header, gzip) => {
      const reply = await send(edge.port, '/feeds/latest.rss', { 'Accept-Encoding': header });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-encoding']).toBe(gzip ? 'gzip' : undefined);
      expect((gzip ? gunzipSync(reply.body) : reply.body).toString()).toBe(feedXml);
    });

    it('gives gzip and identity responses different ETags, the gzip one weak, and revalidates each', async () => {
      const identity = await send(edge.port, '/feeds/latest.rss');
      const gzip = await send(edge.port, '/feeds/latest.rss', { 'Accept-Encoding': 'gzip' });
      const gzipHead = await send(edge.port, '/feeds/latest.rss', { 'Accept-Encoding': 'gzip' }, 'HEAD');
      expect(identity.headers.etag).toMatch(/^"[0-9a-f]+"$/);
      expect(gzip.headers.etag).toBe(`W/${String(identity.headers.etag)}`);
      expect(gzipHead.headers.etag).toBe(gzip.headers.etag);
      const revalidated = await send(edge.port, '/feeds/latest.rss', { 'Accept-Encoding': 'gzip', 'If-None-Match': String(gzip.headers.etag) });
      expect(revalidated.status).toBe(304);
      expect(revalidated.headers.etag).toBe(gzip.headers.etag);
      // Small objects are never compressed, so their ETag stays strong whatever the client accepts.
      const small = await send(edge.port, '/feeds/section/politik.json', { 'Accept-Encoding': 'gzip' });
      expect(small.headers.etag).toMatch(/^"[0-9a-f]+"$/);
    });

    it('answers 404 for names longer than the bucket can hold, public or signed', async () => {
      for (const length of [241, 255, 256, 300, 1100]) {
        const name = 'a'.repeat(length);
        expect((await send(edge.port, `/feeds/${name}.rss`)).status).toBe(404);
        expect((await send(edge.port, `/feeds/${name}/latest.rss`, {}, 'HEAD')).status).toBe(404);
        expect((await send(edge.port, target(signCustom(`/partners/acme/${name}.json`)))).status).toBe(404);
      }
      // Multi-byte names count in bytes: 100 Devanagari letters are 300 bytes.
      expect((await send(edge.port, `/feeds/${encodeURIComponent('क'.repeat(100))}.rss`)).status).toBe(404);
      // Unsigned, a long partner name is still refused for the missing signature first, as CloudFront does.
      expect((await send(edge.port, `/partners/acme/${'a'.repeat(300)}.json`)).status).toBe(403);
    });

    it('answers HEAD with headers only', async () => {
      const reply = await send(edge.port, '/feeds/latest.rss', {}, 'HEAD');
      expect(reply.status).toBe(200);
      expect(reply.body.length).toBe(0);
      expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(feedXml)));
      expect(reply.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    });

    it('404s missing keys and 405s other methods', async () => {
      const missing = await send(edge.port, '/feeds/nope.rss');
      expect(missing.status).toBe(404);
      expect(missing.body.toString()).toContain('Not Found');
      const post = await send(edge.port, '/feeds/latest.rss', {}, 'POST');
      expect(post.status).toBe(405);
      expect(post.headers.allow).toBe('GET, HEAD');
    });

    it('lists public feeds on its own index page until a build wrote index.html, not partner objects', async () => {
      const reply = await send(edge.port, '/');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
      const html = reply.body.toString();
      expect(html).toContain('<a href="/feeds/latest.rss">feeds/latest.rss</a>');
      expect(html).toContain('feeds/section/politik.json');
      expect(html).not.toContain('partners/acme/feed.rss');
    });

    it('answers / with index.html once it exists, as CloudFront serves its default root object', async () => {
      const page = `<!doctype html><html lang="id"><head><meta charset="utf-8"><title>JurnalPagi</title></head><body>${'<p>Berita “terbaru” &amp; lainnya</p>'.repeat(40)}</body></html>`;
      const cacheControl = 'public, max-age=300, stale-while-revalidate=60';
      const put = (key: string, body: string, contentType: string) =>
        fixture.s3.send(new PutObjectCommand({ Bucket: fixture.bucket, Key: key, Body: body, ContentType: contentType, CacheControl: cacheControl }));
      await put('index.html', page, 'text/html; charset=utf-8');
      await put('feeds.opml', '<?xml version="1.0" encoding="UTF-8"?><opml version="2.0"><head><title>t</title></head><body><outline text="a"/></body></opml>', 'text/x-opml; charset=utf-8');

      const root = await send(edge.port, '/');
      expect(root.status).toBe(200);
      expect(root.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(root.headers['cache-control']).toBe(cacheControl);
      expect(root.body.toString()).toBe(page);
      const etag = String(root.headers.etag);
      expect((await send(edge.port, '/', { 'if-none-match': etag })).status).toBe(304);
      const zipped = await send(edge.port, '/', { 'accept-encoding': 'gzip' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(zipped.body).toString()).toBe(page);
      expect((await send(edge.port, '/', {}, 'HEAD')).headers['content-length']).toBe(String(Buffer.byteLength(page)));

      const opml = await send(edge.port, '/feeds.opml');
      expect(opml.status).toBe(200);
      expect(opml.headers['content-type']).toBe('text/x-opml; charset=utf-8');
      // The other tests see the bucket as it was.
      await fixture.s3.send(new DeleteObjectsCommand({ Bucket: fixture.bucket, Delete: { Objects: [{ Key: 'index.html' }, { Key: 'feeds.opml' }] } }));
      expect((await send(edge.port, '/')).body.toString()).toContain('<a href="/feeds/latest.rss">');
    });

    it.each([
      '/feeds/../partners/acme/feed.rss',
      '/feeds/%2e%2e/partners/acme/feed.rss',
      '/feeds%2f..%2fpartners/acme/feed.rss',
      '/feeds/%252e%252e/partners/acme/feed.rss',
      '/feeds//latest.rss',
      '/feeds/..%5cpartners/acme/feed.rss',
      '/feeds/latest.rss%00',
      '/feeds/%E0%A4%A.rss',
    ])('refuses the path trick %s with 400', async (path) => {
      const reply = await send(edge.port, path);
      expect(reply.status).toBe(400);
    });
  });

  describe('signed partner paths', () => {
    it('accepts a custom-policy URL made by the AWS signer, for every object under the partner prefix', async () => {
      const url = signCustom('/partners/acme/feed.rss');
      const reply = await send(edge.port, target(url));
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toContain('<title>Acme</title>');
      expect(reply.headers['cache-control']).toBe('private, max-age=60');
      // The same signing parameters work on any object under the prefix.
      const query = new URL(url).search;
      const ninjs = await send(edge.port, `/partners/acme/ninjs/a-1.json${query}`);
      expect(ninjs.status).toBe(200);
      expect(JSON.parse(ninjs.body.toString())).toEqual({ uri: 'urn:warta:a-1' });
    });

    it('accepts a canned-policy URL for exactly its object', async () => {
      const reply = await send(edge.port, target(signCanned('/partners/acme/feed.rss')));
      expect(reply.status).toBe(200);
    });

    it('accepts the SHA-256 variant', async () => {
      const url = getSignedUrl({
        url: `${base}/partners/acme/feed.rss`,
        policy: partnerPolicy(),
        keyPairId: KEY_ID,
        privateKey: trusted.privateKey,
        algorithm: 'SHA256',
      });
      expect(url).toContain('Hash-Algorithm=SHA256');
      expect((await send(edge.port, target(url))).status).toBe(200);
      // Claiming SHA-1 for a SHA-256 signature breaks it.
      expect((await send(edge.port, target(url.replace('Hash-Algorithm=SHA256', 'Hash-Algorithm=SHA1')))).status).toBe(403);
    });

    it('accepts signed cookies', async () => {
      const cookies = getSignedCookies({ policy: partnerPolicy(), keyPairId: KEY_ID, privateKey: trusted.privateKey });
      const cookie = Object.entries(cookies)
        .map(([k, v]) => `${k}=${v}`)
        .join('; ');
      expect((await send(edge.port, '/partners/acme/feed.rss', { Cookie: cookie })).status).toBe(200);
      expect((await send(edge.port, '/partners/globex/feed.rss', { Cookie: cookie })).status).toBe(403);
    });

    it('refuses signed cookies when any signing cookie is sent twice, in one Cookie header or in two', async () => {
      const cookies = getSignedCookies({ policy: partnerPolicy(), keyPairId: KEY_ID, privateKey: trusted.privateKey });
      const pairs = Object.entries(cookies).map(([k, v]) => `${k}=${v}`);
      for (const [name, value] of Object.entries(cookies)) {
        for (const repeat of [value, 'KOTHER0000000']) {
          const once = await send(edge.port, '/partners/acme/feed.rss', { Cookie: [...pairs, `${name}=${repeat}`].join('; ') });
          expect(once.status, `${name} twice in one header`).toBe(403);
          expect(once.body.toString()).toContain('duplicate signing parameter');
          const twoHeaders = await send(edge.port, '/partners/acme/feed.rss', { Cookie: [pairs.join('; '), `theme=dark; ${name}=${repeat}`] });
          expect(twoHeaders.status, `${name} again in a second Cookie header`).toBe(403);
        }
      }
      // A signed URL does not excuse a repeated signing cookie beside it.
      const url = signCustom('/partners/acme/feed.rss');
      expect((await send(edge.port, target(url))).status).toBe(200);
      expect((await send(edge.port, target(url), { Cookie: 'CloudFront-Expires=1; CloudFront-Expires=2' })).status).toBe(403);
      // Other cookies may repeat.
      expect((await send(edge.port, '/partners/acme/feed.rss', { Cookie: `${pairs.join('; ')}; theme=a; theme=b` })).status).toBe(200);
    });

    it('restricts by source IP range', async () => {
      const url = signCustom('/partners/acme/feed.rss', partnerPolicy({ ip: '203.0.113.0/24' }));
      expect((await send(edge.port, target(url), { 'X-Forwarded-For': '203.0.113.77' })).status).toBe(200);
      const outside = await send(edge.port, target(url), { 'X-Forwarded-For': '198.51.100.7' });
      expect(outside.status).toBe(403);
      expect(outside.body.toString()).toContain('ip not allowed');
      // Without the header the socket address (127.0.0.1) decides.
      expect((await send(edge.port, target(url))).status).toBe(403);
    });

    const refusals: [string, () => string, string][] = [
      ['changed path (canned)', () => target(signCanned('/partners/acme/feed.rss')).replace('feed.rss', 'ninjs/a-1.json'), 'bad signature'],
      ['another partner prefix', () => target(signCustom('/partners/acme/feed.rss')).replace('/acme/', '/globex/'), 'resource mismatch'],
      ['expired', () => target(signCustom('/partners/acme/feed.rss', partnerPolicy({ lessThan: nowSeconds - 1 }))), 'expired'],
      ['expired (canned)', () => target(signCanned('/partners/acme/feed.rss', new Date((nowSeconds - 60) * 1000))), 'expired'],
      ['not yet valid', () => target(signCustom('/partners/acme/feed.rss', partnerPolicy({ greaterThan: nowSeconds + 60 }))), 'not yet valid'],
      ['unknown key id', () => target(signCustom('/partners/acme/feed.rss', partnerPolicy(), trusted.privateKey, 'KUNKNOWN000000')), 'unknown key'],
      ['key not in the trusted set', () => target(signCustom('/partners/acme/feed.rss', partnerPolicy(), stranger.privateKey)), 'bad signature'],
      [
        'modified policy',
        () => {
          const url = new URL(signCustom('/partners/acme/feed.rss'));
          const widened = partnerPolicy({ resource: `${base}/partners/*` });
          url.searchParams.set('Policy', Buffer.from(widened).toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~'));
          return url.pathname + url.search;
        },
        'bad signature',
      ],
      [
        'bad signature',
        () => {
          const url = new URL(signCustom('/partners/acme/feed.rss'));
          const sig = url.searchParams.get('Signature') ?? '';
          url.searchParams.set('Signature', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
          return url.pathname + url.search;
        },
        'bad signature',
      ],
      [
        'changed Expires (canned)',
        () => {
          const url = new URL(signCanned('/partners/acme/feed.rss'));
          url.searchParams.set('Expires', String(nowSeconds + 999_999));
          return url.pathname + url.search;
        },
        'bad signature',
      ],
      ['malformed policy', () => '/partners/acme/feed.rss?Policy=bm90LWpzb24_&Signature=abc&Key-Pair-Id=' + KEY_ID, 'malformed policy'],
      ['no signature at all', () => '/partners/acme/feed.rss', 'missing Key-Pair-Id'],
    ];

    it.each(refusals)('refuses %s with 403', async (_name, make, reason) => {
      const reply = await send(edge.port, make());
      expect(reply.status).toBe(403);
      expect(reply.body.toString().trim()).toBe(`Forbidden: ${reason}`);
      expect(logs.at(-1)).toMatchObject({ status: 403, reason });
    });

    it.each([
      ['Key-Pair-Id', 'missing Key-Pair-Id'],
      ['Signature', 'missing Signature'],
      ['Policy', 'missing Expires or Policy'],
    ])('refuses a URL without %s', async (param, reason) => {
      const url = new URL(signCustom('/partners/acme/feed.rss'));
      url.searchParams.delete(param);
      const reply = await send(edge.port, url.pathname + url.search);
      expect(reply.status).toBe(403);
      expect(reply.body.toString().trim()).toBe(`Forbidden: ${reason}`);
    });

    it('refuses a canned URL without Expires', async () => {
      const url = new URL(signCanned('/partners/acme/feed.rss'));
      url.searchParams.delete('Expires');
      expect((await send(edge.port, url.pathname + url.search)).body.toString().trim()).toBe('Forbidden: missing Expires or Policy');
    });

    it.each([
      ['Signature', '!!!!', 'malformed signature'],
      ['Signature', '%20%20', 'malformed signature'],
      ['Signature', 'AAAA', 'malformed signature'],
      ['Policy', '!!!!', 'malformed policy'],
      ['Policy', '%20%20', 'malformed policy'],
      ['Policy', '.', 'malformed policy'],
    ])('refuses %s with %s appended, as CloudFront does', async (param, junk, reason) => {
      const url = signCustom('/partners/acme/feed.rss');
      const tampered = url.replace(new RegExp(`([?&]${param}=[^&]*)`), `$1${junk}`);
      expect(tampered).not.toBe(url);
      const reply = await send(edge.port, target(tampered));
      expect(reply.status).toBe(403);
      expect(reply.body.toString().trim()).toBe(`Forbidden: ${reason}`);
    });

    it.each(['Policy', 'Signature', 'Key-Pair-Id'])('refuses a URL carrying %s twice, even with the same value', async (param) => {
      const url = new URL(signCustom('/partners/acme/feed.rss'));
      url.searchParams.append(param, url.searchParams.get(param) ?? '');
      const reply = await send(edge.port, url.pathname + url.search);
      expect(reply.status).toBe(403);
      expect(reply.body.toString().trim()).toBe('Forbidden: duplicate signing parameter');
    });

    it('refuses a canned URL carrying Expires twice', async () => {
      const url = new URL(signCanned('/partners/acme/feed.rss'));
      expect((await send(edge.port, url.pathname + url.search)).status).toBe(200);
      url.searchParams.append('Expires', String(nowSeconds + 600));
      expect((await send(edge.port, url.pathname + url.search)).body.toString().trim()).toBe('Forbidden: duplicate signing parameter');
    });

    it('refuses a URL fetched under another host name than it was signed for', async () => {
      const reply = await send(edge.port, target(signCustom('/partners/acme/feed.rss')), { Host: `localhost:${edge.port}` });
      expect(reply.status).toBe(403);
      expect(reply.body.toString()).toContain('resource mismatch');
    });
  });

  it('logs one JSON object per request', async () => {
    await send(edge.port, '/feeds/latest.rss', { 'X-Forwarded-For': '192.0.2.10' });
    await send(edge.port, target(signCustom('/partners/acme/feed.rss')));
    await send(edge.port, '/partners/acme/feed.rss');
    expect(logs).toHaveLength(3);
    expect(logs[0]).toMatchObject({ time: NOW.toISOString(), method: 'GET', path: '/feeds/latest.rss', status: 200, ip: '192.0.2.10' });
    expect(logs[0]?.bytes).toBe(Buffer.byteLength(feedXml));
    expect(typeof logs[0]?.ms).toBe('number');
    expect(logs[1]).toMatchObject({ path: '/partners/acme/feed.rss', status: 200, partner: 'acme', ip: '127.0.0.1' });
    expect(logs[2]).toMatchObject({ status: 403, reason: 'missing Key-Pair-Id' });
    // The signature never lands in the log: the query string is dropped.
    expect(JSON.stringify(logs)).not.toContain('Signature');
    expect(() => JSON.parse(JSON.stringify(logs[1]))).not.toThrow();
  });
});
