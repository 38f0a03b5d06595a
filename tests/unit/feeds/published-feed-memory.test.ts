import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SiteConfigSchema } from '../../../shared/config/load-config.js';
import type { Clock, PublishOptions } from '../../../shared/ports.js';
import { InMemoryArticleRepository, InMemoryFeedArchive, InMemoryFeedRevisions, InMemoryObjectPublisher } from '../../../shared/storage/in-memory-adapters.js';
import { buildFeedsForArticles, type BuildFeedsDeps } from '../../../shared/usecases/build-feeds.js';
import { ingestArticle } from '../../../shared/usecases/ingest-article.js';
import { PublishedFeedMemory } from '../../../shared/usecases/published-feed-memory.js';

const site = SiteConfigSchema.parse({
  siteUrl: 'https://jurnalpagi.example',
  siteTitle: 'JurnalPagi',
  siteDescription: 'Berita terkini dari JurnalPagi',
  feedsBaseUrl: 'https://feeds.jurnalpagi.example',
});
const clock: Clock = { now: () => new Date('2024-02-07T12:00:00Z') };

/** The bucket as S3: `publish` asks what is stored first (a HEAD), `write` does not; both are counted. */
class CountingBucket extends InMemoryObjectPublisher {
  asked: string[] = [];
  writtenBlind: string[] = [];
  override async publish(key: string, body: string | Uint8Array, options: PublishOptions) {
    this.asked.push(key);
    return super.publish(key, body, options);
  }
  override async write(key: string, body: string | Uint8Array, options: PublishOptions) {
    this.writtenBlind.push(key);
    return super.write(key, body, options);
  }
  reset() {
    this.asked = [];
    this.writtenBlind = [];
  }
}

/** Archive pages as the table keeps them; counts the Queries for a feed's newest page. */
class CountingArchive extends InMemoryFeedArchive {
  lastPageReads = 0;
  override async lastPage(feedPath: string) {
    this.lastPageReads += 1;
    return super.lastPage(feedPath);
  }
}

/** One table and bucket; each builder is a process of its own, with its own memory of what it published. */
function newsroom() {
  const articles = new InMemoryArticleRepository();
  const bucket = new CountingBucket();
  const revisions = new InMemoryFeedRevisions();
  const archives = new CountingArchive(articles);
  const builder = (): BuildFeedsDeps => ({ articles, publisher: bucket, site, clock, archives, revisions, publishedFeeds: new PublishedFeedMemory() });
  const save = async (id: string, title: string, updatedAt: string) => {
    const outcome = await ingestArticle(
      { articles, clock, site },
      {
        body: JSON.stringify({
          id,
          title,
          bodyHtml: `<p>${title}: isi berita.</p>`,
          section: 'Nusantara',
          tags: ['Banjir'],
          authors: [{ name: 'Rina Kartika' }],
          publishedAt: '2024-02-07T01:00:00Z',
          updatedAt,
        }),
        contentType: 'application/json',
      },
    );
    expect(outcome.status).not.toBe('refused');
  };
  const latestTitles = () => [...(bucket.text('feeds/latest.rss') ?? '').matchAll(/<item>\s*<title>([^<]*)<\/title>/g)].map((m) => m[1]);
  return { articles, bucket, revisions, archives, builder, save, latestTitles };
}

