import type { Article } from '../model/article.js';
import type { IndexItem, IndexKey, RelatedIndexStore } from './related-index-store.js';
import { headlineTerms, termCounts, titleKey, titleNameTerms } from './text-features.js';
import { dfKey, foldDocumentFrequencies, journalChange, pendingDeltas, STATS_KEY, type FoldSettings } from './document-frequency.js';
import { buildVector, cosine, decodeVector, EncodedScorer, encodeVector, strongestTerms, type TermVector } from './term-vector.js';

/**
 * The incremental related index: item layout, indexing and neighbour search.
 *
 * Layout (pk / sk), all under prefixes no other part of Warta uses:
 *   RSTATS          / S                  number of indexed articles, number of counted changes
 *   TERMDF#<term>   / D                  approximate document frequency of a term (folded in batches)
 *   RDFJ            / <seq>              a change's document-frequency deltas waiting to be folded
 *   RDFFOLD         / F                  the fold in progress or last done (see document-frequency.ts)
 *   RIDX#<term>     / <wkey>#<id>        posting of one of an article's strongest terms; wkey sorts strongest first
 *   RSIG#<id>       / V                  the article's compact term vector and the fields a related link needs
 *   RTITLE#<title>  / <id>               exact normalized-title lookup for editorial headlines
 *   RHEAD#<term>    / <id>               an unresolved editorial headline of <id> waiting for an article with <term>
 *   RELATED#<id>    / L                  the article's scored neighbour pool and resolved editorial links
 *   RELATED#<id>    / BY#<other>         <other>'s list mentions <id> (to clean up when <id> is withdrawn)
 *   STORY#<story>   / S                  story members
 */

/** Tuning knobs; the defaults are what docs/related.md reports measurements for. */
export interface RelatedSettings extends FoldSettings {
  /** Related links per article (besides editorial ones beyond k). */
  k: number;
  /** Terms kept in a stored vector. */
  vectorTerms: number;
  /** An article's most frequent terms whose document frequency is read and counted. */
  dfTerms: number;
  /** Strongest terms of an article written as postings. */
  postingTerms: number;
  /** Strongest terms of a query article whose postings are read. */
  queryTerms: number;
  /** Postings read per query term, strongest first. */
  postingsPerTerm: number;
  /** Candidates whose vectors are read and scored exactly. */
  candidates: number;
  /** Scored neighbours kept per article (more than k, so a withdrawal or fan-out can re-rank without a search). */
  poolSize: number;
  /** Lowest cosine a `similar` link may have. */
  minScore: number;
  /** Lowest cosine for `same-story` (near-duplicate or follow-up). */
  storyScore: number;
  /** Largest publication-time gap, in hours, between two reports of the same story. */
  storyWindowHours: number;
  /** Lowest cosine for a follow-up (new facts, same event) whose title shares two terms with the report. */
  followUpScore: number;
  /** Largest gap, in hours, between a report and a follow-up recognised by title. */
  followUpWindowHours: number;
  /** Older neighbours whose lists a new article may enter. */
  fanOut: number;
  /** Lowest cosine for a new article to enter an older neighbour's list. */
  fanOutMinScore: number;
  /** Lowest title similarity (Dice over stemmed terms) for a fuzzy editorial match. */
  editorialMinSimilarity: number;
}

export const DEFAULT_SETTINGS: RelatedSettings = {
  k: 5,
  vectorTerms: 40,
  dfTerms: 80,
  postingTerms: 20,
  queryTerms: 20,
  postingsPerTerm: 100,
  candidates: 200,
  poolSize: 10,
  minScore: 0.08,
  storyScore: 0.45,
  storyWindowHours: 96,
  followUpScore: 0.16,
  followUpWindowHours: 24,
  fanOut: 10,
  fanOutMinScore: 0.15,
  editorialMinSimilarity: 0.6,
  dfFoldMax: 100,
};

