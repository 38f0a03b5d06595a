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
 * Cosine of a vector with a stored one, without decoding it (see `EncodedScorer`, which a caller
 * scoring many stored vectors against one query should prepare once).
 */
export function cosineWithEncoded(vector: TermVector, encoded: string): number {
  return new EncodedScorer(vector).cosine(encoded);
}

const FILTER_BITS = 4096;

/** A cheap signature of a term: its length and first and last character codes, folded into FILTER_BITS. */
function signature(text: string, start: number, end: number): number {
  return ((end - start) * 977 + text.charCodeAt(start) * 31 + text.charCodeAt(end - 1)) & (FILTER_BITS - 1);
}

/**
 * Scores stored vectors ("term term …<tab>weight weight …") against one query vector. Scoring is
 * the inner loop of a search (hundreds of candidates of 40 terms each), so a stored term is cut out
 * and looked up only when its length and first and last characters match some query term: most
 * terms are rejected by one bit test, without allocating a string or hashing it. Weights are parsed
 * only for shared terms. The sum runs over shared terms in stored order, as a decoded dot product.
 */
export class EncodedScorer {
  private readonly filter = new Uint8Array(FILTER_BITS);

  constructor(private readonly vector: TermVector) {
    for (const term of vector.keys()) if (term.length > 0) this.filter[signature(term, 0, term.length)] = 1;
  }

  cosine(encoded: string): number {
    const tab = encoded.indexOf('\t');
    if (tab < 0) return 0;
    let dot = 0;
    let index = 0;
    // Position of the weight of term `weightIndex` in the weights part, advanced lazily.
    let weightIndex = 0;
    let weightStart = tab + 1;
    for (let start = 0; start < tab; index++) {
      let end = encoded.indexOf(' ', start);
      if (end < 0 || end > tab) end = tab;
      if (end > start && this.filter[signature(encoded, start, end)] === 1) {
        const w = this.vector.get(encoded.slice(start, end));
        if (w !== undefined) {
          while (weightIndex < index) {
            weightStart = encoded.indexOf(' ', weightStart) + 1;
            weightIndex++;
          }
          let weightEnd = encoded.indexOf(' ', weightStart);
          if (weightEnd < 0) weightEnd = encoded.length;
          dot += w * Number(encoded.slice(weightStart, weightEnd));
        }
      }
      start = end + 1;
    }
    return Math.min(1, dot);
  }
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
