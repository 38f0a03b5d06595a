import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SiteConfigSchema } from '../../../shared/config/load-config.js';
import type { Clock } from '../../../shared/ports.js';
import { InMemoryArticleRepository, InMemoryFeedArchive, InMemoryFeedRevisions, InMemoryObjectPublisher } from '../../../shared/storage/in-memory-adapters.js';
import { buildFeedsForArticles, type BuildFeedsDeps } from '../../../shared/usecases/build-feeds.js';
import { ingestArticle } from '../../../shared/usecases/ingest-article.js';

const site = SiteConfigSchema.parse({
  siteUrl: 'https://jurnalpagi.example',
  siteTitle: 'JurnalPagi',
  siteDescription: 'Berita terkini dari JurnalPagi',
  feedsBaseUrl: 'https://feeds.jurnalpagi.example',
});
const SECTIONS = ['Nusantara', 'Ekonomi'];
const TAGS = ['Banjir', 'Pangan', 'Pemilu'];

/**
 * A second builder marks feeds while the first is rendering them (docs/storage.md, "The write path"):
 * the first must build those feeds again, so what it leaves published is never older than the table.
 */
describe('a feed marked by another builder during a build is built again', () => {
  it('every feed both changes touch shows the other builder\'s correction, whichever articles and feeds they share', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ section: fc.constantFrom(...SECTIONS), tags: fc.subarray(TAGS, { minLength: 1 }) }), { minLength: 3, maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        async (shapes, ourPick, theirPick) => {
          const clock: Clock = { now: () => new Date('2024-02-07T12:00:00Z') };
          const articles = new InMemoryArticleRepository();
          const publisher = new InMemoryObjectPublisher();
          const store = new InMemoryFeedRevisions();
          const ids = shapes.map((_, i) => `berita-${i}`);
          const ingest = (i: number, title: string, updatedAt?: string) =>
            ingestArticle(
              { articles, clock, site },
              {
                body: JSON.stringify({
                  id: ids[i],
                  title,
                  bodyHtml: `<p>Isi berita nomor ${i}.</p>`,
                  section: shapes[i]?.section,
                  tags: shapes[i]?.tags,
                  authors: [{ name: 'Rina Kartika' }],
                  publishedAt: `2024-02-07T0${i}:00:00Z`,
                  ...(updatedAt ? { updatedAt } : {}),
                }),
                contentType: 'application/json',
              },
            );
          for (let i = 0; i < shapes.length; i++) expect((await ingest(i, `Judul ${i}`)).status).toBe('created');
          const deps: BuildFeedsDeps = { articles, publisher, site, clock, archives: new InMemoryFeedArchive(articles), revisions: store };
          await buildFeedsForArticles(deps, ids);

          const ours = ourPick % shapes.length;
          const theirs = theirPick % shapes.length;
          let theirFeeds: string[] = [];
          // After our first renders, before our check: the other builder stores a correction, syncs its
          // listings and marks its feeds, as its own build starts by doing.
          let interfered = false;
          const revisions = {
            bump: (key: string) => store.bump(key),
            mark: (key: string) => store.mark(key),
            countRestart: (key: string) => store.countRestart(key),
            current: (key: string) => store.current(key),
            currentMany: async (keys: readonly string[]) => {
              if (!interfered) {
                interfered = true;
                expect((await ingest(theirs, `Koreksi ${theirs}`, '2024-02-07T11:00:00Z')).status).toBe('updated');
                theirFeeds = await articles.syncListings(ids[theirs] as string, clock.now());
                for (const path of theirFeeds) await store.bump(path);
              }
              return store.currentMany(keys);
            },
          };
          expect((await ingest(ours, `Baru ${ours}`, '2024-02-07T10:00:00Z')).status).toBe('updated');
          const built = await buildFeedsForArticles({ ...deps, revisions }, [ids[ours] as string]);

          const shared = built.feeds.filter((path) => theirFeeds.includes(path));
          expect(shared).toContain('latest');
          for (const path of shared) {
            const rss = publisher.text(`feeds/${path}.rss`) ?? '';
            expect(rss, path).toContain(`<title>Koreksi ${theirs}</title>`);
            if (ours !== theirs) expect(rss, path).toContain(`<title>Baru ${ours}</title>`);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
