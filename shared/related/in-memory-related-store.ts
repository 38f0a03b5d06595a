import type { CounterUpdate, IndexItem, IndexKey, IndexUsage, QueryOptions, RelatedIndexStore } from './related-index-store.js';

/**
 * The related index in process memory, for pure tests, the evaluation script and the bench.
 * It keeps the same items as the DynamoDB table and counts reads and writes per item, as DynamoDB does.
 */
export class InMemoryRelatedStore implements RelatedIndexStore {
  private readonly partitions = new Map<string, Map<string, IndexItem>>();
  /** Sorted sort keys per partition, rebuilt lazily after writes so queries stay cheap at archive scale. */
  private readonly sortedKeys = new Map<string, string[]>();
  private readonly counts: IndexUsage = { itemsRead: 0, itemsWritten: 0 };

  async getItems(keys: readonly IndexKey[]): Promise<IndexItem[]> {
    const out: IndexItem[] = [];
    // Duplicate keys are read once, as the DynamoDB store does (BatchGet rejects duplicates).
    const unique = new Map(keys.map((k) => [`${k.pk}\u0000${k.sk}`, k]));
    for (const key of unique.values()) {
      const item = this.partitions.get(key.pk)?.get(key.sk);
      if (item) out.push(structuredClone(item));
    }
    this.counts.itemsRead += out.length;
    return out;
  }

  async queryItems(pk: string, options: QueryOptions = {}): Promise<IndexItem[]> {
    const partition = this.partitions.get(pk);
    if (!partition) return [];
    let keys = this.sortedKeys.get(pk);
    if (!keys) {
      keys = [...partition.keys()].sort();
      this.sortedKeys.set(pk, keys);
    }
    const out: IndexItem[] = [];
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    for (let i = options.skPrefix ? lowerBound(keys, options.skPrefix) : 0; i < keys.length && out.length < limit; i++) {
      const sk = keys[i] as string;
      if (options.skPrefix && !sk.startsWith(options.skPrefix)) break;
      out.push(structuredClone(partition.get(sk) as IndexItem));
    }
    this.counts.itemsRead += out.length;
    return out;
  }

  async writeItems(puts: readonly IndexItem[], deletes: readonly IndexKey[]): Promise<void> {
    for (const item of puts) {
      let partition = this.partitions.get(item.pk);
      if (!partition) {
        partition = new Map();
        this.partitions.set(item.pk, partition);
      }
      if (!partition.has(item.sk)) this.sortedKeys.delete(item.pk);
      partition.set(item.sk, structuredClone(item));
    }
    for (const key of deletes) {
      const partition = this.partitions.get(key.pk);
      if (partition?.delete(key.sk)) {
        this.sortedKeys.delete(key.pk);
        if (partition.size === 0) this.partitions.delete(key.pk);
      }
    }
    this.counts.itemsWritten += puts.length + deletes.length;
  }

  async addCounters(updates: readonly CounterUpdate[]): Promise<void> {
    for (const u of updates) {
      const existing = this.partitions.get(u.key.pk)?.get(u.key.sk);
      const current = typeof existing?.[u.attribute] === 'number' ? (existing[u.attribute] as number) : 0;
      await this.writeItems([{ ...existing, ...u.key, [u.attribute]: current + u.delta }], []);
      this.counts.itemsWritten -= 1;
    }
    this.counts.itemsWritten += updates.length;
  }

  usage(): IndexUsage {
    return { ...this.counts };
  }

  /** Every item, sorted by key: lets tests compare two backends' final state. */
  dump(): IndexItem[] {
    const all: IndexItem[] = [];
    for (const partition of this.partitions.values()) all.push(...partition.values());
    return all.sort((a, b) => (a.pk === b.pk ? cmp(a.sk, b.sk) : cmp(a.pk, b.pk))).map((i) => structuredClone(i));
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