/** What the index keeps about one published article (item RSIG#<id>). */
export interface IndexEntry {
  id: string;
  title: string;
  url: string;
  section: string;
  publishedAt: string;
  contentHash: string;
  vector: Map<string, number>;
  /** Distinct stemmed title terms, for fuzzy headline matching. */
  titleTerms: string[];
  /** Title terms the body uses as proper names (see `titleNameTerms`). */
  titleNames: string[];
  /** Terms this article added to TERMDF counters (removed again on withdrawal or edit). */
  dfTerms: string[];
  /** Sort keys of its postings, as "<term> <sk>". */
  postings: string[];
  titleKey: string;
  storyId?: string;
  /** Terms under which its unresolved headlines wait (RHEAD items). */
  pending: string[];
}

/** A scored neighbour as a related list keeps it. */
export interface Neighbour {
  id: string;
  title: string;
  url: string;
  section: string;
  publishedAt: string;
  score: number;
  /** Same event as the list's article (see `isSameStory`); decided when the pair is scored. */
  story: boolean;
}

export { dfKey, STATS_KEY };
export const postingPk = (term: string) => `RIDX#${term}`;
export const entryKey = (id: string): IndexKey => ({ pk: `RSIG#${id}`, sk: 'V' });
export const titlePk = (key: string) => `RTITLE#${key}`;
export const pendingKey = (term: string, id: string): IndexKey => ({ pk: `RHEAD#${term}`, sk: id });

/** Sort key of a posting: 4-digit inverted weight so a Query returns the strongest postings first. */
export function postingSk(weight: number, id: string): string {
  const inverted = 9999 - Math.max(0, Math.min(9999, Math.round(weight * 10_000)));
  return `${String(inverted).padStart(4, '0')}#${id}`;
}

function postingWeight(sk: string): number {
  return (9999 - Number(sk.slice(0, 4))) / 10_000;
}

function postingId(sk: string): string {
  return sk.slice(5);
}

export function entryToItem(e: IndexEntry): IndexItem {
  const item: IndexItem = {
    ...entryKey(e.id),
    id: e.id,
    title: e.title,
    url: e.url,
    section: e.section,
    publishedAt: e.publishedAt,
    contentHash: e.contentHash,
    vector: encodeVector(e.vector),
    titleTerms: e.titleTerms.join(' '),
    titleNames: e.titleNames.join(' '),
    dfTerms: e.dfTerms.join(' '),
    postings: e.postings.join('\n'),
    titleKey: e.titleKey,
    ...(e.storyId ? { storyId: e.storyId } : {}),
    pending: e.pending.join(' '),
  };
  // Empty strings are left out: older DynamoDB emulators reject them, and absent reads back as empty.
  for (const [k, v] of Object.entries(item)) if (v === '') delete item[k];
  return item;
}

const words = (s: unknown) => (typeof s === 'string' && s.length > 0 ? s.split(/[ \n]/) : []);

export function itemToEntry(item: IndexItem): IndexEntry {
  const postings = typeof item.postings === 'string' && item.postings ? item.postings.split('\n') : [];
  return {
    id: String(item.id),
    title: String(item.title),
    url: String(item.url),
    section: String(item.section),
    publishedAt: String(item.publishedAt),
    contentHash: String(item.contentHash),
    vector: decodeVector(String(item.vector ?? '')),
    titleTerms: words(item.titleTerms),
    titleNames: words(item.titleNames),
    dfTerms: words(item.dfTerms),
    postings,
    titleKey: String(item.titleKey),
    ...(typeof item.storyId === 'string' ? { storyId: item.storyId } : {}),
    pending: words(item.pending),
  };
}

/** Index entries by id, one BatchGet. */
export async function readEntries(store: RelatedIndexStore, ids: readonly string[]): Promise<Map<string, IndexEntry>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const items = await store.getItems(unique.map(entryKey));
  return new Map(items.map((i) => [String(i.id), itemToEntry(i)]));
}

