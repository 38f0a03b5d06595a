import type { SiteConfig } from '../config/load-config.js';
import { FEED_FORMATS, type FeedFormat } from '../feeds/feed-paths.js';
import { renderWithinBudget } from '../feeds/feed-budget.js';
import { renderFeeds } from '../feeds/render-feeds.js';
import type { Article } from '../model/article.js';
import { isVisibleAt } from '../embargo/visibility.js';
import type { ArticleRepository, Clock, ObjectPublisher } from '../ports.js';
import { BatchCachedStore } from './batch-cached-store.js';
import { BatchPublisher } from './batch-publisher.js';
import { mapConcurrent, settleAll } from './concurrency.js';
import type { IndexItem, RelatedIndexStore } from './related-index-store.js';
import {
  DEFAULT_SETTINGS,
  entryKey,
  headlineMatches,
  indexArticleItems,
  isSameStory,
  itemToEntry,
  pendingKey,
  readEntries,
  resolveHeadline,
  saveEntries,
  saveEntry,
  searchNeighbours,
  toNeighbour,
  unindexArticle,
  type IndexEntry,
  type Neighbour,
  type RelatedSettings,
} from './related-index.js';
import {
  deleteList,
  mergeIntoPool,
  readLists,
  readReferrers,
  relatedKey,
  relatedObjectKey,
  renderRelatedDocument,
  RELATED_CACHE_CONTROL,
  RELATED_CONTENT_TYPE,
  saveList,
  saveLists,
  type EditorialLink,
  type RelatedList,
} from './related-lists.js';
import {
  deleteStories,
  readStories,
  renderStoryDocument,
  saveStory,
  sortMembers,
  storyFeedMeta,
  storyObjects,
  survivor,
  type Story,
  type StoryMember,
} from './stories.js';

export interface UpdateRelatedDeps {
  articles: ArticleRepository;
  store: RelatedIndexStore;
  publisher: ObjectPublisher;
  site: SiteConfig;
  /**
   * Decides which articles are public yet: one scheduled for later is kept out of the index (so it is
   * nobody's neighbour and founds no story) until its release build (shared/embargo/visibility.ts).
   * Related documents carry no timestamps (identical bytes on re-runs).
   */
  clock: Clock;
  settings?: RelatedSettings;
}

export interface UpdateRelatedResult {
  /** S3 keys whose bytes changed. */
  written: string[];
  /** S3 keys removed. */
  deleted: string[];
}

/** Editorial headlines are re-resolved on every recompute; waiting articles are woken at most this many per arrival. */
const MAX_WOKEN = 25;
/**
 * Independent list recomputes or object writes started side by side. The store bounds its own
 * requests in flight; this only keeps a long fan-out from queueing everything at once.
 */
const PARALLEL_TASKS = 8;

/**
 * Brings the related index, related lists and stories in line with the current stored state of
 * each article (the event is only a hint which ids changed): a published article is (re)indexed,
 * gets its list, enters at most `fanOut` older neighbours' lists and joins or founds a story;
 * a withdrawn or missing one leaves the index, every list that mentions it and its story.
 * Idempotent: a second run with no change in between writes nothing.
 */
export async function updateRelated(deps: UpdateRelatedDeps, articleIds: readonly string[]): Promise<UpdateRelatedResult> {
  const run = new RelatedRun(deps);
  for (const id of new Set(articleIds)) await updateOne(run, deps, id);
  return run.result();
}

async function updateOne(run: RelatedRun, deps: UpdateRelatedDeps, id: string): Promise<void> {
  // The article and its index entry are independent reads: one round trip instead of two.
  const [article, stored] = await settleAll([deps.articles.get(id), readEntries(deps.store, [id])]);
  const entry = stored.get(id);
  if (article && isVisibleAt(article, run.now)) await run.upsert(article, entry);
  else await run.withdraw(id, entry);
}

