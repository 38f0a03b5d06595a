import { frozenCopy } from './in-memory-related-store.js';
import type { CounterUpdate, FoldGuard, IndexItem, IndexKey, IndexUsage, QueryOptions, ReadOptions, RelatedIndexStore } from './related-index-store.js';

/**
 * A read-through, write-through cache over a `RelatedIndexStore` for the articles of one stream
 * batch (docs/related.md, "Stream batches").
 *
 * Neighbouring articles of a batch read the same items again and again: the postings of their
 * common terms, each other's vectors and lists, the document-frequency counters and journal,
 * empty `RHEAD#` partitions. Through the real SDK every read is a request whose serialization,
 * signing and (locally) dynalite cost far more than the work done with it, so within a batch an
 * item or partition read once is answered from here while still exact:
 *
 * - every write goes to the store AND updates what is kept (puts and deletes applied to the
 *   cached items and to the cached query results of the partition), so later reads see it as the
 *   store would; counter updates (`incrementCounters`, `addCountersOnce`, `putIfMatches`) drop
 *   what is kept of their items instead;
 * - a query result is kept as "every item of the partition (and prefix) up to this sort key",
 *   or the whole partition when the store returned fewer items than asked; a later query is
 *   answered from it only when it covers the asked limit;
 * - a read result is kept only when no write to its partition was in flight while it ran (it may
 *   have seen either side of that write);
 * - strongly consistent reads, `RSTATS` and `RDFFOLD` always go to the store (they coordinate
 *   builders: change numbers and fold claims);
 * - any failed store call empties the cache (a failed batch write may have applied some pages).
 *
 * Hand-written because the invariant is the item layout's, not a generic key/value cache's: query
 * results must stay exact under the batch's own writes. What a builder on another shard writes
 * during the batch may be seen only from the next batch on (docs/related.md).
 */
export class BatchCachedStore implements RelatedIndexStore {
  /** Items by key; null when the store is known to hold none. */
  private readonly items = new Map<string, IndexItem | null>();
  /** Query results by partition and sort-key prefix. */
  private readonly views = new Map<string, View>();
  private readonly viewsOfPk = new Map<string, Set<string>>();
  /** Write counter; `touched` holds, per partition, the counter at its last write call or completion. */
  private epoch = 0;
  private readonly touched = new Map<string, number>();
  private readonly writing = new Map<string, number>();
  private readonly counts = { hits: 0, misses: 0 };

  constructor(private readonly inner: RelatedIndexStore) {}

  /** Items and query results answered from the cache, and those that went to the store. */
  cacheUsage(): { hits: number; misses: number } {
    return { ...this.counts };
  }

  /** Forgets everything (after a failure, or when the batch ends). */
  clear(): void {
    this.items.clear();
    this.views.clear();
    this.viewsOfPk.clear();
  }

  async getItems(keys: readonly IndexKey[], options: ReadOptions = {}): Promise<IndexItem[]> {
    if (options.consistent) return this.guard(this.inner.getItems(keys, options));
    const unique = new Map<string, IndexKey>();
    for (const k of keys) unique.set(keyString(k), k);
    // Cached answers are taken now, as the store would answer at the call; only the rest is read.
    const found = new Map<string, IndexItem | null>();
    const missing: IndexKey[] = [];
    for (const [s, k] of unique) {
      const cached = cacheable(k.pk) ? this.items.get(s) : undefined;
      if (cached === undefined) missing.push(k);
      else found.set(s, cached);
    }
    this.counts.hits += found.size;
    this.counts.misses += missing.length;
    const fetched = new Map<string, IndexItem>();
    if (missing.length > 0) {
      const started = this.readStart(missing.map((k) => k.pk));
      const items = await this.guard(this.inner.getItems(missing));
      for (const item of items) fetched.set(keyString(item), item);
      for (const k of missing) {
        if (!cacheable(k.pk) || !this.stillValid(k.pk, started)) continue;
        const s = keyString(k);
        const item = fetched.get(s);
        this.items.set(s, item ? frozen(item) : null);
      }
    }
    const out: IndexItem[] = [];
    for (const s of unique.keys()) {
      const item = found.get(s) ?? fetched.get(s);
      if (item) out.push(item);
    }
    return out;
  }

  async queryItems(pk: string, options: QueryOptions = {}): Promise<IndexItem[]> {
    if (options.consistent || !cacheable(pk)) return this.guard(this.inner.queryItems(pk, options));
    const viewKey = `${pk}\u0000${options.skPrefix ?? ''}`;
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const view = this.views.get(viewKey);
    if (view && (view.complete || view.items.length >= limit)) {
      this.counts.hits += 1;
      return view.items.slice(0, limit);
    }
    this.counts.misses += 1;
    const started = this.readStart([pk]);
    const items = await this.guard(this.inner.queryItems(pk, options));
    if (this.stillValid(pk, started)) {
      this.views.set(viewKey, { prefix: options.skPrefix ?? '', items: items.map((i) => frozen(i)), complete: options.limit === undefined || items.length < options.limit });
      let keys = this.viewsOfPk.get(pk);
      if (!keys) this.viewsOfPk.set(pk, (keys = new Set()));
      keys.add(viewKey);
    }
    return items;
  }

