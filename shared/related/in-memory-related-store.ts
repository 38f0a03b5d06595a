import type { CounterUpdate, FoldGuard, IndexItem, IndexKey, IndexUsage, QueryOptions, RelatedIndexStore } from './related-index-store.js';

interface Partition {
  items: Map<string, IndexItem>;
  /** Sort keys in ascending order, kept sorted on every write so queries never re-sort at archive scale. */
  keys: string[];
  /** The items in `keys` order, so a query is an array slice rather than a lookup per item. */
  ordered: IndexItem[];
}

/**
 * The related index in process memory, for pure tests, the evaluation script and the bench.
 * It keeps the same items as the DynamoDB table and counts reads and writes per item, as DynamoDB does.
 * Stored items are frozen copies: reads hand them out without copying, and a caller that tried to
 * change one in place (which would silently diverge from DynamoDB) fails loudly instead.
 */
export class InMemoryRelatedStore implements RelatedIndexStore {
  private readonly partitions = new Map<string, Partition>();
  private readonly counts: IndexUsage = { itemsRead: 0, itemsWritten: 0 };

  async getItems(keys: readonly IndexKey[]): Promise<IndexItem[]> {
    const out: IndexItem[] = [];
    // Duplicate keys are read once, as the DynamoDB store does (BatchGet rejects duplicates); a stored
    // item is one object per key, so identity tells duplicates apart without building key strings.
    const seen = new Set<IndexItem>();
    for (const key of keys) {
      const item = this.partitions.get(key.pk)?.items.get(key.sk);
      if (item && !seen.has(item)) {
        seen.add(item);
        out.push(item);
      }
    }
    this.counts.itemsRead += out.length;
    return out;
  }

  async queryItems(pk: string, options: QueryOptions = {}): Promise<IndexItem[]> {
    const partition = this.partitions.get(pk);
    if (!partition) return [];
    const { keys, ordered } = partition;
    const from = options.skPrefix ? lowerBound(keys, options.skPrefix) : 0;
    let to = Math.min(keys.length, from + (options.limit ?? keys.length));
    if (options.skPrefix) {
      const prefix = options.skPrefix;
      for (let i = from; i < to; i++) {
        if (!(keys[i] as string).startsWith(prefix)) {
          to = i;
          break;
        }
      }
    }
    const out = ordered.slice(from, to);
    this.counts.itemsRead += out.length;
    return out;
  }

  async writeItems(puts: readonly IndexItem[], deletes: readonly IndexKey[]): Promise<void> {
    for (const item of puts) this.put(frozenCopy(item) as IndexItem);
    for (const key of deletes) {
      const partition = this.partitions.get(key.pk);
      if (!partition?.items.delete(key.sk)) continue;
      const at = lowerBound(partition.keys, key.sk);
      partition.keys.splice(at, 1);
      partition.ordered.splice(at, 1);
      if (partition.items.size === 0) this.partitions.delete(key.pk);
    }
    this.counts.itemsWritten += puts.length + deletes.length;
  }

  async incrementCounters(key: IndexKey, deltas: Readonly<Record<string, number>>): Promise<Record<string, number>> {
    const existing = this.partitions.get(key.pk)?.items.get(key.sk);
    const next: IndexItem = { ...existing, pk: key.pk, sk: key.sk };
    for (const [attribute, delta] of Object.entries(deltas)) next[attribute] = numberOf(existing?.[attribute]) + delta;
    this.put(Object.freeze(next));
    this.counts.itemsWritten += 1;
    return Object.fromEntries(Object.entries(next).filter((e): e is [string, number] => typeof e[1] === 'number'));
  }

  async addCountersOnce(updates: readonly CounterUpdate[], guard: FoldGuard): Promise<void> {
    for (const u of updates) {
      const existing = this.partitions.get(u.key.pk)?.items.get(u.key.sk);
      const applied = existing?.[guard.attribute];
      // A refused conditional update is still billed as a write, as in DynamoDB.
      this.counts.itemsWritten += 1;
      if (typeof applied === 'number' && applied >= guard.seq) continue;
      this.put(Object.freeze({ ...existing, pk: u.key.pk, sk: u.key.sk, [u.attribute]: numberOf(existing?.[u.attribute]) + u.delta, [guard.attribute]: guard.seq }));
    }
  }

  async putIfMatches(item: IndexItem, attribute: string, expected: string | number | undefined): Promise<boolean> {
    const existing = this.partitions.get(item.pk)?.items.get(item.sk);
    this.counts.itemsWritten += 1;
    const ok = expected === undefined ? existing === undefined : existing?.[attribute] === expected;
    if (ok) this.put(frozenCopy(item) as IndexItem);
    return ok;
  }

  usage(): IndexUsage {
    return { ...this.counts };
  }

  /** Every item, sorted by key: lets tests compare two backends' final state. */
  dump(): IndexItem[] {
    const pks = [...this.partitions.keys()].sort();
    return pks.flatMap((pk) => {
      const p = this.partitions.get(pk) as Partition;
      return p.ordered.map((item) => structuredClone(item) as IndexItem);
    });
  }

  private put(item: IndexItem): void {
    let partition = this.partitions.get(item.pk);
    if (!partition) {
      partition = { items: new Map(), keys: [], ordered: [] };
      this.partitions.set(item.pk, partition);
    }
    const at = lowerBound(partition.keys, item.sk);
    if (partition.items.has(item.sk)) partition.ordered[at] = item;
    else {
      partition.keys.splice(at, 0, item.sk);
      partition.ordered.splice(at, 0, item);
    }
    partition.items.set(item.sk, item);
  }
}

const numberOf = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** Deep copy of a JSON-like value, frozen at every level. */
export function frozenCopy(value: unknown): unknown {
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = frozenCopy(v);
    return Object.freeze(out);
  }
  return value;
}

function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
