import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedUrl, INDEX_KEY, OPML_KEY } from '../../../shared/discovery/render-discovery.js';
import { feedBuildDependencies } from '../../../shared/runtime/dependencies.js';
import { DynamoDbArchiveListings } from '../../../shared/storage/dynamodb-archive-listings.js';
import { DynamoDbFeedDirectory } from '../../../shared/storage/dynamodb-feed-directory.js';
import { buildFeedsForArticles } from '../../../shared/usecases/build-feeds.js';
import { ingestArticle } from '../../../shared/usecases/ingest-article.js';
import { rebuildAllFeeds } from '../../../shared/usecases/rebuild-all-feeds.js';
import { jsonArticle, startTestStack, TEST_TABLE, type TestStack } from '../../support/local-stack.js';
import { readIndex, readOpml } from '../../unit/discovery/discovery-readers.js';

/** The discovery files built on dynalite and s3rver, with the feed directory in the table. */
describe('discovery files (dynalite + s3rver)', () => {
  let t: TestStack;
  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('writes index.html and feeds.opml with their types, lists exactly the public feeds, and the full rebuild repairs a lost directory', async () => {
    const site = t.deps.config.site;
    const ingestDeps = { articles: t.deps.articles, clock: t.clock, site };
    const inputs = [
      { id: 'banjir-rob', title: 'Banjir rob & “air pasang” <pesisir>', section: 'Nusantara', tags: ['Banjir', 'Jakarta'], publishedAt: '2024-02-07T01:00:00+07:00' },
      { id: 'harga-beras', title: 'Harga beras naik لا 日本', section: 'Ekonomi', tags: ['Pangan'], publishedAt: '2024-02-07T03:00:00+07:00' },
      // Scheduled for later than the stack's clock (05:00 UTC): no feed, tag or headline of it yet.
      { id: 'kejutan', title: 'Belum terbit', section: 'Rahasia', tags: ['Kejutan'], publishedAt: '2024-02-07T20:00:00+07:00' },
    ];
    for (const input of inputs) expect((await ingestArticle(ingestDeps, jsonArticle(input))).status).toBe('created');
    const build = feedBuildDependencies(t.deps);
    const result = await buildFeedsForArticles(build, inputs.map((i) => i.id));
    expect(result.written).toEqual(expect.arrayContaining([INDEX_KEY, OPML_KEY]));

    const index = await t.readObject(INDEX_KEY);
    expect(index?.contentType).toBe('text/html; charset=utf-8');
    expect(index?.cacheControl).toBe('public, max-age=300, stale-while-revalidate=60');
    const page = readIndex(index?.body ?? '');
    expect(page.headlines.map((h) => h.text)).toEqual(['Harga beras naik لا 日本', 'Banjir rob & “air pasang” <pesisir>']);
    const publicPaths = ['latest', 'section/nusantara', 'section/ekonomi', 'tag/banjir', 'tag/jakarta', 'tag/pangan', 'author/rina-kartika'];
    const rss = (paths: string[]) => paths.map((p) => feedUrl(site, p, 'rss')).sort();
    expect(page.alternates.filter((a) => a.type === 'application/rss+xml').map((a) => a.href).sort()).toEqual(rss(publicPaths));
    const opml = await t.readObject(OPML_KEY);
    expect(opml?.contentType).toBe('text/x-opml; charset=utf-8');
    expect(readOpml(opml?.body ?? '').outlines.flatMap((o) => (o.xmlUrl ? [o.xmlUrl] : [])).sort()).toEqual(rss(publicPaths));

    // Nothing changed: nothing written.
    const again = await buildFeedsForArticles(build, ['banjir-rob']);
    expect(again.written.filter((k) => k === INDEX_KEY || k === OPML_KEY)).toEqual([]);

    // A deployment from before the directory existed: the full rebuild fills it from the listings.
    const directory = new DynamoDbFeedDirectory(t.deps.documentClient, TEST_TABLE);
    for (const record of await directory.all()) await directory.delete(record.path);
    await rebuildAllFeeds({ ...build, partnerOutputs: undefined, archive: new DynamoDbArchiveListings(t.deps.documentClient, TEST_TABLE) }, { concurrency: 3 });
    expect((await directory.all()).map((r) => r.path).sort()).toEqual([...publicPaths].sort());
    expect(readOpml((await t.readObject(OPML_KEY))?.body ?? '').outlines.filter((o) => o.xmlUrl).length).toBe(publicPaths.length);
  }, 120_000);

  it('keeps the record naming the newer article when two builders write one feed', async () => {
    const directory = new DynamoDbFeedDirectory(t.deps.documentClient, TEST_TABLE);
    await directory.put({ path: 'tag/uji', name: 'UJI', newest: '2024-02-07T02:00:00.000Z#b' });
    await directory.put({ path: 'tag/uji', name: 'Uji', newest: '2024-02-07T01:00:00.000Z#a' });
    expect((await directory.all()).find((r) => r.path === 'tag/uji')?.name).toBe('UJI');
    // Read from the listing itself: stored whatever was there.
    await directory.put({ path: 'tag/uji', name: 'Uji', newest: '2024-02-07T01:00:00.000Z#a' }, true);
    expect((await directory.all()).find((r) => r.path === 'tag/uji')).toEqual({ path: 'tag/uji', name: 'Uji', newest: '2024-02-07T01:00:00.000Z#a' });
    await directory.delete('tag/uji');
  });
});
