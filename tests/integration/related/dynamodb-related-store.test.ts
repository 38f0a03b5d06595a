import { Logger } from '@aws-lambda-powertools/logger';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelatedBuilderHandler } from '../../../functions/related-builder.js';
import type { Article } from '../../../shared/model/article.js';
import { systemClock } from '../../../shared/ports.js';
import { InMemoryRelatedStore } from '../../../shared/related/in-memory-related-store.js';
import type { IndexItem, RelatedIndexStore } from '../../../shared/related/related-index-store.js';
import { drainDocumentFrequencies, foldDocumentFrequencies, JOURNAL_PK, STATS_KEY } from '../../../shared/related/document-frequency.js';
import { DEFAULT_SETTINGS, readEntries } from '../../../shared/related/related-index.js';
import { DynamoDbRelatedStore } from '../../../shared/storage/dynamodb-related-store.js';
import { InMemoryObjectPublisher } from '../../../shared/storage/in-memory-adapters.js';
import { updateRelated } from '../../../shared/related/update-related.js';
import { ensureTable } from '../../../cli/local/embedded-stack.js';
import { startTestStack, TEST_TABLE, type TestStack } from '../../support/local-stack.js';
import { exampleArticles, harness, loadArticleFile, SAMPLE_ARTICLE } from '../../unit/related/fixtures.js';

const RELATED_PREFIXES = ['RSTATS', 'TERMDF#', 'RDFJ', 'RDFFOLD', 'RIDX#', 'RSIG#', 'RTITLE#', 'RHEAD#', 'RELATED#', 'STORY#'];

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});

async function scanRelatedItems(): Promise<IndexItem[]> {
  const items: IndexItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await stack.deps.documentClient.send(new ScanCommand({ TableName: TEST_TABLE, ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as IndexItem[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items
    .filter((i) => RELATED_PREFIXES.some((p) => i.pk.startsWith(p)))
    .sort((a, b) => (a.pk === b.pk ? (a.sk < b.sk ? -1 : 1) : a.pk < b.pk ? -1 : 1));
}

/** Every item with map keys sorted, since DynamoDB does not keep the key order of maps. */
function normalize(items: IndexItem[]): string[] {
  const sortKeys = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sortKeys)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sortKeys(x)]))
        : v;
  return items.map((i) => JSON.stringify(sortKeys(i)));
}

/** Examples and the sample, then one withdrawal: exercises postings, stories, editorial links and clean-up. */
async function scenario(store: RelatedIndexStore): Promise<{ objects: Map<string, string>; readsPerArticle: number[] }> {
  const h = harness(store);
  const readsPerArticle: number[] = [];
  const articles: Article[] = [...exampleArticles(), loadArticleFile(SAMPLE_ARTICLE)];
  for (const a of articles) {
    const before = store.usage().itemsRead;
    await h.put(a);
    readsPerArticle.push(store.usage().itemsRead - before);
  }
  const withdrawn = articles.find((a) => a.id === 'ribuan-rumah-semarang-terendam-banjir') as Article;
  await h.put({ ...withdrawn, status: 'withdrawn' });
  return { objects: new Map([...h.publisher.objects].map(([k, v]) => [k, String(v.body)])), readsPerArticle };
}

