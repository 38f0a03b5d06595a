import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { StorageError } from '../errors.js';
import type { ArchivePage } from '../feeds/feed-archive.js';
import type { FeedArchiveStore, ListingKey, ListingRange } from '../usecases/build-feeds.js';
import { dynamoDbCall } from './dynamodb-errors.js';
import { listingPk } from './dynamodb-article-repository.js';

/**
 * Sealed archive pages of each feed (docs/storage.md, "Archive pages"):
 *   pk ARCHIVE#<path>  sk PAGE#<page, 10 digits>   { page, upTo }   claims the page number (conditional put)
 *   pk ARCHIVE#<path>  sk END#<upTo sort key>      { page }         finds the page of a sort key with one Query
 * The PAGE# item is written first; if the END# item is missing after a crash, only the newest page can
 * lack it, and `pageContaining` falls back to that page for keys up to its end.
 */
const archivePk = (path: string) => `ARCHIVE#${path}`;
const pageSk = (page: number) => `PAGE#${String(page).padStart(10, '0')}`;
const endSk = (sortKey: string) => `END#${sortKey}`;
/** Sorts after every END# key and before PAGE# ('$' follows '#'). */
const END_UPPER = 'END$';

export class DynamoDbFeedArchive implements FeedArchiveStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async lastPage(feedPath: string): Promise<ArchivePage | undefined> {
    const [last] = await this.query('Query archive pages', {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :page)',
      ExpressionAttributeValues: { ':pk': archivePk(feedPath), ':page': 'PAGE#' },
      ScanIndexForward: false,
      Limit: 1,
    });
    if (!last) return undefined;
    return { ...(await this.describe(feedPath, Number(last['page']), String(last['upTo']))), published: last['published'] === true };
  }

  async pageContaining(feedPath: string, sortKey: string): Promise<ArchivePage | undefined> {
    const [found] = await this.query('Query archive page of a key', {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': archivePk(feedPath), ':from': endSk(sortKey), ':to': END_UPPER },
      Limit: 1,
    });
    if (found) return { ...(await this.describe(feedPath, Number(found['page']), String(found['sk']).slice('END#'.length))), published: true };
    const last = await this.lastPage(feedPath);
    return last && sortKey <= last.upTo ? last : undefined;
  }

  async seal(feedPath: string, page: number, upTo: string): Promise<boolean> {
    const pk = archivePk(feedPath);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk, sk: pageSk(page), entity: 'archive-page', page, upTo },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new StorageError(`PutItem archive page ${page} of ${feedPath} failed`, { cause: error });
    }
    await this.call('PutItem archive end', () =>
      this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk, sk: endSk(upTo), entity: 'archive-end', page } })),
    );
    return true;
  }

  async markPublished(feedPath: string, page: number): Promise<void> {
    await this.call('UpdateItem archive page', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: archivePk(feedPath), sk: pageSk(page) },
          UpdateExpression: 'SET published = :yes',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':yes': true },
        }),
      ),
    );
  }

  async listingKeys(feedPath: string, range: ListingRange): Promise<ListingKey[]> {
    const values: Record<string, string> = { ':pk': listingPk(feedPath) };
    let condition = 'pk = :pk';
    if (range.after !== undefined && range.upTo !== undefined) {
      condition += ' AND sk BETWEEN :after AND :upTo';
      Object.assign(values, { ':after': range.after, ':upTo': range.upTo });
    } else if (range.after !== undefined) {
      condition += ' AND sk > :after';
      values[':after'] = range.after;
    } else if (range.upTo !== undefined) {
      condition += ' AND sk <= :upTo';
      values[':upTo'] = range.upTo;
    }
    const items = await this.query(`Query ${listingPk(feedPath)} range`, {
      KeyConditionExpression: condition,
      ExpressionAttributeValues: values,
      ProjectionExpression: 'sk, articleId, articleVersion',
    });
    return items
      .map((item) => ({
        sortKey: String(item['sk']),
        articleId: String(item['articleId']),
        ...(typeof item['articleVersion'] === 'number' ? { articleVersion: item['articleVersion'] } : {}),
      }))
      .filter((k) => range.after === undefined || k.sortKey > range.after);
  }

  /** The page's lower bound is the previous page's end: the END# key just below its own. */
  private async describe(feedPath: string, page: number, upTo: string): Promise<ArchivePage> {
    if (page === 1) return { page, upTo };
    const nearest = await this.query('Query previous archive page', {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': archivePk(feedPath), ':from': 'END#', ':to': endSk(upTo) },
      ScanIndexForward: false,
      Limit: 2,
    });
    const below = nearest.find((item) => String(item['sk']) !== endSk(upTo));
    const after = below ? String(below['sk']).slice('END#'.length) : undefined;
    if (after === undefined) throw new StorageError(`Archive page ${page} of ${feedPath} has no recorded predecessor`);
    return { page, after, upTo };
  }

  /** Every item of a Query, following LastEvaluatedKey (unless a Limit asks for the first few). */
  private async query(what: string, input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.call(what, () =>
        this.client.send(new QueryCommand({ TableName: this.tableName, ConsistentRead: true, ...input, ExclusiveStartKey: start })),
      );
      items.push(...((out.Items ?? []) as Record<string, unknown>[]));
      start = input.Limit === undefined ? (out.LastEvaluatedKey as Record<string, unknown> | undefined) : undefined;
    } while (start);
    return items;
  }

  private call<T>(what: string, send: () => Promise<T>): Promise<T> {
    return dynamoDbCall(what, this.tableName, send);
  }
}