/**
 * The related update of one stream batch: `update(id)` per record, in stream order, with exactly
 * the effect of `updateRelated(deps, [id])` for each in turn (same items, lists, stories and
 * document bytes), but the index items and query results read or written by earlier records of
 * the batch are answered from a cache kept exact under the batch's own writes
 * (`BatchCachedStore`, docs/related.md "Stream batches"), and objects it published are not read
 * again before being republished (`BatchPublisher`). Neighbouring articles of one batch read
 * largely the same postings, vectors, counters and lists, so the batch makes far fewer requests.
 * A failed update empties the cache and throws, so the handler reports that record and the next
 * one starts from the store again.
 */
export class RelatedBatch {
  private readonly cache: BatchCachedStore;
  private readonly deps: UpdateRelatedDeps;

  constructor(deps: UpdateRelatedDeps) {
    this.cache = new BatchCachedStore(deps.store);
    this.deps = { ...deps, store: this.cache, publisher: new BatchPublisher(deps.publisher) };
  }

  /**
   * Reads the index entries and lists of the batch's articles in one request (two BatchGet pages
   * per 100 articles) instead of one or two per article. Only a prefetch: a failure is ignored
   * (the cache forgets it and each update reads for itself).
   */
  async prefetch(articleIds: readonly string[]): Promise<void> {
    const ids = [...new Set(articleIds)];
    if (ids.length === 0) return;
    await this.cache.getItems([...ids.map(entryKey), ...ids.map(relatedKey)]).catch(() => undefined);
  }

  async update(articleId: string): Promise<UpdateRelatedResult> {
    const run = new RelatedRun(this.deps);
    try {
      await updateOne(run, this.deps, articleId);
    } catch (error) {
      this.cache.clear();
      throw error;
    }
    return run.result();
  }

  /** Reads answered by the cache and reads that went to the store, for the bench. */
  cacheUsage(): { hits: number; misses: number } {
    return this.cache.cacheUsage();
  }
}

class RelatedRun {
  readonly written = new Set<string>();
  readonly deleted = new Set<string>();
  private readonly store: RelatedIndexStore;
  private readonly settings: RelatedSettings;
  /** Counter updates of the article being indexed; DF-based headline resolution waits for them. */
  private counted: Promise<void> = Promise.resolve();

  /** The run's one instant: what is visible at it is indexed, and a story feed lists only that. */
  readonly now: Date;

  constructor(private readonly deps: UpdateRelatedDeps) {
    this.now = deps.clock.now();
    this.store = deps.store;
    this.settings = deps.settings ?? DEFAULT_SETTINGS;
  }

  /** What this run wrote and deleted, in key order. */
  result(): UpdateRelatedResult {
    return { written: [...this.written].sort(), deleted: [...this.deleted].sort() };
  }

  async upsert(article: Article, previous: IndexEntry | undefined): Promise<void> {
    const linkFieldsChanged =
      previous !== undefined &&
      (previous.title !== article.title ||
        previous.url !== article.url ||
        previous.section !== article.section ||
        previous.publishedAt !== article.publishedAt);
    const changed = !previous || previous.contentHash !== article.contentHash || linkFieldsChanged;
    let entry = previous as IndexEntry;
    if (changed) {
      const indexed = await indexArticleItems(this.store, article, previous, this.settings);
      entry = indexed.entry;
      this.counted = indexed.counted;
    }
    const headlines = article.relatedHeadlines.map((h) => ({ text: h.text, ...(h.url ? { url: h.url } : {}) }));
    // The counters run on while the list is searched, saved and fanned out; the update ends when both did.
    await settleAll([this.counted, this.afterIndex(entry, headlines, changed, linkFieldsChanged)]);
  }

  private async afterIndex(
    entry: IndexEntry,
    headlines: readonly { text: string; url?: string }[],
    changed: boolean,
    linkFieldsChanged: boolean,
  ): Promise<void> {
    // Which articles wait for a headline like this one's title is read alongside the search (only
    // this article's own RHEAD items change in between, and its own id is skipped).
    const [{ list, entries }, waitingIds] = await settleAll([
      this.recompute(entry, headlines, new Set()),
      changed ? this.waitingFor(entry) : Promise.resolve([]),
    ]);
    // Fan-out writes other articles' lists, the story step story and vector items: disjoint items.
    await settleAll([this.fanOut(entry, list.pool), this.updateStory(entry, list.pool, entries)]);
    if (linkFieldsChanged) await this.refreshReferrers(entry);
    if (changed) await this.wakeWaiting(entry, waitingIds);
  }

