import { createSign, generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalPath,
  fromCloudFrontBase64,
  resourceMatches,
  verifySignedUrl,
  type SignedRequest,
} from '../../../shared/signing/verify-signed-url.js';

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const trusted = new Map([['KUNITTEST00001', keys.publicKey]]);
const NOW = new Date('2024-02-07T10:00:00Z');
const later = NOW.getTime() / 1000 + 600;
const cf64 = (b: Buffer) => b.toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');

/** Signs a policy text by hand (independently of the AWS signer) and returns the query string. */
function query(policy: string): string {
  const signature = createSign('RSA-SHA1').update(policy).sign(keys.privateKey);
  return `Policy=${cf64(Buffer.from(policy))}&Signature=${cf64(signature)}&Key-Pair-Id=KUNITTEST00001`;
}
const request = (q: string, overrides: Partial<SignedRequest> = {}): SignedRequest => ({
  scheme: 'https',
  host: 'feeds.example',
  path: '/partners/acme/feed.rss',
  query: q,
  clientIp: '127.0.0.1',
  ...overrides,
});
const statement = (condition: Record<string, unknown>, resource: string | undefined = 'https://feeds.example/partners/acme/*') =>
  JSON.stringify({ Statement: [{ ...(resource ? { Resource: resource } : {}), Condition: { DateLessThan: { 'AWS:EpochTime': later }, ...condition } }] });

describe('verifySignedUrl', () => {
  it('accepts a hand-made custom policy and names the partner from the path', () => {
    expect(verifySignedUrl(request(query(statement({}))), NOW, trusted)).toEqual({ ok: true, keyPairId: 'KUNITTEST00001', partnerId: 'acme' });
  });

  it('matches IPv6 ranges and IPv4-mapped client addresses', () => {
    const v6 = query(statement({ IpAddress: { 'AWS:SourceIp': '2001:db8::/32' } }));
    expect(verifySignedUrl(request(v6, { clientIp: '2001:db8:1::7' }), NOW, trusted).ok).toBe(true);
    expect(verifySignedUrl(request(v6, { clientIp: '2001:db9::1' }), NOW, trusted)).toEqual({ ok: false, reason: 'ip not allowed' });
    const v4 = query(statement({ IpAddress: { 'AWS:SourceIp': '10.0.0.0/8' } }));
    expect(verifySignedUrl(request(v4, { clientIp: '::ffff:10.1.2.3' }), NOW, trusted).ok).toBe(true);
    const bad = query(statement({ IpAddress: { 'AWS:SourceIp': '10.0.0.0/33' } }));
    expect(verifySignedUrl(request(bad), NOW, trusted)).toEqual({ ok: false, reason: 'malformed policy' });
  });

  it('rejects policies with several statements or without DateLessThan', () => {
    const two = JSON.stringify({ Statement: [JSON.parse(statement({})).Statement[0], JSON.parse(statement({})).Statement[0]] });
    expect(verifySignedUrl(request(query(two)), NOW, trusted)).toEqual({ ok: false, reason: 'malformed policy' });
    const noExpiry = JSON.stringify({ Statement: [{ Resource: 'https://feeds.example/*', Condition: {} }] });
    expect(verifySignedUrl(request(query(noExpiry)), NOW, trusted)).toEqual({ ok: false, reason: 'malformed policy' });
  });

  it('refuses a request that repeats any signing parameter, whatever the repeated value', () => {
    const valid = query(statement({}));
    const expiresQuery = (() => {
      const canned = JSON.stringify({
        Statement: [{ Resource: 'https://feeds.example/partners/acme/feed.rss', Condition: { DateLessThan: { 'AWS:EpochTime': later } } }],
      });
      const signature = createSign('RSA-SHA1').update(canned).sign(keys.privateKey);
      return `Expires=${later}&Signature=${cf64(signature)}&Key-Pair-Id=KUNITTEST00001`;
    })();
    expect(verifySignedUrl(request(expiresQuery), NOW, trusted).ok).toBe(true);
    fc.assert(
      fc.property(
        fc.constantFrom('Policy', 'Signature', 'Key-Pair-Id', 'Expires', 'Key%2DPair%2DId'),
        fc.boolean(),
        fc.boolean(),
        (name, canned, sameValue) => {
          const base = canned ? expiresQuery : valid;
          const plainName = decodeURIComponent(name);
          const existing = new URLSearchParams(base).get(plainName);
          const value = sameValue && existing !== null ? encodeURIComponent(existing) : 'KOTHERKEY00000';
          // Absent from the base query (Expires beside a custom policy): sent twice.
          const q = existing === null ? `${base}&${name}=${value}&${name}=${value}` : `${base}&${name}=${value}`;
          expect(verifySignedUrl(request(q), NOW, trusted)).toEqual({ ok: false, reason: 'duplicate signing parameter' });
        },
      ),
    );
  });

  it('refuses signed cookies that repeat any signing cookie, whatever the repeated value or position', () => {
    const params = new URLSearchParams(query(statement({})));
    const pairs = [...params].map(([k, v]) => `CloudFront-${k}=${v}`);
    const cookie = (list: string[]) => request('', { cookieHeader: list.join('; ') });
    expect(verifySignedUrl(cookie(pairs), NOW, trusted)).toEqual({ ok: true, keyPairId: 'KUNITTEST00001', partnerId: 'acme' });
    fc.assert(
      fc.property(fc.constantFrom('Policy', 'Signature', 'Key-Pair-Id', 'Expires', 'Hash-Algorithm'), fc.boolean(), fc.nat(), fc.boolean(), (name, sameValue, at, spaced) => {
        const value = sameValue ? (params.get(name) ?? '1') : 'KOTHERKEY00000';
        const list = [...pairs];
        // Absent from the signed set (Expires beside a custom policy): sent twice.
        const extra = params.has(name) ? [`CloudFront-${name}=${value}`] : [`CloudFront-${name}=${value}`, `CloudFront-${name}=${value}`];
        list.splice(at % (list.length + 1), 0, ...extra.map((c) => (spaced ? `  ${c}` : c)));
        expect(verifySignedUrl(cookie(list), NOW, trusted)).toEqual({ ok: false, reason: 'duplicate signing parameter' });
      }),
    );
    // Unrelated cookies may repeat.
    expect(verifySignedUrl(cookie([...pairs, 'theme=a', 'theme=b']), NOW, trusted).ok).toBe(true);
  });

  it('refuses a Signature or Policy with anything CloudFront would not decode (junk, spaces, dots, extra blocks)', () => {
    const valid = query(statement({}));
    const params = new URLSearchParams(valid);
    const policy = params.get('Policy') ?? '';
    const signature = params.get('Signature') ?? '';
    const junk = fc.oneof(
      fc.constantFrom('!!!!', '%20%20', 'AAAA', '.', '..', '%0A', '=', '+', '/', '_', '__', 'A', 'AA_', '%3D'),
      fc.string({ minLength: 1, maxLength: 6 }).map(encodeURIComponent),
    );
    fc.assert(
      fc.property(fc.constantFrom('Policy', 'Signature'), junk, fc.nat(), (target, extra, at) => {
        const original = target === 'Policy' ? policy : signature;
        const cut = at % (original.length + 1);
        const tampered = `${original.slice(0, cut)}${extra}${original.slice(cut)}`;
        // Some insertions happen to form a different valid encoding (e.g. 4 letters on a block boundary):
        // then the signature no longer matches; either way the request is refused.
        const q = `Policy=${target === 'Policy' ? tampered : policy}&Signature=${target === 'Signature' ? tampered : signature}&Key-Pair-Id=KUNITTEST00001`;
        const verdict = verifySignedUrl(request(q), NOW, trusted);
        expect(verdict.ok).toBe(false);
      }),
    );
    // The reported failures: junk that Node's lenient decoder used to skip.
    for (const extra of ['!!!!', '%20%20', 'AAAA']) {
      expect(verifySignedUrl(request(`Policy=${policy}&Signature=${signature}${extra}&Key-Pair-Id=KUNITTEST00001`), NOW, trusted)).toEqual({
        ok: false,
        reason: 'malformed signature',
      });
    }
    const dotted = `${policy.slice(0, 8)}.${policy.slice(8, 16)}.${policy.slice(16)}`;
    expect(verifySignedUrl(request(`Policy=${dotted}&Signature=${signature}&Key-Pair-Id=KUNITTEST00001`), NOW, trusted)).toEqual({
      ok: false,
      reason: 'malformed policy',
    });
  });

  it('expires at DateLessThan exactly', () => {
    const q = query(statement({}));
    expect(verifySignedUrl(request(q), new Date(later * 1000 - 1000), trusted).ok).toBe(true);
    expect(verifySignedUrl(request(q), new Date(later * 1000), trusted)).toEqual({ ok: false, reason: 'expired' });
  });

  it('keeps other query parameters in the resource', () => {
    const exact = query(statement({}, 'https://feeds.example/partners/acme/feed.rss?page=2'));
    expect(verifySignedUrl(request(`page=2&${exact}`), NOW, trusted).ok).toBe(true);
    expect(verifySignedUrl(request(`page=3&${exact}`), NOW, trusted)).toEqual({ ok: false, reason: 'resource mismatch' });
  });
});

