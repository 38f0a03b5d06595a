import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  drainDocumentFrequencies,
  foldDocumentFrequencies,
  journalChange,
  JOURNAL_PK,
  STATS_KEY,
} from '../../../shared/related/document-frequency.js';
import { InMemoryRelatedStore } from '../../../shared/related/in-memory-related-store.js';
import type { CounterUpdate, FoldGuard, IndexItem, IndexKey, RelatedIndexStore } from '../../../shared/related/related-index-store.js';
import { DEFAULT_SETTINGS, readEntries } from '../../../shared/related/related-index.js';
import { exampleArticles, harness } from './fixtures.js';

/**
 * A store that fails like a builder crashing mid-fold: the chosen write call throws, and a counter
 * batch is cut after part of its updates were applied (as when a Lambda times out between requests).
 */
class CrashingStore implements RelatedIndexStore {
  /** Write calls left before the next failure; negative: never fail. */
  failIn = -1;
  constructor(readonly inner: InMemoryRelatedStore) {}
  private tick(): boolean {
    if (this.failIn < 0) return false;
    return this.failIn-- === 0;
  }
  getItems(keys: readonly IndexKey[]) {
    return this.inner.getItems(keys);
  }
  queryItems(pk: string, options?: Parameters<RelatedIndexStore['queryItems']>[1]) {
    return this.inner.queryItems(pk, options);
  }
  async writeItems(puts: readonly IndexItem[], deletes: readonly IndexKey[]) {
    if (this.tick()) throw new Error('crash before BatchWrite');
    return this.inner.writeItems(puts, deletes);
  }
  incrementCounters(key: IndexKey, deltas: Readonly<Record<string, number>>) {
    return this.inner.incrementCounters(key, deltas);
  }
  async addCountersOnce(updates: readonly CounterUpdate[], guard: FoldGuard) {
    if (this.tick()) {
      await this.inner.addCountersOnce(updates.slice(0, updates.length >> 1), guard);
      throw new Error('crash halfway through the counters');
    }
    return this.inner.addCountersOnce(updates, guard);
  }
  async putIfMatches(item: IndexItem, attribute: string, expected: string | number | undefined) {
    if (this.tick()) throw new Error('crash before the conditional put');
    return this.inner.putIfMatches(item, attribute, expected);
  }
  usage() {
    return this.inner.usage();
  }
}

const TERMS = ['banjir', 'semarang', 'pemilu', 'harga', 'beras', 'gempa', 'jakarta', 'sekolah'];

const operation = fc.record({
  article: fc.integer({ min: 0, max: 5 }),
  /** Terms of the article after the change; empty means withdrawn. */
  terms: fc.uniqueArray(fc.constantFrom(...TERMS), { maxLength: 5 }),
  /** Folds started side by side after this change (two builders folding at once). */
  folds: fc.integer({ min: 0, max: 2 }),
  /** A write call of this change's folds fails (crash), or none. */
  crashAt: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
});

async function dfCounts(store: InMemoryRelatedStore): Promise<Map<string, number>> {
  const items = await store.getItems(TERMS.map((t) => ({ pk: `TERMDF#${t}`, sk: 'D' })));
  return new Map(items.map((i) => [i.pk.slice('TERMDF#'.length), Number(i.df)]));
}