describe('DynamoDbRelatedStore on dynalite', () => {
  it('produces the same documents, items and item counts as the in-memory store', async () => {
    const memory = new InMemoryRelatedStore();
    const dynamo = new DynamoDbRelatedStore(stack.deps.documentClient, TEST_TABLE);
    const fromMemory = await scenario(memory);
    const fromDynamo = await scenario(dynamo);

    expect([...fromDynamo.objects.keys()].sort()).toEqual([...fromMemory.objects.keys()].sort());
    for (const [key, body] of fromMemory.objects) expect(fromDynamo.objects.get(key), key).toBe(body);
    expect(fromDynamo.objects.has('stories/banjir-rendam-ribuan-rumah-semarang.json')).toBe(true);
    expect(normalize(await scanRelatedItems())).toEqual(normalize(memory.dump()));
    expect(dynamo.usage()).toEqual(memory.usage());
    expect(fromDynamo.readsPerArticle).toEqual(fromMemory.readsPerArticle);

    // The same store serves stored related links to feed and partner rendering, one BatchGet for many ids.
    const before = dynamo.usage().itemsRead;
    const links = await dynamo.relatedLinks(['000_1274e15701f62eef', 'banjir-rendam-ribuan-rumah-semarang', 'no-such-article']);
    expect(dynamo.usage().itemsRead - before).toBe(2);
    expect(links.has('no-such-article')).toBe(false);
    expect(links.get('000_1274e15701f62eef')?.slice(0, 3).map((l) => [l.id, l.reason])).toEqual([
      ['platform-media-sosial-misinformasi-pemilu', 'editorial'],
      ['kematangan-demokrasi-ruang-digital-pemilu-2024', 'editorial'],
      ['pemerintah-lindungi-hak-individu-ruang-digital', 'editorial'],
    ]);
    for (const l of links.get('banjir-rendam-ribuan-rumah-semarang') ?? []) expect(l.url).toMatch(/^https:\/\//);
  });

  it('reads a bounded number of index items per new article', async () => {
    const { readsPerArticle } = await scenario(new InMemoryRelatedStore());
    const s = DEFAULT_SETTINGS;
    const search = s.queryTerms * s.postingsPerTerm + s.candidates;
    const indexing = 2 + s.dfTerms;
    const ownAndFanOut = 2 + s.fanOut;
    const story = 1 + s.poolSize + 50;
    const waking = 12 * 25 + 2 * 25;
    const perHeadline = 3 + 3 + 8 + 8 + 4 * s.postingsPerTerm;
    const bound = indexing + search + ownAndFanOut + story + waking + 3 * perHeadline;
    expect(Math.max(...readsPerArticle)).toBeLessThanOrEqual(bound);
    // The examples are a small archive, so real reads stay far below the worst case.
    expect(readsPerArticle.reduce((a, b) => a + b, 0) / readsPerArticle.length).toBeLessThan(300);
  });

});

describe('document-frequency counters on dynalite', () => {
  it('two builders indexing and folding at once lose no count and count none twice', async () => {
    const table = 'warta-related-df';
    await ensureTable(stack.stack.dynamodb, table);
    const settings = { ...DEFAULT_SETTINGS, dfFoldMax: 3 };
    // Two builders: each its own store instance (own request slots), one table.
    const stores = [0, 1].map(() => new DynamoDbRelatedStore(stack.deps.documentClient, table, settings));
    const [first] = stores as [DynamoDbRelatedStore, DynamoDbRelatedStore];
    const builders = stores.map((store) => {
      const h = harness(store);
      h.deps.settings = settings;
      return h;
    });
    // Sixteen articles keep the test short on a loaded machine; with folds of 3 they still race many times.
    const articles = exampleArticles().slice(0, 16);
    const halves = [articles.filter((_, i) => i % 2 === 0), articles.filter((_, i) => i % 2 === 1)];
    await Promise.all(
      builders.map(async (h, b) => {
        for (const a of halves[b] ?? []) {
          await h.put(a);
          // An extra fold racing the other builder's folds and index writes.
          await foldDocumentFrequencies(h.store, settings);
        }
        const gone = halves[b]?.[0];
        if (gone) await h.put({ ...gone, status: 'withdrawn' });
      }),
    );
    await drainDocumentFrequencies(first, settings);

    const entries = [...(await readEntries(first, articles.map((a) => a.id))).values()];
    expect(entries).toHaveLength(articles.length - 2);
    const expected = new Map<string, number>();
    for (const e of entries) for (const t of e.dfTerms) expected.set(t, (expected.get(t) ?? 0) + 1);
    const items = (await scanTable(table)).filter((i) => i.pk.startsWith('TERMDF#'));
    const counted = new Map(items.map((i) => [i.pk.slice('TERMDF#'.length), Number(i.df)]));
    for (const t of new Set([...expected.keys(), ...counted.keys()])) expect(counted.get(t) ?? 0, t).toBe(expected.get(t) ?? 0);
    const [stats] = await first.getItems([STATS_KEY]);
    expect(stats?.documents).toBe(entries.length);
    expect(await first.queryItems(JOURNAL_PK)).toEqual([]);
    // Hundreds of racing conditional writes on the embedded DynamoDB: about 20 s on a busy 2-core machine.
  }, 120_000);
});

async function scanTable(table: string): Promise<IndexItem[]> {
  const items: IndexItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await stack.deps.documentClient.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as IndexItem[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

function streamRecord(pk: string, sk: string, sequence: string): DynamoDBRecord {
  return { eventID: sequence, eventName: 'MODIFY', dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } }, SequenceNumber: sequence } };
}

