/**
 * Compact TF-IDF term vectors: at most a few dozen terms, L2-normalized, stored as one string
 * ("term:weight term:weight …") so a vector item stays well under the 1 KB DynamoDB read unit.
 */

export type TermVector = ReadonlyMap<string, number>;

/** Inverse document frequency, smoothed so a term never seen before gets the largest value. */
export function idf(documentFrequency: number, documents: number): number {
  return Math.log((documents + 1) / (documentFrequency + 1)) + 1;
}

/**
 * Sublinear TF × IDF of the `size` strongest terms, L2-normalized.
 * Terms without a known document frequency are treated as new (df 0).
 */
export function buildVector(
  counts: ReadonlyMap<string, number>,
  documentFrequency: ReadonlyMap<string, number>,
  documents: number,
  size: number,
): Map<string, number> {
  const weighted: [string, number][] = [];
  for (const [term, count] of counts) {
    weighted.push([term, (1 + Math.log(count)) * idf(documentFrequency.get(term) ?? 0, documents)]);
  }
  weighted.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const top = weighted.slice(0, size);
  const norm = Math.sqrt(top.reduce((s, [, w]) => s + w * w, 0)) || 1;
  // Rounded so that a stored and re-read vector compares equal (idempotent rewrites).
  return new Map(top.map(([t, w]) => [t, Math.round((w / norm) * 10_000) / 10_000]));
}

/** Cosine of two normalized vectors. */
export function cosine(a: TermVector, b: TermVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [term, w] of small) {
    const v = large.get(term);
    if (v !== undefined) dot += w * v;
  }
  return Math.min(1, dot);
}

/** Vector → stored string. */
export function encodeVector(vector: TermVector): string {
  return [...vector].map(([t, w]) => `${t}:${w}`).join(' ');
}

/** Stored string → vector. */
export function decodeVector(encoded: string): Map<string, number> {
  const out = new Map<string, number>();
  if (!encoded) return out;
  for (const part of encoded.split(' ')) {
    const i = part.lastIndexOf(':');
    out.set(part.slice(0, i), Number(part.slice(i + 1)));
  }
  return out;
}

/** Terms by descending weight. */
export function strongestTerms(vector: TermVector, n: number): [string, number][] {
  return [...vector].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}
