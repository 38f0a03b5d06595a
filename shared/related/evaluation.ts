import { createHash } from 'node:crypto';
import type { SiteConfig } from '../config/load-config.js';
import { LATEST_ARTICLE_DATE, type Article } from '../model/article.js';
import { slugify } from '../text/slugify.js';
import { InMemoryArticleRepository, InMemoryObjectPublisher } from '../storage/in-memory-adapters.js';
import { InMemoryRelatedStore } from './in-memory-related-store.js';
import { bruteForceNeighbours, DEFAULT_SETTINGS, readEntries, searchNeighbours, type RelatedSettings } from './related-index.js';
import { relatedObjectKey, type RelatedDocumentEntry } from './related-lists.js';
import { RelatedBatch, updateRelated } from './update-related.js';

/**
 * Quality measurement of related lists and stories on a labelled corpus (scripts/eval-related.ts
 * and the corpus test share it). Articles go through `updateRelated` one by one in publication
 * order, as the stream would deliver them, on in-memory adapters.
 */

/** One labelled corpus line: at least id, title and body; `topic` marks articles on one subject, `event` (when present) one event. */
export interface CorpusRow {
  id: string;
  title: string;
  body: string;
  topic?: string;
  category?: string;
  event?: string;
  published?: string;
  source_url?: string;
}

export interface EvaluationReport {
  articles: number;
  k: number;
  /** Mean share of `similar`/`same-story` picks in the top k that share the article's topic. */
  precisionAtK: number;
  /** Articles with at least one such pick. */
  coverage: number;
  /** Mean overlap of the indexed top 10 with an exact brute-force top 10 over the same vectors. */
  recallAt10: number;
  stories: {
    count: number;
    articlesInStories: number;
    /** What the pairwise figures are measured against: `event` labels when the corpus has them, else `topic`. */
    label: 'event' | 'topic';
    pairwisePrecision: number;
    pairwiseRecall: number;
  };
  /** Index items read and written per ingested article (mean). */
  itemsReadPerArticle: number;
  itemsWrittenPerArticle: number;
}

const EVAL_SITE: SiteConfig = {
  siteUrl: 'https://news.example',
  siteTitle: 'Evaluation',
  siteDescription: 'Related-article evaluation',
  language: 'id',
  defaultSection: 'Berita',
  feedsBaseUrl: 'https://feeds.news.example',
  feedItemLimit: 50,
  feedMaxAgeSeconds: 300,
  feedMaxBytes: 2_000_000,
};

/** Parses JSON Lines into corpus rows, naming the line of the first malformed one. */
export function parseCorpus(text: string): CorpusRow[] {
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line.length > 0)
    .map(([line, n]) => {
      const row = JSON.parse(line) as Partial<CorpusRow>;
      if (typeof row.id !== 'string' || typeof row.title !== 'string' || typeof row.body !== 'string') {
        throw new Error(`corpus line ${n}: needs string fields id, title and body`);
      }
      return row as CorpusRow;
    });
}

/** A corpus row as a stored Article (ids made key-safe, missing dates spread one minute apart). */
export function rowToArticle(row: CorpusRow, index: number): Article {
  const published = row.published && !Number.isNaN(Date.parse(row.published))
    ? new Date(row.published).toISOString()
    : new Date(Date.UTC(2025, 0, 1) + index * 60_000).toISOString();
  const id = slugify(row.id, 120) || `row-${index}`;
  const bodyText = row.body;
  return {
    id,
    slug: slugify(row.title),
    url: row.source_url ?? `https://news.example/${id}`,
    title: row.title,
    summary: '',
    bodyHtml: bodyText
      .split('\n')
      .filter((p) => p.trim())
      .map((p) => `<p>${p.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`)
      .join(''),
    bodyText,
    section: row.category ?? 'Berita',
    tags: [],
    authors: [],
    language: 'id',
    images: [],
    relatedHeadlines: [],
    publishedAt: published,
    updatedAt: published,
    status: 'published',
    version: 1,
    contentHash: createHash('sha256').update(`${row.title}\n${bodyText}`).digest('hex'),
  };
}

/** The corpus is evaluated as a finished archive: every article is public (none held for a scheduled time). */
const EVERY_ARTICLE_PUBLIC = { now: () => new Date(LATEST_ARTICLE_DATE) };