describe('related-builder handler', () => {
  const logger = new Logger({ serviceName: 'warta-test', logLevel: 'SILENT' });
  let tableCount = 0;
  /** A related store on a table of its own, so each test starts from an empty index. */
  async function freshStore(): Promise<DynamoDbRelatedStore> {
    const table = `warta-related-${++tableCount}`;
    await ensureTable(stack.stack.dynamodb, table);
    return new DynamoDbRelatedStore(stack.deps.documentClient, table);
  }
  async function saveArticles(articles: Article[]): Promise<void> {
    for (const a of articles) if (!(await stack.deps.articles.get(a.id))) await stack.deps.articles.save(a, undefined);
  }

  it('publishes related/<id>.json to S3 for article records and skips other items', async () => {
    const articles = exampleArticles().filter((a) => a.id.includes('banjir'));
    await saveArticles(articles);
    const store = await freshStore();
    const handler = createRelatedBuilderHandler({
      logger,
      related: { articles: stack.deps.articles, store, publisher: stack.deps.publisher, site: stack.deps.config.site, clock: systemClock },
    });
    const event: DynamoDBStreamEvent = {
      Records: [
        streamRecord('LIST#latest', '2024-02-08#x', '1'),
        ...articles.map((a, i) => streamRecord(`ARTICLE#${a.id}`, 'A', String(i + 2))),
        streamRecord(`ARTICLE#${articles[0]?.id}`, 'LISTED', '9'),
      ],
    };
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    const doc = await stack.readObject('related/korban-banjir-semarang-bertambah.json');
    expect(doc?.contentType).toBe('application/json; charset=utf-8');
    expect(doc?.cacheControl).toBe('public, max-age=300');
    expect(JSON.parse(doc?.body ?? '{}').related.map((r: { id: string }) => r.id)).toContain('banjir-rendam-ribuan-rumah-semarang');
    const story = await stack.readObject('stories/banjir-rendam-ribuan-rumah-semarang.json');
    expect(JSON.parse(story?.body ?? '{}').articles).toHaveLength(3);
  });

  it('reports only the record whose update failed', async () => {
    const articles = exampleArticles().filter((a) => a.id.includes('banjir'));
    await saveArticles(articles);
    const store = await freshStore();
    const failing = articles[1]?.id as string;
    // Fault injection: the index write of one article's vector fails as a throttled DynamoDB call would.
    const faulty: RelatedIndexStore = {
      getItems: (keys, o) => store.getItems(keys, o),
      queryItems: (pk, o) => store.queryItems(pk, o),
      writeItems: (p, d) => (p.some((i) => i.pk === `RSIG#${failing}`) ? Promise.reject(new Error('throttled')) : store.writeItems(p, d)),
      incrementCounters: (k, d) => store.incrementCounters(k, d),
      addCountersOnce: (u, g) => store.addCountersOnce(u, g),
      putIfMatches: (i, a, e) => store.putIfMatches(i, a, e),
      usage: () => store.usage(),
    };
    const handler = createRelatedBuilderHandler({
      logger,
      related: { articles: stack.deps.articles, store: faulty, publisher: stack.deps.publisher, site: stack.deps.config.site, clock: systemClock },
    });
    const event: DynamoDBStreamEvent = { Records: articles.map((a, i) => streamRecord(`ARTICLE#${a.id}`, 'A', String(100 + i))) };
    expect(await handler(event)).toEqual({ batchItemFailures: [{ itemIdentifier: '101' }] });
  });

  it('builds a stream batch exactly as its records one by one, with fewer requests', async () => {
    // Examples and the sample (editorial headlines, a story, fan-out), in batches of 12 on dynalite
    // through the real SDK, against the same records one at a time in memory (the handler before batching).
    const articles = [...exampleArticles(), loadArticleFile(SAMPLE_ARTICLE)];
    await saveArticles(articles);
    const memory = harness(new InMemoryRelatedStore());
    for (const a of articles) await memory.articles.save(a, undefined);
    for (const a of articles) await updateRelated(memory.deps, [a.id]);

    const table = 'warta-related-batch';
    await ensureTable(stack.stack.dynamodb, table);
    const store = new DynamoDbRelatedStore(stack.deps.documentClient, table);
    const publisher = new InMemoryObjectPublisher();
    const handler = createRelatedBuilderHandler({
      logger,
      related: { articles: stack.deps.articles, store, publisher, site: memory.deps.site, clock: memory.deps.clock },
    });
    for (let at = 0; at < articles.length; at += 12) {
      const records = articles.slice(at, at + 12).map((a, i) => streamRecord(`ARTICLE#${a.id}`, 'A', String(at + i + 1)));
      expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
    }
    const stored = (await scanTable(table)).sort((a, b) => (a.pk === b.pk ? (a.sk < b.sk ? -1 : 1) : a.pk < b.pk ? -1 : 1));
    expect(normalize(stored)).toEqual(normalize((memory.store as InMemoryRelatedStore).dump()));
    const bodies = (p: InMemoryObjectPublisher) => [...p.objects].map(([k, v]) => `${k}\n${String(v.body)}`).sort();
    expect(bodies(publisher)).toEqual(bodies(memory.publisher));
    expect(store.usage().itemsWritten).toBe(memory.store.usage().itemsWritten);
    expect(store.usage().itemsRead).toBeLessThan(memory.store.usage().itemsRead);
  }, 120_000);
});
