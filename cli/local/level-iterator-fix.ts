import { createRequire } from 'node:module';

/**
 * Works around a leak in dynalite 4.0.0 (the embedded DynamoDB): every Query and Scan opens a
 * LevelDB iterator through a stream whose destroy() calls `iterator.return()` to release it, but
 * abstract-level 3 iterators have no `return()` (they have `close()`), so none is ever closed.
 * Each stays in ClassicLevel's open-resources set, with its native snapshot, until the database
 * closes: 13,271 of them and a 440 MB heap after 1,200 articles. Giving the iterators a `return()`
 * that closes them makes dynalite's own cleanup work; both the on-disk (classic-level) and the
 * in-memory (memory-level) database use these classes. Remove once dynalite closes its iterators.
 */
export function closeDynaliteIterators(): void {
  // Resolved from dynalite's own folder, so the patched classes are the ones dynalite's level uses.
  const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { AbstractIterator, AbstractKeyIterator, AbstractValueIterator } = requireFromDynalite('abstract-level') as Record<string, { prototype: object }>;
  for (const iteratorClass of [AbstractIterator, AbstractKeyIterator, AbstractValueIterator]) {
    const common = Object.getPrototypeOf(iteratorClass?.prototype) as { return?: unknown; close?: () => Promise<void> } | null;
    if (!common || typeof common.close !== 'function' || 'return' in common) continue;
    Object.defineProperty(common, 'return', {
      configurable: true,
      writable: true,
      value: async function (this: { close(): Promise<void> }) {
        await this.close();
        return { done: true, value: undefined };
      },
    });
  }
}