function topByCount(counts: ReadonlyMap<string, number>, n: number): string[] {
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([t]) => t);
}

/**
 * Adds or refreshes the index items of a published article and returns its entry.
 * Reads the TERMDF items of its `dfTerms` most frequent terms (and RSTATS); writes its vector,
 * postings, title item and one journal item with its document-frequency changes (see
 * document-frequency.ts). The article's own earlier contribution is taken out of the statistics
 * first, so re-indexing an unchanged article produces the same vector.
 */
export async function indexArticle(
  store: RelatedIndexStore,
  article: Article,
  previous: IndexEntry | undefined,
  settings: RelatedSettings,
): Promise<IndexEntry> {
  const { entry, counted } = await indexArticleItems(store, article, previous, settings);
  await counted;
  return entry;
}

/**
 * `indexArticle` returning as soon as the vector, postings, title and journal items are stored,
 * with a due fold of the document-frequency journal still running in `counted`. Nothing but
 * DF-based headline resolution and the next indexing reads the counters, so the caller searches
 * meanwhile and awaits `counted` before those. `counted` is marked handled: a failure is reported
 * where it is awaited, not as an unhandled rejection while the caller is busy elsewhere.
 */
export async function indexArticleItems(
  store: RelatedIndexStore,
  article: Article,
  previous: IndexEntry | undefined,
  settings: RelatedSettings,
): Promise<{ entry: IndexEntry; counted: Promise<void> }> {
  const { counts } = termCounts(article.title, article.bodyText);
  const dfTerms = topByCount(counts, settings.dfTerms);
  const own = new Set(previous?.dfTerms ?? []);
  const added = dfTerms.filter((t) => !own.has(t));
  const kept = new Set(dfTerms);
  const removed = [...own].filter((t) => !kept.has(t));
  // A change to the counted terms is journaled (counting the document at once); an edit that keeps
  // them reads the statistics instead. Either way one request, side by side with the DF BatchGet.
  const journaled = !previous || added.length > 0 || removed.length > 0;
  const [recorded, read, pending] = await Promise.all([
    journaled ? journalChange(store, { added, removed, documents: previous ? 0 : 1 }, settings) : Promise.resolve(undefined),
    store.getItems([...(journaled ? [] : [STATS_KEY]), ...dfTerms.map((t) => dfKey(t))]),
    pendingDeltas(store, settings),
  ]);
  let documents: number;
  if (recorded) {
    // The statistics after this change include the article itself.
    documents = recorded.documents - 1;
  } else {
    const stats = read.find((i) => i.pk === STATS_KEY.pk);
    documents = Number(stats?.documents ?? 0) - 1;
  }
  documents = Math.max(0, documents);
  const df = new Map<string, number>();
  for (const item of read) {
    if (item.pk === STATS_KEY.pk) continue;
    const term = item.pk.slice('TERMDF#'.length);
    df.set(term, Number(item.df ?? 0));
  }
  for (const t of dfTerms) {
    const count = (df.get(t) ?? 0) + (pending.get(t) ?? 0) - (own.has(t) ? 1 : 0);
    if (count > 0) df.set(t, count);
    else df.delete(t);
  }
  const restricted = new Map(dfTerms.map((t) => [t, counts.get(t) ?? 0]));
  const vector = buildVector(restricted, df, documents, settings.vectorTerms);
  const postings = strongestTerms(vector, settings.postingTerms).map(([t, w]) => `${t} ${postingSk(w, article.id)}`);
  const entry: IndexEntry = {
    id: article.id,
    title: article.title,
    url: article.url,
    section: article.section,
    publishedAt: article.publishedAt,
    contentHash: article.contentHash,
    vector,
    titleTerms: headlineTerms(article.title),
    titleNames: titleNameTerms(article.title, article.bodyText),
    dfTerms,
    postings,
    titleKey: titleKey(article.title),
    ...(previous?.storyId ? { storyId: previous.storyId } : {}),
    pending: previous?.pending ?? [],
  };

  const oldPostings = new Set(previous?.postings ?? []);
  const newPostings = new Set(postings);
  const puts: IndexItem[] = [entryToItem(entry), ...(recorded ? [recorded.journal] : [])];
  const deletes: IndexKey[] = [];
  for (const p of newPostings) if (!oldPostings.has(p)) puts.push(postingItem(p));
  for (const p of oldPostings) if (!newPostings.has(p)) deletes.push(postingKeyOf(p));
  if (previous?.titleKey !== entry.titleKey) {
    puts.push({ pk: titlePk(entry.titleKey), sk: entry.id, id: entry.id });
    if (previous) deletes.push({ pk: titlePk(previous.titleKey), sk: entry.id });
  }
  await store.writeItems(puts, deletes);
  const counted = recorded?.foldDue ? foldDocumentFrequencies(store, settings).then(() => undefined) : Promise.resolve();
  counted.catch(() => undefined);
  return { entry, counted };
}

