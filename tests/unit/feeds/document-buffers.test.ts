import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SiteConfigSchema } from '../../../shared/config/load-config.js';
import { DocumentBuffers } from '../../../shared/feeds/document-buffers.js';
import type { Clock, PublishOptions } from '../../../shared/ports.js';
import { InMemoryArticleRepository, InMemoryFeedArchive, InMemoryFeedRevisions, InMemoryObjectPublisher } from '../../../shared/storage/in-memory-adapters.js';
import { buildFeedsForArticles, type BuildFeedsDeps } from '../../../shared/usecases/build-feeds.js';
import { ingestArticle } from '../../../shared/usecases/ingest-article.js';

const site = SiteConfigSchema.parse({
  siteUrl: 'https://jurnalpagi.example',
  siteTitle: 'JurnalPagi',
  siteDescription: 'Berita terkini dari JurnalPagi',
  feedsBaseUrl: 'https://feeds.jurnalpagi.example',
  feedItemLimit: 3,
});
const clock: Clock = { now: () => new Date('2024-02-07T12:00:00Z') };

async function save(articles: InMemoryArticleRepository, n: number, step: number, tags: string[]): Promise<string> {
  const id = `berita-${n}`;
  const outcome = await ingestArticle(
    { articles, clock, site },
    {
      body: JSON.stringify({
        id,
        title: `Berita ${n} – langkah ${step} “kutipan”`,
        // Bodies of different lengths, so documents need buffers of many sizes.
        bodyHtml: `<p>${'Isi berita yang panjang. '.repeat(1 + ((n * 7 + step) % 40))}</p>`,
        section: n % 2 === 0 ? 'Nusantara' : 'Ekonomi',
        tags,
        authors: [{ name: 'Rina Kartika' }],
        publishedAt: new Date(Date.parse('2024-02-07T00:00:00Z') + n * 60_000).toISOString(),
        updatedAt: new Date(Date.parse('2024-02-07T01:00:00Z') + step * 60_000).toISOString(),
      }),
      contentType: 'application/json',
    },
  );
  expect(outcome.status).not.toBe('refused');
  return id;
}

describe('document buffers', () => {
  it('gives buffers of exactly the size asked that never overlap while leased, and keeps at most its bound idle', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200_000 }),
        fc.array(fc.tuple(fc.nat({ max: 3 }), fc.array(fc.integer({ min: 0, max: 60_000 }), { maxLength: 4 }), fc.boolean()), { maxLength: 40 }),
        (bound, steps) => {
          const pool = new DocumentBuffers(bound);
          const leases = [0, 1, 2, 3].map(() => ({ lease: pool.lease(), held: [] as { buffer: Buffer; fill: number }[] }));
          let fill = 0;
          for (const [which, sizes, release] of steps) {
            const slot = leases[which] as (typeof leases)[number];
            for (const size of sizes) {
              const buffer = slot.lease.allocate(size);
              expect(buffer.byteLength).toBe(size);
              fill = (fill % 250) + 1;
              buffer.fill(fill);
              slot.held.push({ buffer, fill });
            }
            // Every buffer of every lease still holds what was written into it: none shares memory with another.
            for (const { held } of leases) for (const { buffer, fill: f } of held) expect(buffer.every((b) => b === f)).toBe(true);
            if (release) {
              slot.lease.release();
              slot.held = [];
            }
            expect(pool.idleCapacity).toBeLessThanOrEqual(bound);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves exactly the files that new buffers give, through archive pages, corrections and concurrent builds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ correct: fc.nat(), tag: fc.constantFrom('Banjir', 'Pangan', 'Pemilu 2024'), together: fc.boolean() }), { minLength: 3, maxLength: 16 }),
        fc.integer({ min: 0, max: 400_000 }),
        async (steps, bound) => {
          const outputs: string[] = [];
          for (const pooled of [true, false]) {
            const articles = new InMemoryArticleRepository();
            const bucket = new InMemoryObjectPublisher();
            const deps: BuildFeedsDeps = {
              articles,
              publisher: bucket,
              site,
              clock,
              archives: new InMemoryFeedArchive(articles),
              revisions: new InMemoryFeedRevisions(),
              ...(pooled ? { documentBuffers: new DocumentBuffers(bound) } : {}),
            };
            let pending: string[] = [];
            for (const [i, step] of steps.entries()) {
              const target = i > 0 && step.correct % 3 === 0 ? step.correct % i : i;
              pending.push(await save(articles, target, i, [step.tag]));
              // Two builds at once share the pool, as the builds of one stream batch's feeds do.
              if (!step.together || i === steps.length - 1) {
                await Promise.all(pending.map((id) => buildFeedsForArticles(deps, [id])));
                pending = [];
              }
            }
            outputs.push(JSON.stringify([...bucket.objects].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, o]) => [key, Buffer.from(o.body).toString('utf8')])));
          }
          expect(outputs[0]).toBe(outputs[1]);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('takes a document buffer back only once every upload of the document has settled, also when one failed', async () => {
    /** A bucket where the Atom file of the latest feed fails at once and its RSS file is read only later. */
    class SlowAndFailing extends InMemoryObjectPublisher {
      readonly changedDuringUpload: string[] = [];
      readonly slowUploads: Promise<unknown>[] = [];
      override async publish(key: string, body: string | Uint8Array, options: PublishOptions) {
        if (key === 'feeds/latest.atom') throw new Error('upload failed');
        if (key === 'feeds/latest.rss') {
          const atStart = Buffer.from(body).toString('utf8');
          const later = new Promise((resolve) => setTimeout(resolve, 30));
          this.slowUploads.push(later);
          await later;
          if (Buffer.from(body).toString('utf8') !== atStart) this.changedDuringUpload.push(key);
        }
        return super.publish(key, body, options);
      }
    }
    const articles = new InMemoryArticleRepository();
    const bucket = new SlowAndFailing();
    // A pool that wipes what it takes back, so a buffer given back while an upload still reads it shows.
    const pool = new DocumentBuffers(2 ** 20);
    const wiping = {
      lease() {
        const lease = pool.lease();
        const taken: Buffer[] = [];
        return {
          allocate: (size: number) => {
            const buffer = lease.allocate(size);
            taken.push(buffer);
            return buffer;
          },
          release: () => {
            for (const buffer of taken) buffer.fill(0);
            lease.release();
          },
        };
      },
    };
    const deps: BuildFeedsDeps = { articles, publisher: bucket, site, clock, revisions: new InMemoryFeedRevisions(), documentBuffers: wiping };
    const ids = [];
    for (let n = 0; n < 6; n++) ids.push(await save(articles, n, n, [`Topik ${n}`]));
    await expect(buildFeedsForArticles(deps, ids)).rejects.toThrow(/upload failed/);
    await Promise.all(bucket.slowUploads);
    await new Promise((resolve) => setImmediate(resolve));
    expect(bucket.slowUploads).toHaveLength(1);
    expect(bucket.changedDuringUpload).toStrictEqual([]);
  });
});
