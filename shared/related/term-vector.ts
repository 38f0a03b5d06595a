/**
 * Compact TF-IDF term vectors: at most a few dozen terms, L2-normalized, stored as one string
 * ("term term …<tab>weight weight …") so a vector item stays well under the 1 KB DynamoDB read unit.
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

/**
 * Cosine of a vector with a stored one, without decoding it: the term list is split once and only
 * the weights of shared terms are parsed, which keeps scoring a hundred candidates cheap.
 */
export function cosineWithEncoded(vector: TermVector, encoded: string): number {
  const tab = encoded.indexOf('\t');
  if (tab < 0) return 0;
  const terms = encoded.slice(0, tab).split(' ');
  let weights: string[] | undefined;
  let dot = 0;
  for (let i = 0; i < terms.length; i++) {
    const w = vector.get(terms[i] as string);
    if (w === undefined) continue;
    weights ??= encoded.slice(tab + 1).split(' ');
    dot += w * Number(weights[i]);
  }
  return Math.min(1, dot);
}

/** Vector → stored string: the terms, a tab, then their weights in the same order. */
export function encodeVector(vector: TermVector): string {
  return `${[...vector.keys()].join(' ')}\t${[...vector.values()].join(' ')}`;
}

/** Stored string → vector. */
export function decodeVector(encoded: string): Map<string, number> {
  const out = new Map<string, number>();
  const tab = encoded.indexOf('\t');
  if (tab < 0) return out;
  const terms = encoded.slice(0, tab).split(' ');
  const weights = encoded.slice(tab + 1).split(' ');
  terms.forEach((t, i) => out.set(t, Number(weights[i])));
  return out;
}

/** Terms by descending weight. */
export function strongestTerms(vector: TermVector, n: number): [string, number][] {
  return [...vector].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}