  async writeItems(puts: readonly IndexItem[], deletes: readonly IndexKey[]): Promise<void> {
    const pks = [...new Set([...puts, ...deletes].map((k) => k.pk))];
    // Applied when the write is made, as the in-memory store does: a read issued after this call
    // sees the write (on DynamoDB a read racing a write may see either side, so this is one of them).
    for (const item of puts) this.remember(item.pk, item.sk, frozen(item));
    for (const key of deletes) this.remember(key.pk, key.sk, null);
    await this.writing$(pks, this.inner.writeItems(puts, deletes));
  }

  async incrementCounters(key: IndexKey, deltas: Readonly<Record<string, number>>): Promise<Record<string, number>> {
    this.forget([key]);
    return this.writing$([key.pk], this.inner.incrementCounters(key, deltas));
  }

  async addCountersOnce(updates: readonly CounterUpdate[], guard: FoldGuard): Promise<void> {
    const keys = updates.map((u) => u.key);
    this.forget(keys);
    await this.writing$([...new Set(keys.map((k) => k.pk))], this.inner.addCountersOnce(updates, guard));
  }

  async putIfMatches(item: IndexItem, attribute: string, expected: string | number | undefined): Promise<boolean> {
    this.forget([item]);
    return this.writing$([item.pk], this.inner.putIfMatches(item, attribute, expected));
  }

  /** What the store itself read and wrote (the cache's answers are not billed). */
  usage(): IndexUsage {
    return this.inner.usage();
  }

  private remember(pk: string, sk: string, item: IndexItem | null): void {
    if (!cacheable(pk)) return;
    this.items.set(keyString({ pk, sk }), item);
    for (const viewKey of this.viewsOfPk.get(pk) ?? []) {
      const view = this.views.get(viewKey) as View;
      if (!sk.startsWith(view.prefix)) continue;
      const at = lowerBound(view.items, sk);
      const present = view.items[at]?.sk === sk;
      if (item === null) {
        if (present) view.items.splice(at, 1);
      } else if (present) {
        view.items[at] = item;
      } else if (view.complete || at < view.items.length) {
        // Beyond the last cached sort key of a partial result nothing is known: left out, still exact.
        view.items.splice(at, 0, item);
      }
    }
  }

  private forget(keys: readonly IndexKey[]): void {
    for (const k of keys) {
      this.items.delete(keyString(k));
      for (const viewKey of this.viewsOfPk.get(k.pk) ?? []) this.views.delete(viewKey);
      this.viewsOfPk.delete(k.pk);
    }
  }

  /** Marks partitions written from now until `write` settles; reads overlapping it are not kept. */
  private async writing$<T>(pks: readonly string[], write: Promise<T>): Promise<T> {
    const mark = () => {
      this.epoch++;
      for (const pk of pks) this.touched.set(pk, this.epoch);
    };
    mark();
    for (const pk of pks) this.writing.set(pk, (this.writing.get(pk) ?? 0) + 1);
    try {
      return await this.guard(write);
    } finally {
      for (const pk of pks) {
        const n = (this.writing.get(pk) ?? 1) - 1;
        if (n === 0) this.writing.delete(pk);
        else this.writing.set(pk, n);
      }
      mark();
    }
  }

  /** The write counter when a read starts, or -1 when a write to one of its partitions is in flight. */
  private readStart(pks: readonly string[]): number {
    return pks.some((pk) => this.writing.has(pk)) ? -1 : this.epoch;
  }

  private stillValid(pk: string, started: number): boolean {
    return started >= 0 && (this.touched.get(pk) ?? -1) <= started && !this.writing.has(pk);
  }

  private async guard<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      this.clear();
      throw error;
    }
  }
}

interface View {
  prefix: string;
  /** Sorted by sort key. */
  items: IndexItem[];
  /** The whole partition (with the prefix); otherwise every item up to the last one's sort key. */
  complete: boolean;
}

/** Items that coordinate builders (change numbers, fold claims) are always read from the store. */
const cacheable = (pk: string) => pk !== 'RSTATS' && pk !== 'RDFFOLD';

const keyString = (k: IndexKey) => `${k.pk}\u0000${k.sk}`;

function lowerBound(items: readonly IndexItem[], sk: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as IndexItem).sk < sk) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Cached items are handed to many readers, none of which may change them; the in-memory store's are frozen already. */
function frozen(item: IndexItem): IndexItem {
  return Object.isFrozen(item) ? item : (frozenCopy(item) as IndexItem);
}
