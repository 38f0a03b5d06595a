import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ConcurrentModificationError, InvalidInputError, StorageError } from '../errors.js';
import { batchGetAll, dynamoDbCall } from './dynamodb-errors.js';
import { itemSizeProblems } from './dynamodb-item-size.js';
import { isVisibleAt } from '../embargo/visibility.js';
import { feedPathsForArticle } from '../feeds/feed-paths.js';
import { ArticleSchema, type Article } from '../model/article.js';
import { ArticleCache } from './article-cache.js';
import { mapConcurrent } from '../related/concurrency.js';
import type { ArticleRepository, ListingChange } from '../ports.js';

/**
 * Single-table layout (docs/storage.md):
 *   pk ARTICLE#<id>  sk A        the current article (source of truth; the stream filters on it)
 *   pk ARTICLE#<id>  sk LISTED   which listing items exist for the article (so stale ones can be removed)
 *   pk LIST#<path>   sk <publishedAt>#<id>   one listing item per feed the article is in; a Query renders a feed
 */
export const ARTICLE_SORT_KEY = 'A';
export const LISTED_SORT_KEY = 'LISTED';
const articleKey = (id: string) => ({ pk: `ARTICLE#${id}`, sk: ARTICLE_SORT_KEY });
const listedKey = (id: string) => ({ pk: `ARTICLE#${id}`, sk: LISTED_SORT_KEY });
export const listingPk = (path: string) => `LIST#${path}`;
/** Every field an article item may carry, so an update removes the optional ones a new version no longer has. */
const ARTICLE_FIELDS = Object.keys(ArticleSchema.shape);
const ARTICLE_FIELD_SET: ReadonlySet<string> = new Set(ARTICLE_FIELDS);

export interface ListingRef {
  path: string;
  sortKey: string;
  /** The article's version the listing item names (absent on items written before listings named it). */
  version?: number;
}

/** The listing item of `ref` for `articleId`: `articleVersion` lets a reader use an article it already holds (article-cache.ts). */
export function listingItem(articleId: string, ref: ListingRef): Record<string, unknown> {
  return {
    pk: listingPk(ref.path),
    sk: ref.sortKey,
    entity: 'listing',
    articleId,
    ...(ref.version !== undefined ? { articleVersion: ref.version } : {}),
  };
}

/** Listing items of the article as its current state wants them. */
export function desiredListings(article: Pick<Article, 'id' | 'status' | 'section' | 'tags' | 'authors' | 'publishedAt' | 'version'>): ListingRef[] {
  return feedPathsForArticle(article).map((path) => ({ path, sortKey: `${article.publishedAt}#${article.id}`, version: article.version }));
}

/** Same listing key (feed and sort key), whatever version each names. */
export const sameListingKey = (a: ListingRef, b: ListingRef) => a.path === b.path && a.sortKey === b.sortKey;


