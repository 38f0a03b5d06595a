import type { IndexItem, IndexKey, RelatedIndexStore } from './related-index-store.js';

/**
 * Document-frequency counters, updated in batches.
 *
 * Counting every term of every change straight into its `TERMDF#<term>` counter cost one UpdateItem
 * per term (about 80 per new article, 77 on average on the labelled corpus): no batch API can ADD.
 * Instead a change appends ONE journal item with its term deltas (in the same BatchWrite as its
 * other index items), and every so often a builder folds the journal into the counters: one
 * UpdateItem per distinct term of the whole batch, so terms shared by the batch's articles are
 * written once. Readers add the journal items not yet folded (one Query of at most `dfFoldMax`
 * small items) to the folded counters, so what they see is the exact count: a lag would matter
 * most where it hurts, between reports of one event arriving close together (docs/related.md,
 * "Document frequency").
 *
 * Layout:
 *   RSTATS   / S      `documents` (exact, ADD per change), `changes` (sequence of journal items)
 *   RDFJ     / <seq>  one change's deltas: `terms` = "+term -term …"
 *   RDFFOLD  / F      the fold in progress or last done: `seq`, `state` = "applying#<seq>" | "done#<seq>",
 *                     while applying also `deltas` ("term delta" lines) and `journal` (its items' sort keys)
 *   TERMDF#t / D      `df`, and `fold`: the last fold applied to it
 *
 * Concurrency and crashes: folds are numbered and run one after another. A fold is claimed by a
 * conditional put of RDFFOLD (only if it still shows the last fold as done), after a strongly
 * consistent read of RDFFOLD and then of the journal, so two claimants cannot both take the same
 * journal items: the second one's condition fails. Applying is idempotent: each counter update
 * is conditional on its `fold` attribute being below the fold's number, so a builder that finds a
 * fold still `applying` (its claimant crashed or is slow) re-applies it safely and finishes it.
 * Journal items are deleted before the fold is marked done, so the next fold never sees them.
 */

export const STATS_KEY: IndexKey = { pk: 'RSTATS', sk: 'S' };
export const JOURNAL_PK = 'RDFJ';
export const FOLD_KEY: IndexKey = { pk: 'RDFFOLD', sk: 'F' };
export const dfKey = (term: string): IndexKey => ({ pk: `TERMDF#${term}`, sk: 'D' });
const FOLD_GUARD = 'fold';

export interface FoldSettings {
  /** A fold is due every `dfFoldMax` changes, and takes at most that many journal items. */
  dfFoldMax: number;
}

export interface JournalChange {
  added: readonly string[];
  removed: readonly string[];
  /** +1 for a newly indexed article, -1 for a withdrawn one, 0 for an edit. */
  documents: number;
}

/**
 * Records one change: `documents` is counted at once (RSTATS stays exact), the term deltas become a
 * journal item for `write` to store with the change's other items. Returns the statistics after the
 * change and whether a fold is due once the journal item is stored.
 */
export async function journalChange(
  store: RelatedIndexStore,
  change: JournalChange,
  settings: FoldSettings,
): Promise<{ documents: number; journal: IndexItem; foldDue: boolean }> {
  const stats = await store.incrementCounters(STATS_KEY, { documents: change.documents, changes: 1 });
  const seq = stats.changes ?? 0;
  const documents = stats.documents ?? 0;
  const terms = [...change.added.map((t) => `+${t}`), ...change.removed.map((t) => `-${t}`)].join(' ');
  return {
    documents,
    // The sequence number is unique (atomic ADD) and sorts in order, so the oldest changes fold first.
    journal: { pk: JOURNAL_PK, sk: String(seq).padStart(12, '0'), ...(terms ? { terms } : {}) },
    foldDue: seq % settings.dfFoldMax === 0,
  };
}

interface Fold {
  seq: number;
  deltas: Map<string, number>;
  journal: string[];
}

