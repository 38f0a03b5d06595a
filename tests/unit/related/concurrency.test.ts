import { BatchGetCommand, BatchWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { Limiter, mapConcurrent, settleAll } from '../../../shared/related/concurrency.js';
import type { IndexItem } from '../../../shared/related/related-index-store.js';
import { DynamoDbRelatedStore } from '../../../shared/storage/dynamodb-related-store.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('bounded concurrency', () => {
  it('never runs more than the limit and keeps results in input order', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapConcurrent([5, 1, 4, 2, 3, 0, 6], 3, async (v) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, v));
      active--;
      return v * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
  });

  it('reports a failure only after every started call ended, and starts no new ones', async () => {
    const ended: number[] = [];
    const failing = mapConcurrent([0, 1, 2, 3, 4], 2, async (v) => {
      await tick();
      if (v === 1) throw new Error('boom');
      await tick();
      ended.push(v);
    });
    await expect(failing).rejects.toThrow('boom');
    expect(ended).toEqual([0]);
    await expect(settleAll([Promise.resolve(1), Promise.reject(new Error('late'))])).rejects.toThrow('late');
  });

  it('a limiter hands its slots on in call order', async () => {
    const limiter = new Limiter(2);
    const order: string[] = [];
    await Promise.all(['a', 'b', 'c', 'd'].map((x) => limiter.run(async () => (order.push(x), tick()))));
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    expect(() => new Limiter(0)).toThrow(RangeError);
  });
});

/** A document client that answers from a map, throttles the first page of every batch, and records concurrency. */
function fakeClient() {
  const table = new Map<string, IndexItem>();
  const stats = { requests: 0, active: 0, peak: 0, unprocessedRounds: 0 };
  const throttled = new Set<string>();
  const send = async (command: unknown): Promise<unknown> => {
    stats.requests++;
    stats.active++;
    stats.peak = Math.max(stats.peak, stats.active);
    await tick();
    stats.active--;
    if (command instanceof BatchGetCommand) {
      const keys = Object.values(command.input.RequestItems ?? {})[0]?.Keys as { pk: string; sk: string }[];
      // First time a page is seen, only half is processed, as DynamoDB does under throttling.
      const id = JSON.stringify(keys);
      const [now, later] = throttled.has(id) || keys.length < 2 ? [keys, []] : [keys.slice(0, keys.length >> 1), keys.slice(keys.length >> 1)];
      throttled.add(JSON.stringify(later));
      if (later.length > 0) stats.unprocessedRounds++;
      return {
        Responses: { t: now.flatMap((k) => table.get(`${k.pk}|${k.sk}`) ?? []).reverse() },
        ...(later.length > 0 ? { UnprocessedKeys: { t: { Keys: later } } } : {}),
      };
    }
    if (command instanceof BatchWriteCommand) {
      const requests = (command.input.RequestItems?.['t'] ?? []) as { PutRequest?: { Item: IndexItem } }[];
      const [now, later] = requests.length > 1 && !throttled.has('w') ? [requests.slice(1), requests.slice(0, 1)] : [requests, []];
      throttled.add('w');
      for (const r of now) if (r.PutRequest) table.set(`${r.PutRequest.Item.pk}|${r.PutRequest.Item.sk}`, r.PutRequest.Item);
      if (later.length > 0) stats.unprocessedRounds++;
      return later.length > 0 ? { UnprocessedItems: { t: later } } : {};
    }
    if (command instanceof UpdateCommand) return {};
    throw new Error('unexpected command');
  };
  return { client: { send } as unknown as DynamoDBDocumentClient, stats };
}

describe('DynamoDbRelatedStore batching', () => {
  it('writes and reads pages side by side, retries unprocessed keys and items, keeps the asked order', async () => {
    const { client, stats } = fakeClient();
    const store = new DynamoDbRelatedStore(client, 't', undefined, 4);
    const items: IndexItem[] = Array.from({ length: 260 }, (_, i) => ({ pk: `RSIG#a${i}`, sk: 'V', id: `a${i}` }));
    await store.writeItems(items, []);
    expect(stats.peak).toBeLessThanOrEqual(4);
    const keys = [...items].reverse().map((i) => ({ pk: i.pk, sk: i.sk }));
    const read = await store.getItems([...keys, { pk: 'RSIG#missing', sk: 'V' }, keys[0] as { pk: string; sk: string }]);
    expect(read.map((i) => i.id)).toEqual([...items].reverse().map((i) => i.id));
    expect(stats.unprocessedRounds).toBeGreaterThan(1);
    expect(stats.peak).toBeLessThanOrEqual(4);
    expect(store.usage()).toEqual({ itemsRead: 260, itemsWritten: 260 });

    const before = stats.requests;
    await store.addCountersOnce(
      Array.from({ length: 30 }, (_, i) => ({ key: { pk: `TERMDF#t${i}`, sk: 'D' }, attribute: 'df', delta: 1 })),
      { attribute: 'fold', seq: 1 },
    );
    expect(stats.requests - before).toBe(30);
    expect(stats.peak).toBe(4);
  });
});

describe('background slots', () => {
  it('background work takes at most half the slots and yields to waiting foreground work', async () => {
    const limiter = new Limiter(4);
    let background = 0;
    let peakBackground = 0;
    const order: string[] = [];
    const slow = () => new Promise((r) => setTimeout(r, 5));
    const counters = Array.from({ length: 6 }, (_, i) =>
      limiter.run(
        async () => {
          background++;
          peakBackground = Math.max(peakBackground, background);
          order.push(`b${i}`);
          await slow();
          background--;
        },
        { background: true },
      ),
    );
    const reads = Array.from({ length: 4 }, (_, i) => limiter.run(async () => (order.push(`f${i}`), slow())));
    await Promise.all([...counters, ...reads]);
    expect(peakBackground).toBe(2);
    // Two counters started first; every read ran before the counters queued behind them.
    expect(order.slice(0, 6)).toEqual(['b0', 'b1', 'f0', 'f1', 'f2', 'f3']);
  });
});
