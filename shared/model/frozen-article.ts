import type { Article } from './article.js';

/**
 * Articles frozen to be shared between callers (the repositories' article caches hand the same object to
 * every feed that lists it). A shared article can never change, so what is derived from it alone (its
 * feed paths, its feed entries and their digests) may be remembered by the object's identity: a change
 * at 100,000 stored articles renders ≈ 440 entries, and deriving them again from articles that did not
 * change was about a fifth of its CPU (docs/performance.md). `Object.isFrozen` is not enough to tell: it says
 * nothing of the arrays and objects inside, which only this function freezes too.
 */
const shared = new WeakSet<object>();

/** Freezes `article` and everything in it, and records it as shared; returns it. */
export function freezeArticle(article: Article): Article {
  deepFreeze(article);
  shared.add(article);
  return article;
}

/** Whether `value` was frozen whole by freezeArticle, so values derived from it alone may be remembered by its identity. */
export function isFrozenArticle(value: object): boolean {
  return shared.has(value);
}

/**
 * A value derived from a shared article, remembered by the article's identity (and `variant`, for
 * derivations that take options); computed each time for any other article. Remembered values go with
 * their article when the cache lets it go.
 */
export function derivedFrom<T>(memo: WeakMap<object, Map<string, T>>, article: object, variant: string, derive: () => T): T {
  if (!shared.has(article)) return derive();
  let variants = memo.get(article);
  if (variants === undefined) {
    variants = new Map();
    memo.set(article, variants);
  }
  let value = variants.get(variant);
  if (value === undefined) {
    value = derive();
    variants.set(variant, value);
  }
  return value;
}

function deepFreeze(value: unknown): void {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
}
