import type { RelatedLink } from '../feeds/feed-entry.js';

/**
 * The related index is a set of small items in the shared single table (see docs/related.md for
 * the layout). The port speaks in those items so that every backend holds the same layout and the
 * in-memory backend can count reads and writes exactly as DynamoDB would bill them.
 */

export interface IndexKey {
  pk: string;
  sk: string;
}

export type IndexItem = IndexKey & Record<string, unknown>;

export interface QueryOptions {
  /** Only items whose sort key starts with this. */
  skPrefix?: string;
  /** At most this many items, in ascending sort-key order. */
  limit?: number;
  /** Strongly consistent read (the document-frequency fold needs one; everything else tolerates eventual reads). */
  consistent?: boolean;
}

export interface ReadOptions {
  /** Strongly consistent read. */
  consistent?: boolean;
}

/** Counter additions applied at most once per fold: see `addCountersOnce`. */
export interface FoldGuard {
  /** Attribute of each counter item recording the last fold applied to it. */
  attribute: string;
  /** Sequence number of this fold; folds are numbered upwards. */
  seq: number;
}

/** One numeric attribute to add to (creating the item when missing), as DynamoDB `ADD` does. */
export interface CounterUpdate {
  key: IndexKey;
  attribute: string;
  delta: number;
}

/** Items read and written so far; each returned or written item counts once. */
export interface IndexUsage {
  itemsRead: number;
  itemsWritten: number;
}

export interface RelatedIndexStore {
  /** Items by key (BatchGet); missing ones left out, order not guaranteed. */
  getItems(keys: readonly IndexKey[], options?: ReadOptions): Promise<IndexItem[]>;
  /** Items of one partition key in ascending sort-key order (Query). */
  queryItems(pk: string, options?: QueryOptions): Promise<IndexItem[]>;
  /** Puts and deletes (BatchWrite); a key must not appear twice. */
  writeItems(puts: readonly IndexItem[], deletes: readonly IndexKey[]): Promise<void>;
  /**
   * Atomic additions to several numeric attributes of one item (one UpdateItem ADD, creating the
   * item when missing); returns the item's numeric attributes after the update.
   */
  incrementCounters(key: IndexKey, deltas: Readonly<Record<string, number>>): Promise<Record<string, number>>;
  /**
   * Counter additions (UpdateItem ADD, one item each) that skip any item whose `guard.attribute` is
   * already at or beyond `guard.seq`, and set it to `guard.seq` otherwise: re-applying a fold after a
   * crash, or two builders applying the same fold, adds each counter's delta exactly once.
   */
  addCountersOnce(updates: readonly CounterUpdate[], guard: FoldGuard): Promise<void>;
  /**
   * Puts `item` only if the stored item's `attribute` equals `expected` (undefined: only if no item
   * is stored under that key). Returns whether it was written; a refused put is not an error.
   */
  putIfMatches(item: IndexItem, attribute: string, expected: string | number | undefined): Promise<boolean>;
  /** Running totals, for the cost figures in docs/related.md and the bound checks in tests. */
  usage(): IndexUsage;
}

/** A related link as feed entries and partner documents carry it (defined once, by the feed renderer). */
export type { RelatedLink };

/** Reads stored related lists for feed and partner rendering. */
export interface RelatedLinksReader {
  /** Related links of each asked article that has a stored list; others are left out of the map. */
  relatedLinks(articleIds: readonly string[]): Promise<Map<string, RelatedLink[]>>;
}
