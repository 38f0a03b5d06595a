import { LRUCache } from 'lru-cache';
import type { Article } from '../model/article.js';
import { freezeArticle } from '../model/frozen-article.js';

/**
 * Characters of article text held (bodies, plain text, summaries; about twice as many bytes at most):
 * ≈ 5,000 articles of the corpus's length, the entries of every feed a newsroom's day of changes touches.
 */
export const ARTICLE_CACHE_CHARACTERS = 64 * 2 ** 20;

/**
 * Articles as last read, by id, for the feed builder's warm container or local process. A feed is
 * rendered from its listing items, and each item names the version of the article it lists
 * (`articleVersion`, written by the listing sync): an article cached at exactly that version need
 * not be read again. Read one by one, a change read every entry of every feed it touched, whole
 * bodies included: ≈ 470 article items in 11 BatchGetItem requests per change at 10k articles, most
 * of a change's time on the local stack (docs/performance.md).
 *
 * Why a version is enough: every write of an article item counts its `version` up, atomically with
 * the write (DynamoDbArticleRepository.save), and article items are never deleted (a withdrawn
 * article keeps its item so late copies are refused), so an id and a version name one content.
 * Only the listing's word is trusted, never the cache's: a listing item written before a change
 * names the older version and the article is read.
 *
 * Cached articles are frozen (freezeArticle): callers share them, and what is derived from one may be
 * remembered by its identity.
 */
export class ArticleCache {
  private readonly articles = new LRUCache<string, Article>({
    maxSize: ARTICLE_CACHE_CHARACTERS,
    sizeCalculation: (a) => a.bodyHtml.length + a.bodyText.length + a.summary.length + a.title.length + 256,
  });

  /** The cached article if it is at `version`. */
  at(id: string, version: number): Article | undefined {
    const article = this.articles.get(id);
    return article?.version === version ? article : undefined;
  }

  /** Keeps the newest version read: a slower read of an older version never replaces a newer one. */
  remember(article: Article): Article {
    const cached = this.articles.get(article.id, { updateAgeOnGet: false });
    if (cached && cached.version >= article.version) return cached.version === article.version ? cached : freezeArticle(article);
    const frozen = freezeArticle(article);
    this.articles.set(article.id, frozen);
    return frozen;
  }
}
