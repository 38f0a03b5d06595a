import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import Parser from 'rss-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkConsistency } from '../../../cli/local/consistency-check.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../cli/local/embedded-stack.js';
import { DynamoDbArticleRepository } from '../../../shared/storage/dynamodb-article-repository.js';
import { buildFeedsForArticles } from '../../../shared/usecases/build-feeds.js';
import { ingestArticle } from '../../../shared/usecases/ingest-article.js';
import { jsonArticle, startTestStack, TEST_TABLE, type TestStack } from '../../support/local-stack.js';

/**
 * Listing items name the version of the article they list, and the feed builder renders an article it
 * already holds at that version without reading it again (shared/storage/article-cache.ts). What a
 * reader of the feeds must never see is an older version than the stored one.
 */
describe('listing items name article versions (dynalite + s3rver, real SDK clients)', () => {
  let t: TestStack;
  const parser = new Parser();
  const ingest = (fields: Record<string, unknown>) =>
    ingestArticle({ articles: t.deps.articles, clock: t.clock, site: t.deps.config.site }, jsonArticle(fields));
  const titles = async (path: string) => {
    const object = await t.readObject(`feeds/${path}.rss`);
    return (await parser.parseString(object?.body ?? '')).items.map((i) => i.title);
  };
  const listedVersions = async (path: string) => {
    const out = await t.deps.documentClient.send(
      new QueryCommand({ TableName: TEST_TABLE, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `LIST#${path}` }, ConsistentRead: true }),
    );
    return Object.fromEntries((out.Items ?? []).map((i) => [String(i['articleId']), i['articleVersion']]));
  };
  /** A second builder process: its own SDK client and article repository (and so its own cache). */
  const otherBuilder = (gate?: { until: Promise<void>; reached: () => void }) => {
    const client = new DynamoDBClient({ endpoint: t.stack.dynamoEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const articleKeysRead: string[] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = JSON.stringify(args.input);
        if (context.commandName === 'BatchGetItemCommand') articleKeysRead.push(...(input.match(/ARTICLE#[^"]+/g) ?? []));
        // Holds this builder's listing writes until released: it read the article before another sync ran.
        if (gate && context.commandName === 'PutItemCommand' && input.includes('"LIST#')) {
          gate.reached();
          await gate.until;
        }
        return next(args);
      },
      { step: 'initialize', name: 'testProbe' },
    );
    const articles = new DynamoDbArticleRepository(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), TEST_TABLE);
    return { articles, articleKeysRead, build: (ids: string[]) => buildFeedsForArticles({ ...t.buildDeps, articles }, ids) };
  };

  beforeAll(async () => {
    t = await startTestStack();
  });
  afterAll(async () => {
    await t.close();
  });

  it('renders held articles without reading them again, and reads an article whose listing names a newer version', async () => {
    const ids = ['versi-satu', 'versi-dua', 'versi-tiga', 'versi-empat', 'versi-lima'];
    for (const [i, id] of ids.entries()) {
      expect((await ingest({ id, title: `Judul ${id}`, tags: ['Versi'], publishedAt: `2024-02-07T0${i}:00:00Z` })).status).toBe('created');
    }
    const a = otherBuilder();
    const b = otherBuilder();
    await a.build(ids);
    expect(await titles('tag/versi')).toEqual(ids.map((id) => `Judul ${id}`).reverse());
    expect(Object.values(await listedVersions('tag/versi'))).toEqual([1, 1, 1, 1, 1]);

    // Another builder handles a correction of one article: the listing items now name version 2.
    expect((await ingest({ id: 'versi-dua', title: 'Judul versi-dua (diperbarui)', tags: ['Versi'], publishedAt: '2024-02-07T01:00:00Z', updatedAt: '2024-02-07T04:50:00Z' })).status).toBe('updated');
    await b.build(['versi-dua']);
    expect((await listedVersions('tag/versi'))['versi-dua']).toBe(2);

    // The first builder still holds version 1 of it. Building the feed for another change, it reads that
    // article again (its listing names version 2) and nothing else it holds.
    expect((await ingest({ id: 'versi-enam', title: 'Judul versi-enam', tags: ['Versi'], publishedAt: '2024-02-07T04:30:00Z' })).status).toBe('created');
    a.articleKeysRead.length = 0;
    await a.build(['versi-enam']);
    expect(await titles('tag/versi')).toEqual([
      'Judul versi-enam',
      'Judul versi-lima',
      'Judul versi-empat',
      'Judul versi-tiga',
      'Judul versi-dua (diperbarui)',
      'Judul versi-satu',
    ]);
    const read = new Set(a.articleKeysRead.map((k) => k.slice('ARTICLE#'.length)));
    expect(read.has('versi-dua')).toBe(true);
    for (const held of ['versi-satu', 'versi-tiga', 'versi-empat', 'versi-lima']) expect(read.has(held)).toBe(false);
  });

  it('a sync that read an older version never puts it back over a newer sync, and the feed shows the newer one', async () => {
    expect((await ingest({ id: 'balapan', title: 'Balapan versi pertama', tags: ['Balapan'], publishedAt: '2024-02-07T04:40:00Z' })).status).toBe('created');
    let release!: () => void;
    let reached!: () => void;
    const writing = new Promise<void>((resolve) => (reached = resolve));
    const slow = otherBuilder({ until: new Promise<void>((resolve) => (release = resolve)), reached: () => reached() });
    // The slow builder reads version 1 and stops before writing its listing items.
    const slowSync = slow.articles.syncListingChanges('balapan', t.clock.now());
    await writing;
    expect((await ingest({ id: 'balapan', title: 'Balapan versi kedua', tags: ['Balapan'], publishedAt: '2024-02-07T04:40:00Z', updatedAt: '2024-02-07T04:55:00Z' })).status).toBe('updated');
    const fast = otherBuilder();
    await fast.build(['balapan']);
    expect(await listedVersions('tag/balapan')).toEqual({ balapan: 2 });
    release();
    await slowSync;
    // Its writes of version 1 were refused; it synced again from the stored version 2.
    expect(await listedVersions('tag/balapan')).toEqual({ balapan: 2 });
    expect(await listedVersions('latest')).toMatchObject({ balapan: 2 });
    await slow.build(['balapan']);
    expect(await titles('tag/balapan')).toEqual(['Balapan versi kedua']);
  });

  it('the local runtime\'s startup check names an article whose listing items name an older version than stored, so it is rebuilt', async () => {
    expect((await ingest({ id: 'tertinggal', title: 'Versi satu', tags: ['Tertinggal'], publishedAt: '2024-02-07T04:45:00Z' })).status).toBe('created');
    await buildFeedsForArticles(t.buildDeps, ['tertinggal']);
    const problemsOf = async () => (await checkConsistency(t.deps.documentClient, TEST_TABLE, t.clock.now())).broken.filter((b) => b.id === 'tertinggal');
    // Related lists are another builder's: only the listing problem is this test's.
    expect((await problemsOf()).filter((b) => !b.problem.includes('related'))).toEqual([]);
    // Stored, but its build never ran (a crash between the write and the stream).
    expect((await ingest({ id: 'tertinggal', title: 'Versi dua', tags: ['Tertinggal'], publishedAt: '2024-02-07T04:45:00Z', updatedAt: '2024-02-07T04:58:00Z' })).status).toBe('updated');
    expect(await problemsOf()).toEqual([{ id: 'tertinggal', problem: expect.stringMatching(/listed at an older version than stored \(2\) in .*tag\/tertinggal/) }]);
    await buildFeedsForArticles(t.buildDeps, ['tertinggal']);
    expect((await problemsOf()).filter((b) => !b.problem.includes('related'))).toEqual([]);
  });
});