function postingItem(p: string): IndexItem {
  const key = postingKeyOf(p);
  return { ...key, id: postingId(key.sk), w: postingWeight(key.sk) };
}

function postingKeyOf(p: string): IndexKey {
  const space = p.indexOf(' ');
  return { pk: postingPk(p.slice(0, space)), sk: p.slice(space + 1) };
}

/** Removes every index item of a withdrawn article and its contribution to the statistics. */
export async function unindexArticle(store: RelatedIndexStore, entry: IndexEntry, settings: RelatedSettings): Promise<void> {
  const recorded = await journalChange(store, { added: [], removed: entry.dfTerms, documents: -1 }, settings);
  await store.writeItems(
    [recorded.journal],
    [
      entryKey(entry.id),
      { pk: titlePk(entry.titleKey), sk: entry.id },
      ...entry.postings.map(postingKeyOf),
      ...entry.pending.map((t) => pendingKey(t, entry.id)),
    ],
  );
  if (recorded.foldDue) await foldDocumentFrequencies(store, settings);
}

/** Writes an entry back after a change of its story or pending headlines. */
export async function saveEntry(store: RelatedIndexStore, entry: IndexEntry): Promise<void> {
  await store.writeItems([entryToItem(entry)], []);
}

/** Writes several entries back in one batch (nothing when there are none). */
export async function saveEntries(store: RelatedIndexStore, entries: readonly IndexEntry[]): Promise<void> {
  if (entries.length > 0) await store.writeItems(entries.map(entryToItem), []);
}

/**
 * The nearest indexed articles to `vector`: postings of its `queryTerms` strongest terms give
 * candidates ranked by partial dot product; the best `candidates` are scored exactly on their stored
 * vectors. Bounded: queryTerms × postingsPerTerm postings plus `candidates` vectors.
 */
export async function searchNeighbours(
  store: RelatedIndexStore,
  vector: TermVector,
  exclude: ReadonlySet<string>,
  settings: RelatedSettings,
): Promise<{ neighbours: Neighbour[]; items: Map<string, IndexItem> }> {
  const terms = strongestTerms(vector, settings.queryTerms);
  const pages = await Promise.all(terms.map(([t]) => store.queryItems(postingPk(t), { limit: settings.postingsPerTerm })));
  // Partial dot products in a typed array indexed by first-seen order: the map only hands out slots
  // (small integers), so accumulating allocates nothing per posting.
  const slot = new Map<string, number>();
  const seen: string[] = [];
  const partial = new Float64Array(pages.reduce((n, page) => n + page.length, 0));
  for (let i = 0; i < terms.length; i++) {
    const queryWeight = (terms[i] as [string, number])[1];
    for (const p of pages[i] as IndexItem[]) {
      const id = p.id as string;
      let at = slot.get(id);
      if (at === undefined) {
        at = seen.length;
        slot.set(id, at);
        seen.push(id);
      }
      partial[at] = (partial[at] as number) + queryWeight * (p.w as number);
    }
  }
  const ids = topCandidates(seen, partial.subarray(0, seen.length), exclude, settings.candidates);
  const found = ids.length > 0 ? await store.getItems(ids.map(entryKey)) : [];
  const items = new Map<string, IndexItem>();
  const neighbours: Neighbour[] = [];
  const scorer = new EncodedScorer(vector);
  for (const item of found) {
    // Only the vector is scanned for every candidate; full entries are decoded for the few kept.
    const score = round4(scorer.cosine(String(item.vector ?? '')));
    if (score < settings.minScore) continue;
    const id = String(item.id);
    items.set(id, item);
    neighbours.push({ id, title: String(item.title), url: String(item.url), section: String(item.section), publishedAt: String(item.publishedAt), score, story: false });
  }
  neighbours.sort(byScore);
  return { neighbours, items };
}

