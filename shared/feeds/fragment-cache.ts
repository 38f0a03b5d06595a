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
 * What a document is: a subscription document (a feed's current entries, a partner feed), which every
 * change to the feed assembles again from the same fragments, or an archive page, written once when
 * sealed and again only when one of its old entries is corrected.
 */
export type FragmentUse = 'current' | 'archive';

/**
 * Bounded by the bytes held (least recently used first out); a miss only costs the render.
 * Two tiers, so that archive pages cannot push out the fragments of subscription documents: a full
 * rebuild at 100,000 stored articles renders 1.6 million fragments for its archive pages, and with one
 * tier those left the changes after it a cache of old entries, re-rendering ≈ 60 of the subscription
 * documents' fragments per change where 1,000 stored articles re-rendered 4 (docs/performance.md).
 * Archive pages use the current tier's fragments without making them recent, and keep theirs in the
 * archive tier (a full rebuild reuses an article's fragments across the archive pages of its feeds);
 * a subscription document takes what it finds there into the current tier.
 * `lru-cache` keeps the order in a linked list: a hand-written LRU over a Map (delete and re-insert on
 * each hit, evict from the front) made V8 skip the Map's deleted slots from its start on every eviction,
 * about 15 µs per miss once full, four times lru-cache's cost under a full rebuild's churn (docs/performance.md).
 */
export class FragmentCache {
  private readonly current: LRUCache<string, Fragment>;
  private readonly archive: LRUCache<string, Fragment> | undefined;
  hits = 0;
  misses = 0;

  /** `archiveBytes` 0: one tier, which archive pages use as subscription documents do. */
  constructor(maxBytes: number, archiveBytes = 0) {
    // lru-cache wants positive sizes; an empty fragment counts as one byte.
    const tier = (bytes: number) => new LRUCache<string, Fragment>({ maxSize: bytes, sizeCalculation: (f) => Math.max(1, f.utf8.byteLength) });
    this.current = tier(maxBytes);
    this.archive = archiveBytes > 0 ? tier(archiveBytes) : undefined;
  }

  /**
   * The fragments of `keys`, in order. Those not held are rendered together by one call of `render`, given
   * their positions in `keys` (a repeated key once) and answering their texts in the same order: rendering
   * several entries in one go costs much less than one at a time (render-feeds.ts).
   */
  getAll(keys: readonly string[], render: (missing: number[]) => string[], use: FragmentUse = 'current'): Fragment[] {
    const found: (Fragment | undefined)[] = keys.map((key) => this.find(key, use));
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
      const tier = use === 'archive' && this.archive ? this.archive : this.current;
      missing.forEach((i, n) => {
        const fragment = fragmentOf(texts[n] as string);
        found[i] = fragment;
        // A fragment larger than the whole bound is returned without being kept (lru-cache refuses it).
        tier.set(keys[i] as string, fragment);
      });
    }
    this.misses += missing.length;
    this.hits += keys.length - missing.length;
    return found.map((fragment, i) => fragment ?? (found[first.get(keys[i] as string) as number] as Fragment));
  }

  private find(key: string, use: FragmentUse): Fragment | undefined {
    if (use === 'archive' && this.archive) return this.current.peek(key) ?? this.archive.get(key);
    const held = this.current.get(key);
    if (held !== undefined || !this.archive) return held;
    const archived = this.archive.get(key);
    if (archived !== undefined) {
      this.archive.delete(key);
      this.current.set(key, archived);
    }
    return archived;
  }

  /** Bytes of the fragments held. */
  get heldBytes(): number {
    return this.current.calculatedSize + (this.archive?.calculatedSize ?? 0);
  }

  /** Bytes held by each tier. */
  get heldByUse(): Record<FragmentUse, number> {
    return { current: this.current.calculatedSize, archive: this.archive?.calculatedSize ?? 0 };
  }

  clear(): void {
    this.current.clear();
    this.archive?.clear();
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
 * Default bound of a builder's fragments (`FRAGMENT_CACHE_MIB`), four fifths for subscription documents:
 * the subscription documents of all 472 feeds of the bench's 100,000-article archive take 204 MiB
 * (10,000 articles: 95 MiB), and a change re-renders whatever of them the cache dropped. The feed
 * builder has 1,024 MiB (docs/performance.md).
 */
export const DEFAULT_FRAGMENT_CACHE_MIB = 320;

/** A fragment cache of `mib` MiB: four fifths for subscription documents, a fifth for archive pages. */
export function fragmentCacheOf(mib: number): FragmentCache {
  const bytes = mib * 2 ** 20;
  const current = Math.floor((bytes * 4) / 5);
  return new FragmentCache(current, bytes - current);
}

/**
 * The cache renderers use when none is given: the runtime gives each builder its own, sized by its
 * configuration (shared/runtime/dependencies.ts); tests and tools rendering a feed use this one.
 */
export const entryFragments = fragmentCacheOf(DEFAULT_FRAGMENT_CACHE_MIB);

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