describe('a builder remembers what it published of each feed', () => {
  it('writes changed files without asking what is stored, and leaves unchanged ones alone without a request', async () => {
    const n = newsroom();
    const a = n.builder();
    await n.save('pompa-air', 'Pemkot siapkan 14 pompa air', '2024-02-07T02:00:00Z');
    await buildFeedsForArticles(a, ['pompa-air']);
    expect(n.bucket.asked.length).toBeGreaterThan(0);

    n.bucket.reset();
    n.archives.lastPageReads = 0;
    await n.save('pompa-air', 'Pemkot siapkan 20 pompa air', '2024-02-07T03:00:00Z');
    const built = await buildFeedsForArticles(a, ['pompa-air']);
    // Nor is the newest archive page read again: none was sealed since.
    expect(n.archives.lastPageReads).toBe(0);
    const feedFiles = built.written.filter((key) => key.startsWith('feeds/'));
    expect(feedFiles).toContain('feeds/latest.rss');
    // Every feed file was remembered: written straight away, S3 never asked.
    expect(n.bucket.asked.filter((key) => key.startsWith('feeds/'))).toEqual([]);
    expect(n.bucket.writtenBlind.sort()).toEqual(feedFiles.sort());
    expect(n.latestTitles()).toEqual(['Pemkot siapkan 20 pompa air']);

    // Built again with nothing changed: no request for any feed file, nothing written.
    n.bucket.reset();
    const again = await buildFeedsForArticles(a, ['pompa-air']);
    expect(again.written.filter((key) => key.startsWith('feeds/'))).toEqual([]);
    expect(n.bucket.asked.filter((key) => key.startsWith('feeds/'))).toEqual([]);
    expect(n.bucket.writtenBlind).toEqual([]);
  });

  it('asks S3 again once another builder has built the feed, so a file the other wrote is corrected even when this render equals what it remembers', async () => {
    const n = newsroom();
    const a = n.builder();
    const b = n.builder();
    await n.save('pompa-air', 'Judul pertama', '2024-02-07T02:00:00Z');
    await buildFeedsForArticles(a, ['pompa-air']);
    await n.save('pompa-air', 'Judul kedua', '2024-02-07T03:00:00Z');
    await buildFeedsForArticles(b, ['pompa-air']);
    expect(n.latestTitles()).toEqual(['Judul kedua']);
    // The newsroom reverts the headline: A renders exactly the bytes it remembers writing.
    await n.save('pompa-air', 'Judul pertama', '2024-02-07T04:00:00Z');
    n.bucket.reset();
    await buildFeedsForArticles(a, ['pompa-air']);
    expect(n.bucket.asked).toContain('feeds/latest.rss');
    expect(n.latestTitles()).toEqual(['Judul pertama']);
  });

  it('asks S3 again after another builder restarted a build of the feed, even though no one else marked it since', async () => {
    const n = newsroom();
    const a = n.builder();
    await n.save('pompa-air', 'Judul pertama', '2024-02-07T02:00:00Z');
    // Another builder marked the feeds first and rendered an older state; A marks them after it and builds.
    const feeds = await n.articles.syncListings('pompa-air', clock.now());
    for (const path of feeds) await n.revisions.mark(path);
    const stale = n.bucket.text('feeds/latest.rss');
    expect(stale).toBeUndefined();
    await buildFeedsForArticles(a, ['pompa-air']);
    const good = n.bucket.text('feeds/latest.rss');
    // The other builder's check fails (A marked after it): it counts a restart, and an old write of its
    // lands after A's check. A's next mark is exactly one after its own, so only the restart tells.
    for (const path of feeds) await n.revisions.countRestart(path);
    await n.bucket.write('feeds/latest.rss', '<rss>an older render</rss>', { contentType: 'application/rss+xml; charset=utf-8', cacheControl: 'public, max-age=300, stale-while-revalidate=60' });
    n.bucket.reset();
    await buildFeedsForArticles(a, ['pompa-air']);
    expect(n.bucket.asked).toContain('feeds/latest.rss');
    expect(n.bucket.text('feeds/latest.rss')).toBe(good);
  });

  it('leaves exactly the files a builder without memory leaves, through sealed archive pages, corrections and several builders', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ correct: fc.nat(), builder: fc.nat({ max: 2 }), tag: fc.constantFrom('Banjir', 'Pangan') }), { minLength: 4, maxLength: 24 }),
        async (steps) => {
          const outputs: string[] = [];
          for (const remember of [true, false]) {
            const articles = new InMemoryArticleRepository();
            const bucket = new InMemoryObjectPublisher();
            const shared = { articles, publisher: bucket, site: { ...site, feedItemLimit: 2 }, clock, archives: new InMemoryFeedArchive(articles), revisions: new InMemoryFeedRevisions() };
            const builders = [0, 1, 2].map(() => ({ ...shared, ...(remember ? { publishedFeeds: new PublishedFeedMemory() } : {}) }));
            for (const [i, step] of steps.entries()) {
              // New articles, and now and then a correction of an earlier one.
              const target = i > 0 && step.correct % 3 === 0 ? step.correct % i : i;
              const outcome = await ingestArticle(
                { articles, clock, site },
                {
                  body: JSON.stringify({
                    id: `berita-${target}`,
                    title: `Berita ${target} langkah ${i}`,
                    bodyHtml: `<p>Isi ${target}.</p>`,
                    section: 'Nusantara',
                    tags: [step.tag],
                    authors: [{ name: 'Rina Kartika' }],
                    publishedAt: new Date(Date.parse('2024-02-07T00:00:00Z') + target * 60_000).toISOString(),
                    updatedAt: new Date(Date.parse('2024-02-07T01:00:00Z') + i * 60_000).toISOString(),
                  }),
                  contentType: 'application/json',
                },
              );
              expect(outcome.status).not.toBe('refused');
              await buildFeedsForArticles(builders[step.builder] as BuildFeedsDeps, [`berita-${target}`]);
            }
            outputs.push(JSON.stringify([...bucket.objects].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, o]) => [key, Buffer.from(o.body).toString('utf8')])));
          }
          expect(outputs[0]).toBe(outputs[1]);
        },
      ),
      { numRuns: 30 },
    );
  });
});