/**
 * The `n` ids with the highest scores (ties: smaller id), leaving out `exclude`; every id, in
 * first-seen order, when there are no more than `n`. Only the ids at or above the n-th score are sorted.
 */
function topCandidates(ids: readonly string[], scores: Float64Array, exclude: ReadonlySet<string>, n: number): string[] {
  const keep: number[] = [];
  for (let i = 0; i < ids.length; i++) if (!exclude.has(ids[i] as string)) keep.push(i);
  if (keep.length <= n) return keep.map((i) => ids[i] as string);
  // A typed array sorts numbers natively, without a comparator call per comparison.
  const sorted = Float64Array.from(keep, (i) => scores[i] as number).sort();
  const threshold = sorted[sorted.length - n] as number;
  return keep
    .filter((i) => (scores[i] as number) >= threshold)
    .sort((a, b) => (scores[b] as number) - (scores[a] as number) || ((ids[a] as string) < (ids[b] as string) ? -1 : 1))
    .slice(0, n)
    .map((i) => ids[i] as string);
}

/** Exact nearest neighbours over every entry: the reference the index is measured against. */
export function bruteForceNeighbours(
  entries: Iterable<Pick<IndexEntry, 'id' | 'vector'>>,
  vector: TermVector,
  selfId: string,
  n: number,
  minScore: number,
): { id: string; score: number }[] {
  const out: { id: string; score: number }[] = [];
  for (const e of entries) {
    if (e.id === selfId) continue;
    const score = round4(cosine(vector, e.vector));
    if (score >= minScore) out.push({ id: e.id, score });
  }
  return out.sort(byScore).slice(0, n);
}

export function toNeighbour(e: IndexEntry, score: number, story = false): Neighbour {
  return { id: e.id, title: e.title, url: e.url, section: e.section, publishedAt: e.publishedAt, score, story };
}

/**
 * Whether two articles report the same event: near-duplicates (cosine ≥ storyScore) published
 * within storyWindowHours, or a follow-up that reuses two title terms (place, event) with a lower
 * cosine, within followUpWindowHours, at least one of them a proper name in one of the bodies (a
 * place or a person: "banjir" + "Semarang" is an event, "ruang digital" + "demokrasi" a theme).
 * Symmetric, so both articles' lists and the story agree.
 */
export function isSameStory(
  a: Pick<IndexEntry, 'publishedAt' | 'titleTerms' | 'titleNames'>,
  b: Pick<IndexEntry, 'publishedAt' | 'titleTerms' | 'titleNames'>,
  score: number,
  settings: RelatedSettings,
): boolean {
  const gapHours = Math.abs(Date.parse(a.publishedAt) - Date.parse(b.publishedAt)) / 3_600_000;
  if (gapHours > settings.storyWindowHours) return false;
  if (score >= settings.storyScore) return true;
  if (score < settings.followUpScore || gapHours > settings.followUpWindowHours) return false;
  const other = new Set(b.titleTerms);
  const shared = a.titleTerms.filter((t) => other.has(t) && !/^\d+$/.test(t));
  const names = new Set([...a.titleNames, ...b.titleNames]);
  return shared.length >= 2 && shared.some((t) => names.has(t));
}