describe('document-frequency journal and folds', () => {
  test.prop([fc.array(operation, { maxLength: 30 }), fc.integer({ min: 1, max: 4 })], { numRuns: 150 })(
    'counts every published article once per term, whatever folds overlap, repeat or crash',
    async (operations, dfFoldMax) => {
      const inner = new InMemoryRelatedStore();
      const store = new CrashingStore(inner);
      const settings = { dfFoldMax };
      const published = new Map<number, string[]>();
      for (const op of operations) {
        const before = published.get(op.article);
        const after = op.terms.length > 0 ? op.terms : undefined;
        if (!before && !after) continue;
        const added = (after ?? []).filter((t) => !before?.includes(t));
        const removed = (before ?? []).filter((t) => !after?.includes(t));
        const documents = !before ? 1 : !after ? -1 : 0;
        const recorded = await journalChange(inner, { added, removed, documents }, settings);
        await inner.writeItems([recorded.journal], []);
        if (after) published.set(op.article, after);
        else published.delete(op.article);
        store.failIn = op.crashAt ?? -1;
        const folds = Array.from({ length: recorded.foldDue ? Math.max(1, op.folds) : op.folds }, () =>
          foldDocumentFrequencies(store, settings).catch(() => 0),
        );
        await Promise.all(folds);
        store.failIn = -1;
      }
      await drainDocumentFrequencies(inner, settings);

      const expected = new Map<string, number>();
      for (const terms of published.values()) for (const t of terms) expected.set(t, (expected.get(t) ?? 0) + 1);
      const counted = await dfCounts(inner);
      for (const t of TERMS) expect(counted.get(t) ?? 0, t).toBe(expected.get(t) ?? 0);
      const [stats] = await inner.getItems([STATS_KEY]);
      expect(Number(stats?.documents ?? 0)).toBe(published.size);
      expect(await inner.queryItems(JOURNAL_PK)).toEqual([]);
    },
  );

  it('a new article writes one journal item instead of a counter per term; folds write each distinct term once', async () => {
    const h = harness();
    const articles = exampleArticles();
    const before = h.store.usage().itemsWritten;
    const first = articles[0];
    if (!first) throw new Error('no example articles');
    await h.put(first);
    const [journal] = await h.store.queryItems(JOURNAL_PK);
    const entry = (await readEntries(h.store, [first.id])).get(first.id);
    // The journal item carries the article's counted terms; no TERMDF counter was written yet.
    expect(String(journal?.terms).split(' ').sort()).toEqual(entry?.dfTerms.map((t) => `+${t}`).sort());
    expect(await h.store.queryItems(`TERMDF#${entry?.dfTerms[0]}`)).toEqual([]);
    expect(h.store.usage().itemsWritten - before).toBeLessThan(DEFAULT_SETTINGS.dfTerms);
  });

  it('the related builder leaves exact counters after publishing, editing and withdrawing, once folded', async () => {
    const h = harness();
    h.deps.settings = { ...DEFAULT_SETTINGS, dfFoldMax: 4 };
    const articles = exampleArticles();
    for (const a of articles) await h.put(a);
    const edited = articles[3] as (typeof articles)[number];
    await h.put({ ...edited, bodyText: `${edited.bodyText} Gempa mengguncang pesisir selatan Jawa.`, contentHash: 'e'.repeat(64) });
    const everyTerm = new Set([...(await readEntries(h.store, articles.map((a) => a.id))).values()].flatMap((e) => e.dfTerms));
    for (const a of articles.slice(0, 5)) await h.put({ ...a, status: 'withdrawn' });
    await drainDocumentFrequencies(h.store, { dfFoldMax: 4 });

    const entries = [...(await readEntries(h.store, articles.map((a) => a.id))).values()];
    expect(entries).toHaveLength(articles.length - 5);
    const expected = new Map<string, number>();
    for (const e of entries) for (const t of e.dfTerms) expected.set(t, (expected.get(t) ?? 0) + 1);
    const items = await h.store.getItems([...everyTerm].map((t) => ({ pk: `TERMDF#${t}`, sk: 'D' })));
    const counted = new Map(items.map((i) => [i.pk.slice('TERMDF#'.length), Number(i.df)]));
    for (const t of everyTerm) expect(counted.get(t) ?? 0, t).toBe(expected.get(t) ?? 0);
    expect(expected.size).toBeGreaterThan(50);
    const [stats] = await h.store.getItems([STATS_KEY]);
    expect(stats?.documents).toBe(entries.length);
  });
});
