import { fc, test } from '@fast-check/vitest';
import { Logger } from '@aws-lambda-powertools/logger';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createRelatedBuilderHandler } from '../../../functions/related-builder.js';
import type { Article } from '../../../shared/model/article.js';
import type { ArticleRepository } from '../../../shared/ports.js';
import { BatchCachedStore } from '../../../shared/related/batch-cached-store.js';
import { InMemoryRelatedStore } from '../../../shared/related/in-memory-related-store.js';
import type { IndexItem, IndexKey, RelatedIndexStore } from '../../../shared/related/related-index-store.js';
import { DEFAULT_SETTINGS, type RelatedSettings } from '../../../shared/related/related-index.js';
import { updateRelated, type UpdateRelatedDeps } from '../../../shared/related/update-related.js';
import { articleIdOfStreamRecord } from '../../../shared/runtime/stream-records.js';
import { changedFeedTopics } from '../../../shared/websub/notify-hubs.js';
import { exampleArticles, harness, loadArticleFile, SAMPLE_ARTICLE, SITE } from './fixtures.js';

/**
 * A stream batch processed by the related builder (one `RelatedBatch`, its cache shared by the
 * records) ends in exactly the state of the same records processed one at a time by
 * `updateRelated` with nothing shared (the handler before batching): same index items, lists,
 * stories and published bytes, also when a record fails and Lambda redelivers from it.
 */

const POOL: Article[] = [...exampleArticles(), loadArticleFile(SAMPLE_ARTICLE)];
/** Small folds, so batches cross several folds of the document-frequency journal. */
const SETTINGS: RelatedSettings = { ...DEFAULT_SETTINGS, dfFoldMax: 4 };
const logger = new Logger({ serviceName: 'warta-test', logLevel: 'SILENT' });

type Op = { kind: 'publish' | 'edit' | 'withdraw'; index: number; other: number };
type Fault = { batch: number; record: number; kind: 'article' | 'index' } | null;

/** Fault injection: the armed article's first read, or its first vector write, fails once. */
class Faults {
  armed: { id: string; kind: 'article' | 'index' } | undefined;
  fired = false;
  fire(id: string, kind: 'article' | 'index'): boolean {
    if (this.armed?.id !== id || this.armed.kind !== kind) return false;
    this.armed = undefined;
    this.fired = true;
    return true;
  }
}

function faultyStore(inner: RelatedIndexStore, faults: Faults): RelatedIndexStore {
  return {
    getItems: (keys, o) => inner.getItems(keys, o),
    queryItems: (pk, o) => inner.queryItems(pk, o),
    writeItems: (puts: readonly IndexItem[], deletes: readonly IndexKey[]) => {
      const vector = puts.find((p) => p.pk.startsWith('RSIG#') && faults.armed?.kind === 'index' && p.pk === `RSIG#${faults.armed.id}`);
      if (vector && faults.fire(String(vector.id), 'index')) return Promise.reject(new Error('throttled'));
      return inner.writeItems(puts, deletes);
    },
    incrementCounters: (k, d) => inner.incrementCounters(k, d),
    addCountersOnce: (u, g) => inner.addCountersOnce(u, g),
    putIfMatches: (i, a, e) => inner.putIfMatches(i, a, e),
    usage: () => inner.usage(),
  };
}