export function byScore(a: { id: string; score: number }, b: { id: string; score: number }): number {
  return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** Dice coefficient of two term sets: how alike two titles are, insensitive to word order. */
export function titleSimilarity(a: readonly string[], b: readonly string[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size === 0 || sb.size === 0) return 0;
  let common = 0;
  for (const t of sa) if (sb.has(t)) common++;
  return (2 * common) / (sa.size + sb.size);
}

/** Headline text variants to try: as written, and without a short desk label such as "Tulisdem:". */
function headlineVariants(text: string): string[] {
  const m = /^([^:]{1,40}):\s*(.+)$/.exec(text.trim());
  const variants = [text.trim()];
  if (m && (m[1] ?? '').trim().split(/\s+/).length <= 3 && m[2]) variants.push(m[2]);
  return variants;
}

/**
 * The stored article an editor's headline names, or its rarest terms when none matches well enough.
 * `countersDone` is awaited before the fuzzy step reads document frequencies (the exact-title step
 * does not), so a caller still updating counters need not hold up exact matches.
 */
export async function resolveHeadline(
  store: RelatedIndexStore,
  text: string,
  exclude: ReadonlySet<string>,
  settings: RelatedSettings,
  countersDone: Promise<void> = Promise.resolve(),
): Promise<{ match?: Neighbour; waitTerms: string[] }> {
  const variants = headlineVariants(text);
  for (const v of variants) {
    const hits = await store.queryItems(titlePk(titleKey(v)), { limit: 3 });
    const ids = hits.map((h) => String(h.id)).filter((id) => !exclude.has(id));
    const entries = await readEntries(store, ids);
    const first = ids.map((id) => entries.get(id)).find((e) => e !== undefined);
    if (first) return { match: toNeighbour(first, 1), waitTerms: [] };
  }
  const terms = headlineTerms(variants[variants.length - 1] ?? text);
  if (terms.length === 0) return { waitTerms: [] };
  await countersDone;
  const dfItems = await store.getItems(terms.map((t) => dfKey(t)));
  const df = new Map(dfItems.map((i) => [i.pk.slice('TERMDF#'.length), Number(i.df ?? 0)]));
  // Rare terms have short posting lists, so the article the headline names is near their front.
  const rare = [...terms].sort((a, b) => (df.get(a) ?? 0) - (df.get(b) ?? 0) || (a < b ? -1 : 1)).slice(0, 4);
  const pages = await Promise.all(rare.map((t) => store.queryItems(postingPk(t), { limit: settings.postingsPerTerm })));
  const hits = new Map<string, number>();
  for (const page of pages) for (const p of page) {
    const id = postingId(p.sk);
    if (!exclude.has(id)) hits.set(id, (hits.get(id) ?? 0) + 1);
  }
  const ids = [...hits]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 8)
    .map(([id]) => id);
  let best: Neighbour | undefined;
  for (const e of (await readEntries(store, ids)).values()) {
    const similarity = round4(titleSimilarity(terms, e.titleTerms));
    if (similarity >= settings.editorialMinSimilarity && (!best || similarity > best.score || (similarity === best.score && e.id < best.id))) {
      best = toNeighbour(e, similarity);
    }
  }
  return best ? { match: best, waitTerms: [] } : { waitTerms: rare.slice(0, 3) };
}

/** Whether a headline names an article with these title terms (used when a waited-for article arrives). */
export function headlineMatches(text: string, titleTerms: readonly string[], settings: RelatedSettings): boolean {
  return headlineVariants(text).some((v) => titleSimilarity(headlineTerms(v), titleTerms) >= settings.editorialMinSimilarity);
}
