import { createHash } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { DigestObjectPublisher, InMemoryObjectPublisher } from '../../../shared/storage/in-memory-adapters.js';

const key = fc.constantFrom('feeds/latest.rss', 'feeds/latest.json', 'partners/a/ninjs/x.json', 'sitemaps/index.xml');
// Text with characters outside one byte (the digest is of the UTF-8 bytes) and the same text as bytes.
const body = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => new TextEncoder().encode(s)),
);
const options = fc.record({ contentType: fc.constantFrom('application/rss+xml', 'application/json'), cacheControl: fc.constantFrom('public, max-age=300', 'public, max-age=86400, immutable') });
const operation = fc.oneof(
  // `hashed`: the caller hands the body's SHA-256 along, as the feed builder does.
  fc.record({ op: fc.constant('publish' as const), key, body, options, hashed: fc.boolean() }),
  fc.record({ op: fc.constant('write' as const), key, body, options, hashed: fc.boolean() }),
  fc.record({ op: fc.constant('delete' as const), key }),
);

describe('DigestObjectPublisher (the publish bench keeps digests, not bodies)', () => {
  test.prop([fc.array(operation, { maxLength: 40 })])(
    'answers every publish as the in-memory store that keeps the bytes does, and holds the SHA-256 and size of what that store holds',
    async (operations) => {
      const bytes = new InMemoryObjectPublisher();
      const digests = new DigestObjectPublisher();
      const sha = (body: string | Uint8Array) => createHash('sha256').update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body).digest('hex');
      for (const o of operations) {
        if (o.op === 'delete') {
          await Promise.all([bytes.delete(o.key), digests.delete(o.key)]);
          continue;
        }
        const given = o.hashed ? sha(o.body) : undefined;
        if (o.op === 'publish') expect(await digests.publish(o.key, o.body, o.options, given)).toBe(await bytes.publish(o.key, o.body, o.options));
        else await Promise.all([bytes.write(o.key, o.body, o.options), digests.write(o.key, o.body, o.options, given)]);
      }
      expect(await digests.list('')).toEqual(await bytes.list(''));
      for (const [k, stored] of bytes.objects) {
        const raw = Buffer.from(stored.body);
        expect(digests.objects.get(k)).toEqual({ sha256: createHash('sha256').update(raw).digest('hex'), bytes: raw.byteLength, options: stored.options });
      }
    },
  );
});