function faultyArticles(inner: ArticleRepository, faults: Faults): ArticleRepository {
  return new Proxy(inner, {
    get(target, property) {
      if (property === 'get') return (id: string) => (faults.fire(id, 'article') ? Promise.reject(new Error('throttled')) : target.get(id));
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

interface World {
  memory: InMemoryRelatedStore;
  h: ReturnType<typeof harness>;
  deps: UpdateRelatedDeps;
  faults: Faults;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
  edits: number;
  /** Story feeds each delivery told the WebSub hubs about (from the keys whose bytes changed). */
  notified: string[][];
}

/** 'batch': the handler as deployed. 'one-by-one': `updateRelated(deps, [id])` per record, nothing shared. */
function world(mode: 'batch' | 'one-by-one'): World {
  const memory = new InMemoryRelatedStore();
  const faults = new Faults();
  const h = harness(memory);
  const deps: UpdateRelatedDeps = { ...h.deps, articles: faultyArticles(h.articles, faults), store: faultyStore(memory, faults), settings: SETTINGS };
  const notified: string[][] = [];
  const websub = {
    notify: async (topics: readonly string[]) => {
      notified.push([...topics]);
      return [];
    },
  };
  const handler =
    mode === 'batch'
      ? createRelatedBuilderHandler({ related: deps, logger, websub })
      : async (event: DynamoDBStreamEvent) => {
          const written: string[] = [];
          const response = await processPartialResponse(
            event,
            async (record: DynamoDBRecord) => {
              written.push(...(await updateRelated(deps, [articleIdOfStreamRecord(record) as string])).written);
            },
            new BatchProcessor(EventType.DynamoDBStreams),
            { processInParallel: false, throwOnFullBatchFailure: false },
          );
          await websub.notify(changedFeedTopics(written, SITE.feedsBaseUrl));
          return response;
        };
  return { memory, h, deps, faults, handler, edits: 0, notified };
}

/** Stores the op's version of the article as the ingest would; returns the id the stream records. */
async function apply(w: World, op: Op): Promise<string> {
  const base = POOL[op.index % POOL.length] as Article;
  const stored = await w.h.articles.get(base.id);
  let next: Article;
  if (op.kind === 'publish') next = base;
  else if (op.kind === 'withdraw') next = { ...(stored ?? base), status: 'withdrawn' };
  else {
    const current = stored ?? base;
    const other = POOL[op.other % POOL.length] as Article;
    // An edit of title and body: its counted terms, vector, neighbours and the copies of its title in other lists change.
    next = {
      ...current,
      status: 'published',
      title: `${current.title.split(' — ')[0]} — ${other.title.split(' ').slice(0, 2).join(' ')}`,
      bodyText: `${current.bodyText}\n${other.bodyText.split('\n')[0] ?? ''}`,
      contentHash: `${current.contentHash.slice(0, 40)}-edit-${op.kind}-${op.other}-${w.edits++}`,
    };
  }
  await w.h.articles.save({ ...next, version: (stored?.version ?? 0) + 1 }, stored?.version);
  return base.id;
}

function event(ids: readonly string[], first: number): DynamoDBStreamEvent {
  return {
    Records: ids.map((id, i) => ({
      eventID: String(first + i),
      eventName: 'MODIFY',
      eventSource: 'aws:dynamodb',
      dynamodb: { Keys: { pk: { S: `ARTICLE#${id}` }, sk: { S: 'A' } }, SequenceNumber: String(first + i).padStart(8, '0') },
    })),
  };
}

/** Delivers a batch as Lambda does: a reported failure is redelivered from the first failed record. */
async function deliver(w: World, ids: readonly string[], first: number): Promise<string[]> {
  let pending = event(ids, first);
  const firstResponses: string[] = [];
  for (let attempt = 0; attempt < 3 && pending.Records.length > 0; attempt++) {
    const response = await w.handler(pending);
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    if (attempt === 0) firstResponses.push(...failed);
    const at = pending.Records.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
    pending = { Records: at < 0 ? [] : pending.Records.slice(at) };
  }
  expect(pending.Records).toEqual([]);
  return firstResponses;
}

async function run(mode: 'batch' | 'one-by-one', batches: Op[][], fault: Fault): Promise<{ world: World; reported: string[][] }> {
  const w = world(mode);
  const reported: string[][] = [];
  let seq = 0;
  for (const [b, ops] of batches.entries()) {
    const ids: string[] = [];
    for (const op of ops) ids.push(await apply(w, op));
    const target = fault && fault.batch === b ? ids[fault.record % ids.length] : undefined;
    w.faults.armed = target ? { id: target, kind: (fault as NonNullable<Fault>).kind } : undefined;
    reported.push(await deliver(w, ids, seq));
    w.faults.armed = undefined;
    seq += ids.length;
  }
  return { world: w, reported };
}

function objects(w: World): [string, string][] {
  return [...w.h.publisher.objects].map(([k, v]) => [k, String(v.body)] as [string, string]).sort(([a], [b]) => (a < b ? -1 : 1));
}

const opArb = fc.record({
  kind: fc.constantFrom<Op['kind']>('publish', 'publish', 'publish', 'edit', 'withdraw'),
  index: fc.nat({ max: POOL.length - 1 }),
  other: fc.nat({ max: POOL.length - 1 }),
});

describe('related builder: a stream batch equals its records one by one', () => {
  test.prop(
    [
      fc.array(fc.array(opArb, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 4 }),
      fc.option(fc.record({ batch: fc.nat({ max: 3 }), record: fc.nat({ max: 11 }), kind: fc.constantFrom<'article' | 'index'>('article', 'index') }), { nil: null }),
    ],
    { numRuns: 25 },
  )('same index items, lists, stories and document bytes, with or without a failing record', async (batches, fault) => {
    const single = await run('one-by-one', batches, fault);
    const batched = await run('batch', batches, fault);
    expect(batched.world.faults.fired).toBe(single.world.faults.fired);
    // The failing record is reported in both, so Lambda redelivers from it.
    expect(batched.reported).toEqual(single.reported);
    expect(batched.world.memory.dump()).toEqual(single.world.memory.dump());
    expect(objects(batched.world)).toEqual(objects(single.world));
    // Every update reports the same changed keys: the same story feeds reach the WebSub hubs.
    expect(batched.world.notified).toEqual(single.world.notified);
  });

  it('reads fewer items from the store for a batch of neighbouring articles', async () => {
    const ops: Op[] = POOL.map((_, index) => ({ kind: 'publish', index, other: 0 }));
    const single = await run('one-by-one', [ops], null);
    const batched = await run('batch', [ops], null);
    expect(batched.world.memory.dump()).toEqual(single.world.memory.dump());
    // Counted as DynamoDB bills them; what the batch's cache answered is not read again.
    expect(batched.world.memory.usage().itemsRead).toBeLessThan(single.world.memory.usage().itemsRead * 0.8);
    expect(batched.world.memory.usage().itemsWritten).toBe(single.world.memory.usage().itemsWritten);
  });
});

describe('BatchCachedStore', () => {
  const item = (pk: string, sk: string, v = 0): IndexItem => ({ pk, sk, v });

  test.prop([
    fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('put' as const), pk: fc.constantFrom('A', 'B'), sk: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'x1', 'x2'), v: fc.nat(9) }),
        fc.record({ op: fc.constant('delete' as const), pk: fc.constantFrom('A', 'B'), sk: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'x1', 'x2') }),
        fc.record({ op: fc.constant('query' as const), pk: fc.constantFrom('A', 'B'), limit: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }), prefix: fc.option(fc.constant('x'), { nil: undefined }) }),
        fc.record({ op: fc.constant('get' as const), keys: fc.array(fc.record({ pk: fc.constantFrom('A', 'B'), sk: fc.constantFrom('a', 'b', 'c', 'x1') }), { maxLength: 4 }) }),
        fc.record({ op: fc.constant('count' as const), pk: fc.constantFrom('A', 'B'), sk: fc.constantFrom('a', 'b') }),
      ),
      { maxLength: 40 },
    ),
    fc.boolean(),
  ])('answers every read as the store does, under its own writes, awaited or in flight', async (ops, overlap) => {
    const plain = new InMemoryRelatedStore();
    const cached = new BatchCachedStore(new InMemoryRelatedStore());
    const inFlight: Promise<unknown>[] = [];
    for (const o of ops) {
      const both = async <T>(f: (s: RelatedIndexStore) => Promise<T>) => {
        const calls = Promise.all([f(plain), f(cached)]);
        if (overlap) inFlight.push(calls);
        const [a, b] = await calls;
        expect(b).toEqual(a);
      };
      const step =
        o.op === 'put'
          ? both((s) => s.writeItems([item(o.pk, o.sk, o.v)], []))
          : o.op === 'delete'
            ? both((s) => s.writeItems([], [{ pk: o.pk, sk: o.sk }]))
            : o.op === 'query'
              ? both((s) => s.queryItems(o.pk, { ...(o.limit ? { limit: o.limit } : {}), ...(o.prefix ? { skPrefix: o.prefix } : {}) }))
              : o.op === 'get'
                ? both((s) => s.getItems(o.keys))
                : both((s) => s.incrementCounters({ pk: o.pk, sk: o.sk }, { v: 1 }));
      if (!overlap) await step;
      else inFlight.push(step);
    }
    await Promise.all(inFlight);
    for (const pk of ['A', 'B']) expect(await cached.queryItems(pk)).toEqual(await plain.queryItems(pk));
  });
});