export class DynamoDbArticleRepository implements ArticleRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Articles as last read, for readers that know the version they want (getMany's `listedVersions`). */
    readonly cache = new ArticleCache(),
  ) {}

  async get(id: string): Promise<Article | undefined> {
    const out = await this.call('GetItem article', () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: articleKey(id), ConsistentRead: true })),
    );
    return out.Item ? this.cache.remember(toArticle(out.Item)) : undefined;
  }

  async getMany(ids: readonly string[], listedVersions?: ReadonlyMap<string, number>): Promise<Article[]> {
    const found = new Map<string, Article>();
    const unread: string[] = [];
    for (const id of new Set(ids)) {
      const version = listedVersions?.get(id);
      const cached = version === undefined ? undefined : this.cache.at(id, version);
      if (cached) found.set(id, cached);
      else unread.push(id);
    }
    for (const item of await batchGetAll(this.client, this.tableName, unread.map(articleKey), 'articles')) {
      const article = this.cache.remember(toArticle(item));
      found.set(article.id, article);
    }
    return ids.flatMap((id) => {
      const article = found.get(id);
      return article ? [article] : [];
    });
  }

  async save(article: Article, expectedVersion: number | undefined): Promise<number> {
    const { version, ...fields } = ArticleSchema.parse(article);
    // Measured before writing: DynamoDB refuses an item over 400 KB with a ValidationException, which would
    // read as a storage failure (503, "retry later") for input that can never be stored.
    const tooLarge = itemSizeProblems({ ...articleKey(article.id), entity: 'article', ...fields, version }, ARTICLE_FIELD_SET);
    if (tooLarge) throw new InvalidInputError(tooLarge);
    try {
      if (expectedVersion === undefined) {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...articleKey(article.id), entity: 'article', ...fields, version },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return version;
      }
      // One UpdateItem replaces every field and counts the version up on the stored item itself, so the
      // decision "is the stored copy older?" is taken by DynamoDB at write time, not on our earlier read:
      // the write goes through when nobody wrote since that read, or when what is stored now is older
      // than this article, whatever happened in between. Optional fields this version lacks are removed.
      const names: Record<string, string> = { '#version': 'version', '#updatedAt': 'updatedAt' };
      const values: Record<string, unknown> = { ':expected': expectedVersion, ':updatedAt': fields.updatedAt, ':one': 1 };
      const sets: string[] = ['#version = #version + :one'];
      const removes: string[] = [];
      const present: Record<string, unknown> = { entity: 'article', ...fields };
      for (const [i, name] of [...new Set([...Object.keys(present), ...ARTICLE_FIELDS])].entries()) {
        if (name === 'version' || name === 'id') continue;
        names[`#f${i}`] = name;
        if (present[name] === undefined) {
          removes.push(`#f${i}`);
        } else {
          values[`:f${i}`] = present[name];
          sets.push(`#f${i} = :f${i}`);
        }
      }
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: articleKey(article.id),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(pk) AND (#version = :expected OR #updatedAt < :updatedAt)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return Number(out.Attributes?.['version'] ?? expectedVersion) + 1;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConcurrentModificationError(
          `Article ${article.id} changed while it was being written (expected version ${expectedVersion ?? 'none'}, or one updated before ${article.updatedAt})`,
          { cause: error },
        );
      }
      throw new StorageError(`Writing article ${article.id} failed`, { cause: error });
    }
  }

  async listFeed(feedPath: string, limit: number): Promise<Article[]> {
    const out = await this.call(`Query ${listingPk(feedPath)}`, () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': listingPk(feedPath) },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      ),
    );
    const ids = (out.Items ?? []).map((item) => String(item['articleId']));
    const articles = await this.getMany(ids, listedVersionsOf(out.Items ?? []));
    // A listing item can briefly outlive a change (the builder syncs listings after the article write):
    // render only what the current article state says belongs here.
    const seen = new Set<string>();
    return articles.filter((a) => {
      if (seen.has(a.id) || !feedPathsForArticle(a).includes(feedPath)) return false;
      seen.add(a.id);
      return true;
    });
  }

  async syncListings(articleId: string, now: Date): Promise<string[]> {
    return (await this.syncListingChanges(articleId, now)).map((change) => change.path);
  }

  async syncListingChanges(articleId: string, now: Date): Promise<ListingChange[]> {
    for (let attempt = 1; ; attempt++) {
      const synced = await this.syncOnce(articleId, now);
      if (synced) return synced;
      // A sync of a newer version wrote some of these items first: start again from the current state.
      if (attempt >= MAX_SYNC_ATTEMPTS) {
        throw new StorageError(`Listing items of article ${articleId} kept being written by syncs of newer versions (${attempt} attempts)`);
      }
    }
  }

  /** One sync from the state read now; undefined when a listing item already names a newer version. */
  private async syncOnce(articleId: string, now: Date): Promise<ListingChange[] | undefined> {
    const [article, listedOut] = await Promise.all([
      this.get(articleId),
      this.call('GetItem listed', () =>
        this.client.send(new GetCommand({ TableName: this.tableName, Key: listedKey(articleId), ConsistentRead: true })),
      ),
    ]);
    const listed = ((listedOut.Item?.['listings'] as ListingRef[] | undefined) ?? []).map((l) => ({ ...l }));
    // A record left unsettled by a sync that stopped half-way names items that may not exist yet.
    const settled = listedOut.Item?.['unsettled'] !== true;
    // An article scheduled for later has no listing item until its release build: it takes no place in a
    // feed's item limit or byte budget, and no archive page can be sealed around it early.
    const desired: ListingRef[] = article && isVisibleAt(article, now) ? desiredListings(article) : [];
    const toDelete = listed.filter((l) => !desired.some((d) => sameListingKey(d, l)));
    // An item is written again when it names another version of the article than the current one.
    const toPut = settled ? desired.filter((d) => !listed.some((l) => sameListingKey(d, l) && l.version === d.version)) : desired;
    const newKeys = toPut.filter((d) => !listed.some((l) => sameListingKey(d, l)));

    if (toDelete.length > 0 || newKeys.length > 0 || !settled) {
      // Record the union first, marked unsettled: if we stop half-way, the next sync still knows every
      // listing item that may exist, and writes every desired one again since it cannot know which were written.
      await this.putListed(articleId, [...listed, ...newKeys], false);
      if (!(await writeListingItems(this.client, this.tableName, articleId, article?.version, toPut, toDelete))) return undefined;
      await this.putListed(articleId, desired, true);
    } else if (toPut.length > 0) {
      // The same items naming a newer version: no item can be left behind, so no unsettled record is needed.
      // Stopping half-way leaves the record naming the older version, and the next sync writes them all again.
      if (!(await writeListingItems(this.client, this.tableName, articleId, article?.version, toPut, []))) return undefined;
      await this.putListed(articleId, desired, true);
    }
    const changes = new Map<string, Set<string>>();
    for (const l of [...listed, ...desired]) changes.set(l.path, (changes.get(l.path) ?? new Set()).add(l.sortKey));
    return [...changes].map(([path, sortKeys]) => ({ path, sortKeys: [...sortKeys] }));
  }

  private async putListed(articleId: string, listings: ListingRef[], settled: boolean): Promise<void> {
    await this.call('PutItem listed', () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...listedKey(articleId), entity: 'listed', listings, ...(settled ? {} : { unsettled: true }) },
        }),
      ),
    );
  }

  private call<T>(what: string, send: () => Promise<T>): Promise<T> {
    return dynamoDbCall(what, this.tableName, send);
  }
}

