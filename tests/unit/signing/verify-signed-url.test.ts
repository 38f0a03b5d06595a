import { createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalPath, resourceMatches, verifySignedUrl, type SignedRequest } from '../../../shared/signing/verify-signed-url.js';

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

  it('treats the first of repeated signing parameters as the only one', () => {
    const q = `${query(statement({}))}&Key-Pair-Id=KOTHERKEY00000`;
    expect(verifySignedUrl(request(q), NOW, trusted).ok).toBe(true);
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
