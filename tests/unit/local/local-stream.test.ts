import type { DynamoDBStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocalStream, type StreamJournal } from '../../../cli/local/local-stream.js';
import { InMemoryArticleRepository } from '../../../shared/storage/in-memory-adapters.js';
import { articleIdOfStreamRecord } from '../../../shared/runtime/stream-records.js';
import { makeArticle } from '../../fixtures/articles.js';

/** Markers in a Map, as the DynamoDB journal keeps them in the table. */
class MapJournal implements StreamJournal {
  readonly markers = new Map<string, number>();
  private seq = 0;
  async mark(id: string): Promise<number> {
    this.markers.set(id, ++this.seq);
    return this.seq;
  }
  async pending(): Promise<Map<string, number>> {
    return new Map(this.markers);
  }
  async clear(entries: readonly (readonly [string, number])[]): Promise<void> {
    for (const [id, seq] of entries) if (this.markers.get(id) === seq) this.markers.delete(id);
  }
}

/** A consumer that records each batch of article ids it was given and takes `ms` per batch. */
function recordingConsumer(name: string, ms = 5, fail: (id: string) => boolean = () => false) {
  const batches: string[][] = [];
  return {
    batches,
    consumer: {
      name,
      handler: async (event: DynamoDBStreamEvent) => {
        const ids = event.Records.map((r) => articleIdOfStreamRecord(r) ?? '');
        batches.push(ids);
        await new Promise((resolve) => setTimeout(resolve, ms));
        const failed = event.Records.filter((r) => fail(articleIdOfStreamRecord(r) ?? ''));
        return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })) };
      },
    },
  };
}

describe('the local stream', () => {
  it('builds changes that arrive during a build together in the next one, each change in some batch after it arrived', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 60 }), async (articles) => {
        const related = recordingConsumer('related-builder', 20);
        const feeds = recordingConsumer('feed-builder', 5);
        const journal = new MapJournal();
        const stream = new LocalStream([related.consumer, feeds.consumer], { journal });
        const repository = stream.journaled(new InMemoryArticleRepository());
        // All writes at once, as concurrent API requests make them.
        await Promise.all(articles.map((n, i) => repository.save(makeArticle({ id: `a-${n}`, updatedAt: new Date(Date.UTC(2024, 1, 1, 0, i)).toISOString() }), undefined).catch(() => undefined)));
        await stream.idle();
        const distinct = new Set(articles.map((n) => `a-${n}`));
        // Every changed article reached both consumers, in the same batches, related first.
        expect(new Set(related.batches.flat())).toEqual(distinct);
        expect(feeds.batches).toEqual(related.batches);
        // Coalesced: the first write starts a build of itself; everything that arrived meanwhile is one more build.
        expect(feeds.batches.length).toBeLessThanOrEqual(2);
        for (const batch of feeds.batches) expect(new Set(batch).size).toBe(batch.length);
        // Built changes leave no marker behind.
        expect(journal.markers.size).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  it('keeps the marker of a change a consumer failed on, and builds it again when the next run replays the journal', async () => {
    const journal = new MapJournal();
    const failing = recordingConsumer('feed-builder', 1, (id) => id === 'gagal');
    const first = new LocalStream([failing.consumer], { journal, retries: 1 });
    const repository = first.journaled(new InMemoryArticleRepository());
    await repository.save(makeArticle({ id: 'berhasil' }), undefined);
    await repository.save(makeArticle({ id: 'gagal' }), undefined);
    const [ok, failed] = await first.whenBuilt(['berhasil', 'gagal']);
    expect(ok?.built).toBe(true);
    expect(failed?.built).toBe(false);
    expect([...journal.markers.keys()]).toEqual(['gagal']);

    const healthy = recordingConsumer('feed-builder');
    const next = new LocalStream([healthy.consumer], { journal });
    expect(await next.replay()).toEqual(['gagal']);
    await next.idle();
    expect(healthy.batches).toEqual([['gagal']]);
    expect(journal.markers.size).toBe(0);
  });

  it('records the change before the article is written, so a crash in between still leaves it to build', async () => {
    const journal = new MapJournal();
    const stream = new LocalStream([recordingConsumer('feed-builder').consumer], { journal });
    const crashing = new InMemoryArticleRepository();
    crashing.save = async () => {
      // The process dies here: the write never happens and the stream never runs.
      expect([...journal.markers.keys()]).toEqual(['tulisan']);
      throw new Error('killed');
    };
    await expect(stream.journaled(crashing).save(makeArticle({ id: 'tulisan' }), undefined)).rejects.toThrow('killed');
    expect([...(await journal.pending()).keys()]).toEqual(['tulisan']);
  });

  it('on close, finishes a short build in progress, abandons a long one after the grace period, and says which', async () => {
    const quick = new LocalStream([recordingConsumer('feed-builder', 20).consumer], { journal: new MapJournal() });
    quick.enqueue([['a', 1]]);
    expect(await quick.close(1_000)).toEqual({ inFlight: 'finished', leftPending: 0 });

    const journal = new MapJournal();
    await journal.mark('b');
    const slow = new LocalStream([recordingConsumer('feed-builder', 2_000).consumer], { journal });
    await slow.replay();
    const waiting = slow.whenBuilt(['b']);
    const started = Date.now();
    expect(await slow.close(50)).toEqual({ inFlight: 'abandoned', leftPending: 1 });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await waiting)[0]?.built).toBe(false);
    // The abandoned change keeps its marker for the next start.
    expect([...journal.markers.keys()]).toEqual(['b']);
  });
});
