import { contentHash } from '../article/content-hash.js';
import { normalizeDraft, type NormalizedContent } from '../article/normalize.js';
import type { SiteConfig } from '../config/load-config.js';
import { ConcurrentModificationError, InvalidInputError, type Problem } from '../errors.js';
import { feedObjectKey, feedPathsForArticle } from '../feeds/feed-paths.js';
import type { Article } from '../model/article.js';
import { parseArticleInput, type InputFormat, type RawInput } from '../parsing/parse-input.js';
import type { ArticleRepository, Clock } from '../ports.js';

export interface IngestDeps {
  articles: ArticleRepository;
  clock: Clock;
  site: SiteConfig;
  /**
   * Parses and normalizes an input; `prepareArticle` inline when absent (Lambda, whose own timeout bounds an
   * invocation). The local runtime passes one that runs in a worker thread with a time limit per article.
   */
  prepare?: (input: RawInput, site: SiteConfig, now: Date) => Promise<PreparedArticle>;
}

export interface ArticleLinks {
  article: string;
  feeds: string[];
}

export type IngestOutcome =
  | {
      status: 'created' | 'updated' | 'unchanged' | 'withdrawn';
      article: Article;
      format?: InputFormat;
      /** Things the caller should know, e.g. that the ingest time stood in for a missing publication time. */
      notes: string[];
      links: ArticleLinks;
    }
  | {
      status: 'refused';
      problems: Problem[];
      articleId?: string;
      /** The format the input was read as and why (`WordPress HTML, because …`), when parsing got that far. */
      detected?: string;
    };

/**
 * A lost race is decided again from a fresh read: each loss means another writer stored its version,
 * so the loop converges (an older input ends refused or unchanged, a newer one wins). The cap only
 * guards against a store that keeps failing its condition; then the caller answers 503 with Retry-After.
 */
const CONCURRENCY_RETRIES = 50;

/**
 * Ingests one article in any accepted format: validates, normalizes and upserts it with a
 * conditional write. Identical content is a no-op; an update bumps the version; an input older
 * than the stored version is refused; nothing is written when the input is refused.
 */
export async function ingestArticle(deps: IngestDeps, input: RawInput): Promise<IngestOutcome> {
  const now = deps.clock.now();
  const prepared = deps.prepare ? await deps.prepare(input, deps.site, now) : prepareArticle(input, deps.site, now);
  if (!prepared.ok) return { status: 'refused', problems: prepared.problems, articleId: prepared.articleId, ...detectedOf(prepared) };
  const { content, sourceUpdatedAt, publishedAtGiven, format, formatNote } = prepared;

  return withRetries(async () => {
    const stored = await deps.articles.get(content.id);
    const notes: string[] = formatNote === undefined ? [] : [formatNote];
    if (stored && sourceUpdatedAt && sourceUpdatedAt < stored.updatedAt) {
      return {
        status: 'refused',
        articleId: content.id,
        problems: [
          {
            field: 'updatedAt',
            message: `${sourceUpdatedAt} is older than the stored version ${stored.version} (updated ${stored.updatedAt}); the newer version is kept`,
          },
        ],
      };
    }
    const publishedAt = publishedAtGiven ? content.publishedAt : (stored?.publishedAt ?? content.publishedAt);
    if (!publishedAtGiven) {
      notes.push(
        stored
          ? `publishedAt: not given; the stored publication time ${publishedAt} was kept`
          : `publishedAt: not given; the ingest time ${publishedAt} was used`,
      );
    }
    const finalContent = { ...content, publishedAt };
    const hash = contentHash(finalContent);
    if (stored && stored.contentHash === hash) {
      return { status: 'unchanged', article: stored, format, notes, links: linksOf(stored, deps.site) };
    }
    const article: Article = {
      ...finalContent,
      contentHash: hash,
      version: (stored?.version ?? 0) + 1,
      updatedAt: sourceUpdatedAt ?? (stored ? now.toISOString() : (publishedAtGiven ? publishedAt : now.toISOString())),
    };
    let version: number;
    try {
      version = await deps.articles.save(article, stored?.version);
    } catch (error) {
      // The store can refuse what no retry fixes (an item over DynamoDB's 400 KB): that is the sender's to change.
      if (error instanceof InvalidInputError) return { status: 'refused', articleId: content.id, problems: [...error.problems] };
      throw error;
    }
    const status = !stored ? 'created' : article.status === 'withdrawn' && stored.status !== 'withdrawn' ? 'withdrawn' : 'updated';
    return { status, article: { ...article, version }, format, notes, links: linksOf(article, deps.site) };
  });
}

export type PreparedArticle =
  | ({ ok: true; format: InputFormat; detected: string; formatNote?: string } & NormalizedContent)
  | { ok: false; problems: Problem[]; articleId?: string; detected?: string };

/**
 * What an input becomes before anything is stored: parsed, validated and normalized, with the
 * ingest time standing in for a missing publication time. `warta parse` shows exactly this.
 */
export function prepareArticle(input: RawInput, site: SiteConfig, now: Date): PreparedArticle {
  const parsed = parseArticleInput(input);
  if (!parsed.ok) return { ok: false, problems: parsed.problems, ...detectedOf(parsed) };
  const { format, detected, note, draft } = parsed.value;
  const normalized = normalizeDraft(draft, site, now);
  if (!normalized.ok) return { ok: false, problems: normalized.problems, articleId: draft.id, detected };
  return { ok: true, format, detected, ...(note === undefined ? {} : { formatNote: note }), ...normalized.value };
}

function detectedOf(refusal: { detected?: string }): { detected?: string } {
  return refusal.detected === undefined ? {} : { detected: refusal.detected };
}

/**
 * Withdraws a stored article: it leaves every feed at the next build, and partners learn of the withdrawal.
 * Withdrawing twice is a no-op; an unknown id is refused.
 */
export async function withdrawArticle(deps: IngestDeps, articleId: string): Promise<IngestOutcome> {
  return withRetries(async () => {
    const stored = await deps.articles.get(articleId);
    if (!stored) {
      return { status: 'refused', articleId, problems: [{ field: 'id', message: `no article with id "${articleId}" is stored` }] };
    }
    if (stored.status === 'withdrawn') {
      return { status: 'unchanged', article: stored, notes: ['already withdrawn'], links: linksOf(stored, deps.site) };
    }
    const { version: _v, updatedAt: _u, contentHash: _h, ...content } = stored;
    const withdrawnContent = { ...content, status: 'withdrawn' as const };
    const article: Article = {
      ...withdrawnContent,
      contentHash: contentHash(withdrawnContent),
      version: stored.version + 1,
      updatedAt: deps.clock.now().toISOString(),
    };
    const version = await deps.articles.save(article, stored.version);
    return { status: 'withdrawn', article: { ...article, version }, notes: [], links: linksOf(article, deps.site) };
  });
}

function linksOf(article: Article, site: SiteConfig): ArticleLinks {
  return {
    article: article.url,
    feeds: feedPathsForArticle(article).map((path) => `${site.feedsBaseUrl}/${feedObjectKey(path, 'rss')}`),
  };
}

async function withRetries(attempt: () => Promise<IngestOutcome>): Promise<IngestOutcome> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrentModificationError) || tries >= CONCURRENCY_RETRIES) throw error;
      // Many writers of one article at once: after a few immediate retries, spread them out a little.
      if (tries >= 3) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 5 * tries)));
    }
  }
}