  async withdraw(id: string, entry: IndexEntry | undefined): Promise<void> {
    if (!entry) return;
    const exclude = new Set([id]);
    const referrers = await readReferrers(this.store, id);
    const [lists, referrerEntries] = await settleAll([
      readLists(this.store, [id, ...referrers]),
      readEntries(this.store, referrers.filter((r) => r !== id)),
    ]);
    // Each recompute writes only its own list, references and vector item, so they run side by side.
    await mapConcurrent([...referrerEntries.values()], PARALLEL_TASKS, (r) => this.recompute(r, lists.get(r.id)?.editorial ?? [], exclude));
    if (entry.storyId) await this.leaveStory(entry);
    await settleAll([deleteList(this.store, lists.get(id), id, referrers), this.deleteObject(relatedObjectKey(id))]);
    // The entry goes last: if anything above fails, a retry still finds it and finishes the job.
    await unindexArticle(this.store, entry, this.settings);
  }

  /** Searches an article's neighbours, re-resolves its editorial headlines, saves and publishes its list. */
  private async recompute(
    entry: IndexEntry,
    headlines: readonly { text: string; url?: string }[],
    exclude: ReadonlySet<string>,
  ): Promise<{ list: RelatedList; entries: Map<string, IndexEntry> }> {
    const excluded = new Set([entry.id, ...exclude]);
    // Search, headline resolution and the stored list are independent reads.
    const [{ neighbours, items }, resolved, stored] = await settleAll([
      searchNeighbours(this.store, entry.vector, excluded, this.settings),
      // Fuzzy resolution ranks terms by DF, so it reads the counters after this update's additions.
      settleAll(headlines.map((h) => resolveHeadline(this.store, h.text, excluded, this.settings, this.counted))),
      readLists(this.store, [entry.id]),
    ]);
    const kept = neighbours.slice(0, this.settings.poolSize);
    const entries = new Map(kept.map((n) => [n.id, itemToEntry(items.get(n.id) as IndexItem)]));
    const pool = kept.map((n) => {
      const other = entries.get(n.id);
      return { ...n, story: other !== undefined && isSameStory(entry, other, n.score, this.settings) };
    });

    const editorial: EditorialLink[] = [];
    const waitTerms = new Set<string>();
    headlines.forEach((h, i) => {
      const { match, waitTerms: terms } = resolved[i] as Awaited<ReturnType<typeof resolveHeadline>>;
      editorial.push({ text: h.text, ...(h.url ? { url: h.url } : {}), ...(match ? { match } : {}) });
      for (const t of terms) waitTerms.add(t);
    });

    const list: RelatedList = { id: entry.id, publishedAt: entry.publishedAt, section: entry.section, pool, editorial };
    const previous = stored.get(entry.id);
    // Pending headlines touch RHEAD and the vector item, the list RELATED# items: disjoint. The
    // document is published on every recompute (unchanged bytes are skipped), so a retry after a
    // failed save or publish repairs both, and the two need not wait for each other.
    await settleAll([this.syncPending(entry, [...waitTerms].sort()), saveList(this.store, list, previous), this.publishList(list)]);
    return { list, entries };
  }

  /** Keeps one RHEAD item per term an unresolved headline waits on, so a later article can resolve it. */
  private async syncPending(entry: IndexEntry, terms: string[]): Promise<void> {
    const before = new Set(entry.pending);
    const after = new Set(terms);
    if (before.size === after.size && [...after].every((t) => before.has(t))) return;
    const puts = terms.filter((t) => !before.has(t)).map((t) => ({ ...pendingKey(t, entry.id), id: entry.id }));
    const deletes = entry.pending.filter((t) => !after.has(t)).map((t) => pendingKey(t, entry.id));
    entry.pending = terms;
    await settleAll([this.store.writeItems(puts, deletes), saveEntry(this.store, entry)]);
  }