/** Runs the whole corpus through the related builder and measures it against the labels. */
export async function evaluateCorpus(
  rows: readonly CorpusRow[],
  settings: RelatedSettings = DEFAULT_SETTINGS,
  options: { batch?: number } = {},
): Promise<EvaluationReport> {
  const articles = new InMemoryArticleRepository();
  const publisher = new InMemoryObjectPublisher();
  const store = new InMemoryRelatedStore();
  const docs = rows.map((r, i) => ({ row: r, article: rowToArticle(r, i) }));
  docs.sort((a, b) => (a.article.publishedAt < b.article.publishedAt ? -1 : a.article.publishedAt > b.article.publishedAt ? 1 : 0));
  const rowById = new Map(docs.map((d) => [d.article.id, d.row]));
  const deps = { articles, store, publisher, site: EVAL_SITE, clock: EVERY_ARTICLE_PUBLIC, settings };
  if (options.batch) {
    // As the stream delivers them: `batch` articles stored, then built by one RelatedBatch in order.
    for (let at = 0; at < docs.length; at += options.batch) {
      const ids = docs.slice(at, at + options.batch).map((d) => d.article);
      for (const article of ids) await articles.save(article, undefined);
      const batch = new RelatedBatch(deps);
      await batch.prefetch(ids.map((a) => a.id));
      for (const article of ids) await batch.update(article.id);
    }
  } else {
    for (const { article } of docs) {
      await articles.save(article, undefined);
      await updateRelated(deps, [article.id]);
    }
  }
  const usage = store.usage();

  const precisions: number[] = [];
  for (const { article, row } of docs) {
    const text = publisher.text(relatedObjectKey(article.id));
    if (!text) continue;
    const picks = (JSON.parse(text) as { related: RelatedDocumentEntry[] }).related
      .filter((e) => e.reason !== 'editorial' && e.id)
      .slice(0, settings.k);
    if (picks.length === 0) continue;
    const relevant = picks.filter((p) => rowById.get(p.id as string)?.topic === row.topic).length;
    precisions.push(relevant / picks.length);
  }

  const entries = await readEntries(store, docs.map((d) => d.article.id));
  const all = [...entries.values()];
  const recalls: number[] = [];
  for (const e of all) {
    const exact = bruteForceNeighbours(all, e.vector, e.id, 10, settings.minScore);
    if (exact.length === 0) continue;
    const { neighbours } = await searchNeighbours(store, e.vector, new Set([e.id]), settings);
    const found = new Set(neighbours.slice(0, 10).map((n) => n.id));
    recalls.push(exact.filter((x) => found.has(x.id)).length / exact.length);
  }

  const hasEvents = rows.some((r) => typeof r.event === 'string' && r.event.length > 0);
  const label = hasEvents ? 'event' : 'topic';
  const labelOf = (id: string) => (hasEvents ? rowById.get(id)?.event : rowById.get(id)?.topic);
  const storyOf = new Map<string, string>();
  for (const e of all) if (e.storyId) storyOf.set(e.id, e.storyId);
  let samePredicted = 0;
  let truePositive = 0;
  let sameLabel = 0;
  const ids = all.map((e) => e.id);
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const a = ids[i] as string;
      const b = ids[j] as string;
      const predicted = storyOf.has(a) && storyOf.get(a) === storyOf.get(b);
      const la = labelOf(a);
      const actual = la !== undefined && la === labelOf(b);
      if (predicted) samePredicted++;
      if (actual) sameLabel++;
      if (predicted && actual) truePositive++;
    }
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  return {
    articles: docs.length,
    k: settings.k,
    precisionAtK: round3(mean(precisions)),
    coverage: round3(precisions.length / Math.max(1, docs.length)),
    recallAt10: round3(mean(recalls)),
    stories: {
      count: new Set(storyOf.values()).size,
      articlesInStories: storyOf.size,
      label,
      pairwisePrecision: round3(samePredicted ? truePositive / samePredicted : 0),
      pairwiseRecall: round3(sameLabel ? truePositive / sameLabel : 0),
    },
    itemsReadPerArticle: Math.round(usage.itemsRead / Math.max(1, docs.length)),
    itemsWrittenPerArticle: Math.round(usage.itemsWritten / Math.max(1, docs.length)),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
