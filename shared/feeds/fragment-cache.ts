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
 */

/**
 * A rendered fragment as UTF-8 bytes. Documents are assembled from bytes, not strings: a feed document
 * of 50-99 full-text entries is 150-400 KB, and V8 allocates every string above 128 KiB (64 Ki characters
 * of two-byte text, which any curly quote or dash makes it) in its own large-object pages, which cost
 * 1-5 ms of CPU per join on the machine measured, against 0.1-0.5 ms for Buffer.concat of the same bytes; the bytes are also what
 * is uploaded and hashed, so nothing encodes the document again (docs/performance.md).
 */
export interface Fragment {
  utf8: Buffer;
}

export function fragmentOf(text: string): Fragment {
  // Not Buffer.from: small buffers from it are slices of a shared 8 KiB pool, which a cached slice would keep alive.
  const utf8 = Buffer.allocUnsafeSlow(Buffer.byteLength(text, 'utf8'));
  utf8.write(text, 'utf8');
  return { utf8 };
}

/**
 * Bounded by the bytes held (least recently used first out); a miss only costs the render.
 * `lru-cache` keeps the order in a linked list: a hand-written LRU over a Map (delete and re-insert on
 * each hit, evict from the front) made V8 skip the Map's deleted slots from its start on every eviction,
 * about 15 µs per miss once full, four times lru-cache's cost under a full rebuild's churn (docs/performance.md).
 */
export class FragmentCache {
  private readonly fragments: LRUCache<string, Fragment>;
  hits = 0;
  misses = 0;

  constructor(maxBytes: number) {
    // lru-cache wants positive sizes; an empty fragment counts as one byte.
    this.fragments = new LRUCache<string, Fragment>({ maxSize: maxBytes, sizeCalculation: (f) => Math.max(1, f.utf8.byteLength) });
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

  /**
   * The fragments of `keys`, in order. Those not held are rendered together by one call of `render`, given
   * their positions in `keys` (a repeated key once) and answering their texts in the same order: rendering
   * several entries in one go costs much less than one at a time (render-feeds.ts).
   */
  getAll(keys: readonly string[], render: (missing: number[]) => string[]): Fragment[] {
    const found: (Fragment | undefined)[] = keys.map((key) => this.fragments.get(key));
    const missing: number[] = [];
    const first = new Map<string, number>();
    found.forEach((fragment, i) => {
      const key = keys[i] as string;
      if (fragment !== undefined || first.has(key)) return;
      first.set(key, i);
      missing.push(i);
    });
    if (missing.length > 0) {
      const texts = render(missing);
      if (texts.length !== missing.length) throw new Error(`Rendered ${texts.length} fragments for ${missing.length} entries`);
      missing.forEach((i, n) => {
        const fragment = fragmentOf(texts[n] as string);
        found[i] = fragment;
        // A fragment larger than the whole bound is returned without being kept (lru-cache refuses it).
        this.fragments.set(keys[i] as string, fragment);
      });
    }
    this.misses += missing.length;
    this.hits += keys.length - missing.length;
    return found.map((fragment, i) => fragment ?? (found[first.get(keys[i] as string) as number] as Fragment));
  }

  /** Bytes of the fragments held. */
  get heldBytes(): number {
    return this.fragments.calculatedSize;
  }

  clear(): void {
    this.fragments.clear();
  }
}

/**
 * Digest of everything an entry shows (dates as ISO strings); the cache key of its fragments.
 * The article HTML, most of an entry's bytes, is hashed as it is after the JSON of the other fields
 * rather than copied into one JSON string with them: every entry of every document a change renders is
 * digested (≈ 1,300 per change), and those strings, each as large as the article, were half the digest's
 * time and megabytes of garbage per change (docs/performance.md). A JSON text holds no raw line break,
 * so the one after it marks where the HTML starts, and an entry without HTML adds none.
 */
export function entryDigest(entry: FeedEntry): string {
  const { contentHtml, ...rest } = entry;
  const hash = createHash('sha256').update(JSON.stringify(rest));
  if (contentHtml !== undefined) hash.update('\n').update(contentHtml);
  return hash.digest('base64');
}

/**
 * Process-wide cache of the three renderers: 128 MiB of UTF-8, the memory 64 Mi characters of two-byte
 * strings took before (about twice the fragments, since the corpus text is mostly one byte a character).
 * A change at 10,000 stored articles asks for about 1,200 fragments (its feeds, the archive pages it
 * touches, partner feeds); fragments its feeds show but the cache dropped are rendered again
 * (docs/performance.md). The feed and related builders have 1,024 MiB.
 */
export const entryFragments = new FragmentCache(128 * 1024 * 1024);

/** UTF-8 sizes of rendered documents, recorded by the renderers so budget checks need not measure them again. */
const documentBytes = new WeakMap<object, number>();

export function recordBytes<T extends object>(rendered: T, bytes: number): T {
  documentBytes.set(rendered, bytes);
  return rendered;
}

/** One document in the three formats, as text or as UTF-8 bytes. */
export interface FeedDocuments {
  readonly rss: string | Uint8Array;
  readonly atom: string | Uint8Array;
  readonly json: string | Uint8Array;
}

/** The largest of a set of rendered documents in UTF-8 bytes (recorded by `renderFeeds`, else measured). */
export function largestDocument(rendered: FeedDocuments): number {
  const known = documentBytes.get(rendered);
  if (known !== undefined) return known;
  return Math.max(...[rendered.rss, rendered.atom, rendered.json].map((d) => (typeof d === 'string' ? Buffer.byteLength(d, 'utf8') : d.byteLength)));
}