  /** Enters the new article into the lists of its closest older neighbours (bounded by `fanOut`). */
  private async fanOut(entry: IndexEntry, pool: readonly Neighbour[]): Promise<void> {
    const targets = pool.filter((n) => n.score >= this.settings.fanOutMinScore).slice(0, this.settings.fanOut);
    const lists = await readLists(this.store, targets.map((t) => t.id));
    // Each target's list and its references are items of that target alone: one batch for all.
    const changes = targets.flatMap((t) => {
      const list = lists.get(t.id);
      if (!list) return [];
      return [{ list: { ...list, pool: mergeIntoPool(list.pool, toNeighbour(entry, t.score, t.story), this.settings.poolSize) }, previous: list }];
    });
    const saved = await saveLists(this.store, changes);
    await this.publishLists(changes.filter((_, i) => saved[i]).map((c) => c.list));
  }

  /** After a title, URL, section or date change, the copies of those fields in other lists are refreshed. */
  private async refreshReferrers(entry: IndexEntry): Promise<void> {
    const referrers = await readReferrers(this.store, entry.id);
    const lists = await readLists(this.store, referrers);
    const fresh = (n: Neighbour): Neighbour => (n.id === entry.id ? toNeighbour(entry, n.score, n.story) : n);
    const changes = [...lists.values()].map((list) => ({
      list: {
        ...list,
        pool: list.pool.map(fresh),
        editorial: list.editorial.map((e) => (e.match ? { ...e, match: fresh(e.match) } : e)),
      },
      previous: list,
    }));
    const saved = await saveLists(this.store, changes);
    await this.publishLists(changes.filter((_, i) => saved[i]).map((c) => c.list));
  }

  /** Ids of articles with an unresolved headline waiting on one of this article's title terms. */
  private async waitingFor(entry: IndexEntry): Promise<string[]> {
    const pages = await settleAll(entry.titleTerms.slice(0, 12).map((t) => this.store.queryItems(`RHEAD#${t}`, { limit: MAX_WOKEN })));
    return [...new Set(pages.flat().map((i) => i.sk))].filter((id) => id !== entry.id).slice(0, MAX_WOKEN);
  }

  /** Resolves headlines of other articles (`ids`, from `waitingFor`) that were waiting for an article like this one. */
  private async wakeWaiting(entry: IndexEntry, ids: readonly string[]): Promise<void> {
    const lists = await readLists(this.store, ids);
    const waiting = [...lists.values()].filter((l) =>
      l.editorial.some((e) => !e.match && headlineMatches(e.text, entry.titleTerms, this.settings)),
    );
    const entries = await readEntries(this.store, waiting.map((l) => l.id));
    await mapConcurrent(waiting, PARALLEL_TASKS, async (l) => {
      const w = entries.get(l.id);
      if (w) await this.recompute(w, l.editorial, new Set());
    });
  }

  /** Joins, founds or merges the story of an article and its same-story neighbours (see stories.ts). */
  private async updateStory(entry: IndexEntry, pool: readonly Neighbour[], known: Map<string, IndexEntry>): Promise<void> {
    const mates = pool.filter((n) => n.story);
    if (mates.length === 0 && !entry.storyId) return;
    const missing = mates.map((m) => m.id).filter((id) => !known.has(id));
    const fetched = await readEntries(this.store, missing);
    const involved = [entry, ...mates.flatMap((m) => known.get(m.id) ?? fetched.get(m.id) ?? [])];
    const stories = await readStories(this.store, involved.flatMap((e) => (e.storyId ? [e.storyId] : [])));

    let story: Story;
    if (mates.length === 0) {
      const own = stories.find((s) => s.id === entry.storyId);
      if (!own) {
        delete entry.storyId;
        await saveEntry(this.store, entry);
        return;
      }
      story = { ...own, members: sortMembers([...own.members, memberOf(entry)]) };
    } else {
      const keep = survivor(stories);
      const founder = [...involved].sort((a, b) => (a.publishedAt < b.publishedAt ? -1 : a.publishedAt > b.publishedAt ? 1 : a.id < b.id ? -1 : 1))[0] as IndexEntry;
      story = {
        id: keep?.id ?? founder.id,
        foundedAt: keep?.foundedAt ?? founder.publishedAt,
        members: sortMembers([...stories.flatMap((s) => s.members), ...involved.map(memberOf)]),
      };
    }
    const merged = stories.filter((s) => s.id !== story.id);
    const memberIds = story.members.map((m) => m.id);
    // Entries already read in this update (the pool's) are not read again.
    const byId = new Map([...known, ...involved.map((e) => [e.id, e] as const)]);
    const [, , , others] = await settleAll([
      saveStory(this.store, story, stories.find((s) => s.id === story.id)),
      deleteStories(this.store, merged.map((s) => s.id)),
      this.deleteObjects(merged.flatMap((s) => storyObjects(s.id).map((o) => o.key))),
      readEntries(this.store, memberIds.filter((id) => !byId.has(id))),
    ]);
    const repointed: IndexEntry[] = [];
    for (const id of memberIds) {
      const e = byId.get(id) ?? others.get(id);
      if (e && e.storyId !== story.id) {
        e.storyId = story.id;
        repointed.push(e);
      }
    }
    await settleAll([saveEntries(this.store, repointed), this.publishStory(story)]);
  }

