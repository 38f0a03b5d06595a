import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFeedDirectory } from '../../../shared/storage/dynamodb-feed-directory.js';
import { startTestStack, TEST_TABLE, type TestStack } from '../../support/local-stack.js';

/**
 * The feed directory store on dynalite: `feeds()` reads every record only when a feed joined, left or was
 * renamed since the store last read them, and two stores (two builders in their own processes) always
 * list what the table holds.
 */
describe('feed directory store (dynalite)', () => {
  let t: TestStack;
  const commands: string[] = [];
  beforeAll(async () => {
    t = await startTestStack();
    t.stack.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const clear = async (store: DynamoDbFeedDirectory) => {
    for (const record of await store.all()) await store.delete(record.path);
  };
  const queriesDuring = async <T>(work: () => Promise<T>): Promise<{ value: T; queries: number }> => {
    const before = commands.length;
    const value = await work();
    return { value, queries: commands.slice(before).filter((c) => c === 'QueryCommand').length };
  };

  it('reads the whole directory again only after a feed joins, leaves or is renamed, not when its newest article moves', async () => {
    const store = new DynamoDbFeedDirectory(t.deps.documentClient, TEST_TABLE);
    await clear(store);
    await store.put({ path: 'latest', name: '', newest: '2024-02-07T01:00:00.000Z#a' });
    await store.put({ path: 'tag/banjir', name: 'Banjir', newest: '2024-02-07T01:00:00.000Z#a' });

    const first = await queriesDuring(() => store.feeds());
    expect(first.value).toEqual([
      { path: 'latest', name: '' },
      { path: 'tag/banjir', name: 'Banjir' },
    ]);
    expect(first.queries).toBe(1);
    // A newer article in the same feeds, spelled the same: one counter read, no Query.
    await store.put({ path: 'tag/banjir', name: 'Banjir', newest: '2024-02-07T02:00:00.000Z#b' });
    expect(await queriesDuring(() => store.feeds())).toEqual({ value: first.value, queries: 0 });
    // A new feed, a renamed one, a removed one: each is listed at once.
    await store.put({ path: 'section/metro', name: 'Metro', newest: '2024-02-07T03:00:00.000Z#c' });
    expect((await store.feeds()).map((f) => f.path)).toEqual(['latest', 'section/metro', 'tag/banjir']);
    await store.put({ path: 'tag/banjir', name: 'BANJIR', newest: '2024-02-07T04:00:00.000Z#d' });
    expect((await store.feeds()).find((f) => f.path === 'tag/banjir')?.name).toBe('BANJIR');
    await store.delete('section/metro');
    expect((await store.feeds()).map((f) => f.path)).toEqual(['latest', 'tag/banjir']);
    // Records of named feeds only, whichever exist.
    const got = await store.get(['tag/banjir', 'tag/tidak-ada']);
    expect([...got.values()]).toEqual([{ path: 'tag/banjir', name: 'BANJIR', newest: '2024-02-07T04:00:00.000Z#d' }]);
  });

  it('two stores writing in any order always list exactly what the table holds', async () => {
    const paths = ['latest', 'section/metro', 'tag/banjir', 'tag/jakarta', 'author/rina'];
    const operation = fc.record({
      store: fc.integer({ min: 0, max: 1 }),
      kind: fc.constantFrom('put', 'force', 'delete', 'read'),
      path: fc.constantFrom(...paths),
      name: fc.constantFrom('A', 'B'),
      hour: fc.integer({ min: 0, max: 23 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 12 }), async (operations) => {
        const stores = [new DynamoDbFeedDirectory(t.deps.documentClient, TEST_TABLE), new DynamoDbFeedDirectory(t.deps.documentClient, TEST_TABLE)] as const;
        await clear(stores[0]);
        for (const op of operations) {
          const store = stores[op.store] as DynamoDbFeedDirectory;
          const newest = `2024-02-07T${String(op.hour).padStart(2, '0')}:00:00.000Z#x`;
          if (op.kind === 'put' || op.kind === 'force') await store.put({ path: op.path, name: op.name, newest }, op.kind === 'force');
          else if (op.kind === 'delete') await store.delete(op.path);
          else await store.feeds();
          const truth = (await stores[0].all()).map(({ path, name }) => ({ path, name }));
          expect(await stores[0].feeds()).toEqual(truth);
          expect(await stores[1].feeds()).toEqual(truth);
        }
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('trusts a list it read for at most five minutes, so a count lost to a crash heals', async () => {
    let now = Date.parse('2024-02-07T05:00:00Z');
    const reader = new DynamoDbFeedDirectory(t.deps.documentClient, TEST_TABLE, () => now);
    await clear(reader);
    await reader.put({ path: 'latest', name: '', newest: '2024-02-07T01:00:00.000Z#a' });
    expect((await reader.feeds()).map((f) => f.path)).toEqual(['latest']);

    // A builder writes a new feed's record, then dies before counting it (its counter update fails).
    const failing = new DynamoDbFeedDirectory(
      new Proxy(t.deps.documentClient, {
        get(target, property, receiver) {
          if (property !== 'send') return Reflect.get(target, property, receiver);
          return (command: unknown) => (command instanceof UpdateCommand ? Promise.reject(new Error('process killed')) : target.send(command as never));
        },
      }),
      TEST_TABLE,
    );
    await expect(failing.put({ path: 'tag/banjir', name: 'Banjir', newest: '2024-02-07T02:00:00.000Z#b' })).rejects.toThrow(/feed directory counter/);
    expect((await reader.get(['tag/banjir'])).size).toBe(1);

    expect((await reader.feeds()).map((f) => f.path)).toEqual(['latest']);
    now += 5 * 60_000;
    expect((await reader.feeds()).map((f) => f.path)).toEqual(['latest', 'tag/banjir']);
  });
});
