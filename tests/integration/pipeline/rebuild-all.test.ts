import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildAllPartnerOutputs } from '../../../shared/partners/build-partner-outputs.js';
import { PartnerSchema } from '../../../shared/partners/partner.js';
import { feedBuildDependencies, partnerOutputDependencies } from '../../../shared/runtime/dependencies.js';
import { DynamoDbArchiveListings } from '../../../shared/storage/dynamodb-archive-listings.js';
import { rebuildAllFeeds, type RebuildProgress } from '../../../shared/usecases/rebuild-all-feeds.js';
import { ingestArticle } from '../../../shared/usecases/ingest-article.js';
import { jsonArticle, startTestStack, TEST_TABLE, type TestStack } from '../../support/local-stack.js';

/** The full rebuild reads the archive in pages: no GetItem per article, no HEAD per partner document. */
describe('full rebuild (dynalite + s3rver)', () => {
  let t: TestStack;
  const requests: { command: string; key?: string }[] = [];

  beforeAll(async () => {
    t = await startTestStack();
    const count = (client: typeof t.stack.s3 | typeof t.stack.dynamodb) =>
      (client.middlewareStack as { add: (m: unknown, o: unknown) => void }).add(
        (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: { input: { Key?: string | { pk?: string | { S?: string } } } }) => {
          const key = args.input.Key;
          requests.push({ command: context.commandName ?? '?', key: typeof key === 'string' ? key : typeof key?.pk === 'string' ? key.pk : key?.pk?.S });
          return next(args);
        },
        { step: 'initialize', name: 'countRequests' },
      );
    count(t.stack.s3);
    count(t.stack.dynamodb);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('builds every feed of every stored article and every partner output, reporting progress and rate', async () => {
    await t.deps.partners.put(PartnerSchema.parse({ id: 'kabar', name: 'Kabar', sections: ['Nusantara'] }));
    const ingestDeps = { articles: t.deps.articles, clock: t.clock, site: t.deps.config.site };
    // Stored but never built: no listing items yet, as after a failed stream batch.
    for (let i = 1; i <= 6; i++) {
      const outcome = await ingestArticle(
        ingestDeps,
        jsonArticle({ id: `artikel-${i}`, section: i % 2 ? 'Nusantara' : 'Ekonomi', tags: [`Topik ${i % 3}`], publishedAt: `2024-02-0${i}T01:00:00+07:00` }),
      );
      expect(outcome.status).toBe('created');
    }
    requests.length = 0;
    const progress: RebuildProgress[] = [];
    const result = await rebuildAllFeeds(
      {
        ...feedBuildDependencies(t.deps),
        archive: new DynamoDbArchiveListings(t.deps.documentClient, TEST_TABLE),
        partnerOutputs: () => rebuildAllPartnerOutputs(partnerOutputDependencies(t.deps)),
      },
      { concurrency: 3, onProgress: (p) => progress.push(p) },
    );

    expect(result.articles).toBe(6);
    const expected = ['author/rina-kartika', 'latest', 'section/ekonomi', 'section/nusantara', 'tag/topik-0', 'tag/topik-1', 'tag/topik-2'];
    expect(result.feeds).toBe(expected.length);
    for (const path of expected) expect((await t.readObject(`feeds/${path}.rss`))?.body, path).toContain('<rss');
    const latest = await t.readObject('feeds/latest.json');
    expect((JSON.parse(latest?.body ?? '{}') as { items: unknown[] }).items).toHaveLength(6);
    expect(await t.readObject('partners/kabar/ninjs/artikel-1.json')).toBeDefined();
    expect(progress.filter((p) => p.phase === 'feeds').at(-1)).toMatchObject({ done: expected.length, total: expected.length });
    expect(result.feedsPerSecond).toBeGreaterThan(0);

    // The only GetItem are the feeds' revision checks and the feed directory's counter: none per article.
    expect(requests.filter((r) => r.command === 'GetItemCommand' && !r.key?.startsWith('FEED#') && r.key !== 'FEEDS-MEMBERSHIP')).toEqual([]);
    expect(requests.filter((r) => r.command === 'HeadObjectCommand' && r.key?.includes('/ninjs/'))).toEqual([]);
    expect(requests.filter((r) => r.command === 'ScanCommand').length).toBeGreaterThan(0);

    // A second run finds everything in place.
    const again = await rebuildAllFeeds(
      { ...feedBuildDependencies(t.deps), partnerOutputs: undefined, archive: new DynamoDbArchiveListings(t.deps.documentClient, TEST_TABLE) },
      { concurrency: 3 },
    );
    expect(again.written).toBe(0);
  }, 120_000);
});