/** Syncs that keep finding a newer version's items give up and let the build retry, rather than spin. */
const MAX_SYNC_ATTEMPTS = 5;
/** Listing items written at once by one sync (an article has one per feed it is in: usually 4-8). */
const LISTING_WRITE_CONCURRENCY = 16;

/**
 * Conditional PutItem/DeleteItem per listing item (BatchWriteItem takes no condition): an item is
 * written or deleted only if it names no version newer than `version` (undefined: the article is gone,
 * any item may go). Readers trust the version a listing item names (article-cache.ts), so a sync that read
 * the article before a newer one's sync must not put its older version back. Returns false when some item
 * was refused; the others may have been written (each is right for its own version) and the caller syncs again.
 */
export async function writeListingItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  articleId: string,
  version: number | undefined,
  puts: readonly ListingRef[],
  deletes: readonly ListingRef[],
): Promise<boolean> {
  const guard = version === undefined
    ? {}
    : {
        ConditionExpression: 'attribute_not_exists(articleVersion) OR articleVersion <= :version',
        ExpressionAttributeValues: { ':version': version },
      };
  const writes = [
    ...puts.map((l) => () => client.send(new PutCommand({ TableName: tableName, Item: listingItem(articleId, l), ...guard }))),
    ...deletes.map((l) => () => client.send(new DeleteCommand({ TableName: tableName, Key: { pk: listingPk(l.path), sk: l.sortKey }, ...guard }))),
  ];
  const accepted = await mapConcurrent(writes, LISTING_WRITE_CONCURRENCY, async (write) => {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new StorageError(`Writing listing items of article ${articleId} failed on table ${tableName}`, { cause: error });
    }
  });
  return accepted.every(Boolean);
}

/** The article version each listing item names, by article id; items that name none are left out. */
export function listedVersionsOf(items: readonly Record<string, unknown>[]): Map<string, number> {
  return new Map(items.flatMap((item) => (typeof item['articleVersion'] === 'number' ? [[String(item['articleId']), item['articleVersion']] as const] : [])));
}

function toArticle(item: Record<string, unknown>): Article {
  const { pk: _pk, sk: _sk, entity: _entity, ...fields } = item;
  return ArticleSchema.parse(fields);
}
