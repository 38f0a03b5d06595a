import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { FeedEntry } from './feed-entry.js';

/**
 * Rendered entry fragments (one `<item>`, `<entry>` or JSON Feed item), reused across feed
 * documents and builds. An article sits in several feeds (latest, its section, tags, authors,
 * partner feeds) and stays in them for many builds, yet only a changed article's fragment differs:
 * re-serializing every entry of every touched feed on each change was most of a build's CPU
 * (docs/performance.md). A fragment is a pure function of its FeedEntry and format, so the key is
 * a digest of the whole entry: nothing a caller says about the article (version, content hash)
 * is trusted, and any change to what the entry shows is a different key.
 *
 * Bounded by the characters held (least recently used first out); a miss only costs the render.
 * `lru-cache` keeps the order in a linked list: a hand-written LRU over a Map (delete and re-insert on
 * each hit, evict from the front) made V8 skip the Map's deleted slots from its start on every eviction,
 * about 15 µs per miss once full, a third of the cache's time in a full rebuild (docs/performance.md).
 */
/** A rendered fragment and its length in UTF-8 bytes (so a document's size is a sum, not a pass over it). */
export interface Fragment {
  text: string;
  bytes: number;
}

export function fragmentOf(text: string): Fragment {
  return { text, bytes: Buffer.byteLength(text, 'utf8') };
}

export class FragmentCache {
  private readonly fragments: LRUCache<string, Fragment>;
  hits = 0;
  misses = 0;

  constructor(maxChars: number) {
    // lru-cache wants positive sizes; an empty fragment counts as one character.
    this.fragments = new LRUCache<string, Fragment>({ maxSize: maxChars, sizeCalculation: (f) => Math.max(1, f.text.length) });
  }

  get(key: string, render: () => string): Fragment {
    const cached = this.fragments.get(key);
    if (cached !== undefined) {
      this.hits += 1;
      return cached;
    }
    this.misses += 1;
    const fragment = fragmentOf(render());
    // A fragment larger than the whole bound is returned without being kept (lru-cache refuses it).
    this.fragments.set(key, fragment);
    return fragment;
  }

  /** Characters of the fragments held. */
  get heldCharacters(): number {
    return this.fragments.calculatedSize;
  }

  clear(): void {
    this.fragments.clear();
  }
}

/** Digest of everything an entry shows (dates as ISO strings); the cache key of its fragments. */
export function entryDigest(entry: FeedEntry): string {
  return createHash('sha256').update(JSON.stringify(entry)).digest('base64');
}

/**
 * Process-wide cache of the three renderers: 64 Mi characters, at most 128 MiB even for text V8 holds in
 * two bytes a character. A change at 10,000 stored articles asks for about 1,200 fragments (its feeds,
 * the archive pages it touches, partner feeds); with 16 Mi characters half of them had been dropped since
 * (CPU per change 233 ms), with room for all of them 4 are rendered (135 ms) (docs/performance.md).
 * The feed and related builders have 1,024 MiB.
 */
export const entryFragments = new FragmentCache(64 * 1024 * 1024);

/** UTF-8 sizes of rendered documents, recorded by the renderers so budget checks need not measure them again. */
const documentBytes = new WeakMap<object, number>();

export function recordBytes<T extends object>(rendered: T, bytes: number): T {
  documentBytes.set(rendered, bytes);
  return rendered;
}

/** The largest of a set of rendered documents in UTF-8 bytes (recorded by `renderFeeds`, else measured). */
export function largestDocument(rendered: { readonly rss: string; readonly atom: string; readonly json: string }): number {
  const known = documentBytes.get(rendered);
  if (known !== undefined) return known;
  return Math.max(...[rendered.rss, rendered.atom, rendered.json].map((text) => Buffer.byteLength(text, 'utf8')));
}