function decodeFold(item: IndexItem): Fold {
  const deltas = new Map<string, number>();
  for (const line of typeof item.deltas === 'string' && item.deltas ? item.deltas.split('\n') : []) {
    const space = line.lastIndexOf(' ');
    deltas.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  const journal = typeof item.journal === 'string' && item.journal ? item.journal.split('\n') : [];
  return { seq: Number(item.seq), deltas, journal };
}

/** The journal items not yet folded (at most `dfFoldMax` when folds keep up), summed per term. */
export async function pendingDeltas(store: RelatedIndexStore, settings: FoldSettings): Promise<Map<string, number>> {
  return sumJournal(await store.queryItems(JOURNAL_PK, { limit: settings.dfFoldMax }));
}

/** Sums journal items into per-term deltas, leaving out terms whose changes cancel. */
export function sumJournal(items: readonly IndexItem[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const item of items) {
    if (typeof item.terms !== 'string' || !item.terms) continue;
    for (const signed of item.terms.split(' ')) {
      const term = signed.slice(1);
      sums.set(term, (sums.get(term) ?? 0) + (signed.startsWith('-') ? -1 : 1));
    }
  }
  for (const [term, delta] of sums) if (delta === 0) sums.delete(term);
  return sums;
}

/** Applies a claimed fold (idempotently: see the module comment), deletes its journal items and marks it done. */
async function applyFold(store: RelatedIndexStore, fold: Fold): Promise<void> {
  await store.addCountersOnce(
    [...fold.deltas].map(([term, delta]) => ({ key: dfKey(term), attribute: 'df', delta })),
    { attribute: FOLD_GUARD, seq: fold.seq },
  );
  await store.writeItems([], fold.journal.map((sk) => ({ pk: JOURNAL_PK, sk })));
  await store.putIfMatches({ ...FOLD_KEY, seq: fold.seq, state: `done#${fold.seq}` }, 'state', `applying#${fold.seq}`);
}

/**
 * Folds journal items into the counters: finishes a fold left `applying`, then claims and applies
 * new folds of up to `dfFoldMax` items while the journal is non-empty, at most `rounds` folds.
 * Returns the number of journal items this call folded (0 when another builder holds the claim).
 */
export async function foldDocumentFrequencies(store: RelatedIndexStore, settings: FoldSettings, rounds = 2): Promise<number> {
  let folded = 0;
  for (let round = 0; round < rounds; round++) {
    const [record] = await store.getItems([FOLD_KEY], { consistent: true });
    const state = typeof record?.state === 'string' ? record.state : undefined;
    if (record && state?.startsWith('applying#')) {
      await applyFold(store, decodeFold(record));
      continue;
    }
    const journal = await store.queryItems(JOURNAL_PK, { limit: settings.dfFoldMax, consistent: true });
    if (journal.length === 0) break;
    const seq = (record ? Number(record.seq) : 0) + 1;
    const deltas = sumJournal(journal);
    const claim: IndexItem = {
      ...FOLD_KEY,
      seq,
      state: `applying#${seq}`,
      journal: journal.map((i) => i.sk).join('\n'),
      ...(deltas.size > 0 ? { deltas: [...deltas].map(([t, d]) => `${t} ${d}`).join('\n') } : {}),
    };
    // Another builder claimed the next fold since our read: it takes these items, we stop.
    if (!(await store.putIfMatches(claim, 'state', state))) break;
    await applyFold(store, { seq, deltas, journal: journal.map((i) => i.sk) });
    folded += journal.length;
    if (journal.length < settings.dfFoldMax) break;
  }
  return folded;
}

/** Folds until the journal is empty (tests, `warta rebuild`, and anything that needs exact counters now). */
export async function drainDocumentFrequencies(store: RelatedIndexStore, settings: FoldSettings): Promise<void> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    await foldDocumentFrequencies(store, settings, 100);
    const [record] = await store.getItems([FOLD_KEY], { consistent: true });
    const pending = await store.queryItems(JOURNAL_PK, { limit: 1, consistent: true });
    if (pending.length === 0 && !(typeof record?.state === 'string' && record.state.startsWith('applying#'))) return;
  }
  throw new Error('document-frequency journal did not drain');
}