describe('fromCloudFrontBase64', () => {
  it('decodes exactly what the CloudFront encoding produces, and nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (bytes) => {
        expect(fromCloudFrontBase64(cf64(Buffer.from(bytes)))).toEqual(Buffer.from(bytes));
      }),
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const decoded = fromCloudFrontBase64(text);
        if (decoded !== undefined) expect(cf64(decoded)).toBe(text);
      }),
    );
    for (const bad of ['', 'QQ', 'QQ_', 'QR__', 'QQ==', 'QQ__QQ__', 'Q Q_', 'QQ_ _', 'QUJD\n', 'QU+D', 'QU/D']) {
      expect(fromCloudFrontBase64(bad)).toBeUndefined();
    }
  });
});

describe('resourceMatches', () => {
  it('implements CloudFront wildcards', () => {
    expect(resourceMatches('https://x/partners/acme/*', 'https://x/partners/acme/ninjs/a.json')).toBe(true);
    expect(resourceMatches('https://x/partners/acme/*', 'https://x/partners/acmex/feed.rss')).toBe(false);
    expect(resourceMatches('https://x/feed.?ss', 'https://x/feed.rss')).toBe(true);
    expect(resourceMatches('https://x/feed.?ss', 'https://x/feed.rsss')).toBe(false);
    expect(resourceMatches('https://x/a.b', 'https://x/aXb')).toBe(false);
    expect(resourceMatches('*://x/a', 'http://x/a')).toBe(true);
  });
});

describe('canonicalPath', () => {
  it('encodes like the AWS signer so equivalent spellings compare equal', () => {
    expect(canonicalPath('/partners/acme/%7Efile')).toBe(canonicalPath('/partners/acme/~file'));
    expect(canonicalPath('/a b/é')).toBe('/a%20b/%C3%A9');
  });
});
