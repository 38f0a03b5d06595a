import type { IndexItem, IndexKey, RelatedIndexStore, RelatedLink } from './related-index-store.js';
import { byScore, type Neighbour, type RelatedSettings } from './related-index.js';

/**
 * Stored related lists (RELATED#<id> / L), their reverse references (RELATED#<id> / BY#<other>)
 * and the public document related/<id>.json rendered from them.
 */

export type RelatedReason = 'editorial' | 'same-story' | 'similar';

/** An editor's headline and, when resolved, the stored article it names. */
export interface EditorialLink {
  text: string;
  url?: string;
  match?: Neighbour;
}

export interface RelatedList {
  id: string;
  publishedAt: string;
  section: string;
  /** Scored neighbours, best first, at most `poolSize`. */
  pool: Neighbour[];
  editorial: EditorialLink[];
}

/** One entry of related/<id>.json; an unresolved editorial headline has neither id nor score. */
export interface RelatedDocumentEntry {
  id?: string;
  title: string;
  url?: string;
  score?: number;
  reason: RelatedReason;
}

export const RELATED_CONTENT_TYPE = 'application/json; charset=utf-8';
export const RELATED_CACHE_CONTROL = 'public, max-age=300';

export const relatedKey = (id: string): IndexKey => ({ pk: `RELATED#${id}`, sk: 'L' });
export const referrerKey = (target: string, referrer: string): IndexKey => ({ pk: `RELATED#${target}`, sk: `BY#${referrer}` });
export const relatedObjectKey = (id: string) => `related/${id}.json`;

function listToItem(list: RelatedList): IndexItem {
  return { ...relatedKey(list.id), id: list.id, publishedAt: list.publishedAt, section: list.section, pool: list.pool, editorial: list.editorial };
}

function itemToList(item: IndexItem): RelatedList {
  return {
    id: String(item.id),
    publishedAt: String(item.publishedAt),
    section: String(item.section),
    pool: (item.pool as Neighbour[] | undefined) ?? [],
    editorial: (item.editorial as EditorialLink[] | undefined) ?? [],
  };
}

/** Stored lists by id (one BatchGet). */
export async function readLists(store: RelatedIndexStore, ids: readonly string[]): Promise<Map<string, RelatedList>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const items = await store.getItems(unique.map(relatedKey));
  return new Map(items.map((i) => [String(i.id), itemToList(i)]));
}

/** Ids a list links to; each gets a BY# item so a withdrawal can find the lists that mention it. */
function targets(list: RelatedList | undefined): Set<string> {
  const ids = new Set<string>();
  for (const n of list?.pool ?? []) ids.add(n.id);
  for (const e of list?.editorial ?? []) if (e.match) ids.add(e.match.id);
  return ids;
}

/** Writes a list and its reverse references when it differs from `previous`; says whether it did. */
export async function saveList(store: RelatedIndexStore, list: RelatedList, previous: RelatedList | undefined): Promise<boolean> {
  const [changed] = await saveLists(store, [{ list, previous }]);
  return changed as boolean;
}

/**
 * `saveList` for several different lists in one batch write (one request per 25 items instead of
 * one per list); says for each whether it changed.
 */
export async function saveLists(
  store: RelatedIndexStore,
  changes: readonly { list: RelatedList; previous: RelatedList | undefined }[],
): Promise<boolean[]> {
  const puts: IndexItem[] = [];
  const deletes: IndexKey[] = [];
  const changed = changes.map(({ list, previous }) => {
    if (previous && canonicalJson(listToItem(previous)) === canonicalJson(listToItem(list))) return false;
    const before = targets(previous);
    const after = targets(list);
    puts.push(listToItem(list));
    for (const t of after) if (!before.has(t)) puts.push({ ...referrerKey(t, list.id), id: list.id });
    for (const t of before) if (!after.has(t)) deletes.push(referrerKey(t, list.id));
    return true;
  });
  if (puts.length + deletes.length > 0) await store.writeItems(puts, deletes);
  return changed;
}

/** Deletes a list, its outgoing reverse references and the BY# items pointing at it. */
export async function deleteList(store: RelatedIndexStore, list: RelatedList | undefined, id: string, referrers: readonly string[]): Promise<void> {
  await store.writeItems(
    [],
    [
      relatedKey(id),
      ...[...targets(list)].map((t) => referrerKey(t, id)),
      ...referrers.map((r) => referrerKey(id, r)),
    ],
  );
}

/** Ids of the lists that mention `id`. */
export async function readReferrers(store: RelatedIndexStore, id: string): Promise<string[]> {
  const items = await store.queryItems(`RELATED#${id}`, { skPrefix: 'BY#' });
  return items.map((i) => String(i.id));
}

/** Puts `neighbour` into a pool (replacing an older score for the same id), best first, at most `size`. */
export function mergeIntoPool(pool: readonly Neighbour[], neighbour: Neighbour, size: number): Neighbour[] {
  return [...pool.filter((n) => n.id !== neighbour.id), neighbour].sort(byScore).slice(0, size);
}

/**
 * The public list: editorial links first in the editor's order, then the best of the pool up to k.
 * Scores within 0.01 count as a tie, broken by same section, then the newer article, then id.
 */
export function composeList(list: RelatedList, settings: RelatedSettings): RelatedDocumentEntry[] {
  const out: RelatedDocumentEntry[] = [];
  const seen = new Set<string>([list.id]);
  for (const e of list.editorial) {
    if (e.match) {
      if (seen.has(e.match.id)) continue;
      seen.add(e.match.id);
      out.push({ id: e.match.id, title: e.match.title, url: e.match.url, score: e.match.score, reason: 'editorial' });
    } else {
      out.push({ title: e.text, ...(e.url ? { url: e.url } : {}), reason: 'editorial' });
    }
  }
  const bucket = (s: number) => Math.round(s * 100);
  const ranked = list.pool
    .filter((n) => !seen.has(n.id))
    .sort(
      (a, b) =>
        bucket(b.score) - bucket(a.score) ||
        Number(b.section === list.section) - Number(a.section === list.section) ||
        (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : 0) ||
        (a.id < b.id ? -1 : 1),
    );
  for (const n of ranked) {
    if (out.length >= settings.k) break;
    out.push({ id: n.id, title: n.title, url: n.url, score: n.score, reason: n.story ? 'same-story' : 'similar' });
  }
  return out;
}

/** Bytes of related/<id>.json. No timestamps, so an unchanged list renders to identical bytes. */
export function renderRelatedDocument(list: RelatedList, settings: RelatedSettings): string {
  return `${JSON.stringify({ id: list.id, related: composeList(list, settings) }, null, 2)}\n`;
}

/** Related links (resolved entries only) of several articles, from their stored lists. */
export async function readRelatedLinks(
  store: RelatedIndexStore,
  articleIds: readonly string[],
  settings: RelatedSettings,
): Promise<Map<string, RelatedLink[]>> {
  const lists = await readLists(store, articleIds);
  const out = new Map<string, RelatedLink[]>();
  for (const [id, list] of lists) {
    out.set(
      id,
      composeList(list, settings).flatMap((e) => (e.id && e.url ? [{ id: e.id, title: e.title, url: e.url, reason: e.reason }] : [])),
    );
  }
  return out;
}

/** JSON with object keys sorted: DynamoDB does not keep the key order of maps, so plain JSON cannot compare them. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