  private async leaveStory(entry: IndexEntry): Promise<void> {
    const [story] = await readStories(this.store, [entry.storyId as string]);
    if (!story) return;
    const members = story.members.filter((m) => m.id !== entry.id);
    if (members.length >= 2) {
      const updated = { ...story, members };
      await saveStory(this.store, updated, story);
      await this.publishStory(updated);
      return;
    }
    const [, , rest] = await settleAll([
      deleteStories(this.store, [story.id]),
      this.deleteObjects(storyObjects(story.id).map((o) => o.key)),
      readEntries(this.store, members.map((m) => m.id)),
    ]);
    for (const e of rest.values()) delete e.storyId;
    await saveEntries(this.store, [...rest.values()]);
  }

  private async publishList(list: RelatedList): Promise<void> {
    await this.publish(relatedObjectKey(list.id), renderRelatedDocument(list, this.settings), RELATED_CONTENT_TYPE, RELATED_CACHE_CONTROL);
  }

  private async publishLists(lists: readonly RelatedList[]): Promise<void> {
    await mapConcurrent(lists, PARALLEL_TASKS, (list) => this.publishList(list));
  }

  /**
   * A story's feeds follow the rules of every other feed: its newest `feedItemLimit` published
   * members, then cut to the byte budget. Only those members are read (a story keeps up to 500).
   */
  private async publishStory(story: Story): Promise<void> {
    const { site } = this.deps;
    const articles = await this.newestPublished(story.members.map((m) => m.id), site.feedItemLimit);
    const feeds = renderWithinBudget(articles, (entries) => renderFeeds(storyFeedMeta(story, site), entries), site.feedMaxBytes);
    const feedCache = `public, max-age=${site.feedMaxAgeSeconds}`;
    await settleAll(
      storyObjects(story.id).map((o) =>
        o.format
          ? this.publish(o.key, feeds[o.format as FeedFormat], FEED_FORMATS[o.format].contentType, feedCache)
          : this.publish(o.key, renderStoryDocument(story), o.contentType, RELATED_CACHE_CONTROL),
      ),
    );
  }

  /** The first `limit` published articles of `ids` (newest first), reading a page at a time past withdrawn ones. */
  private async newestPublished(ids: readonly string[], limit: number): Promise<Article[]> {
    const found: Article[] = [];
    for (let start = 0; start < ids.length && found.length < limit; start += limit) {
      const page = await this.deps.articles.getMany(ids.slice(start, start + limit));
      found.push(...page.filter((a) => isVisibleAt(a, this.now)));
    }
    return found.slice(0, limit);
  }

  private async publish(key: string, body: string, contentType: string, cacheControl: string): Promise<void> {
    const outcome = await this.deps.publisher.publish(key, body, { contentType, cacheControl });
    if (outcome === 'written') this.written.add(key);
  }

  private async deleteObject(key: string): Promise<void> {
    await this.deps.publisher.delete(key);
    this.deleted.add(key);
  }

  private async deleteObjects(keys: readonly string[]): Promise<void> {
    await mapConcurrent(keys, PARALLEL_TASKS, (key) => this.deleteObject(key));
  }
}

function memberOf(e: IndexEntry): StoryMember {
  return { id: e.id, title: e.title, url: e.url, publishedAt: e.publishedAt };
}
