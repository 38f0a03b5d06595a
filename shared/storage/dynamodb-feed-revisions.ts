import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StorageError } from '../errors.js';
import { batchGetAll } from './dynamodb-errors.js';
import type { FeedMark } from '../usecases/published-feed-memory.js';

const revisionKey = (feedKey: string) => ({ pk: `FEED#${feedKey}`, sk: 'REV' });

/**
 * A revision counter per feed (pk FEED#<path>, sk REV). Every change that may alter a feed bumps it;
 * a builder that sees the counter move while it rendered builds again, so two concurrent
 * rebuilds can never leave the older state published (docs/storage.md).
 */
export class DynamoDbFeedRevisions {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Marks the feed changed; returns the new revision. */
  async bump(feedKey: string): Promise<number> {
    return (await this.mark(feedKey)).revision;
  }

  /** Marks the feed changed; returns the new revision and the count of restarted builds (published-feed-memory.ts). */
  async mark(feedKey: string): Promise<FeedMark> {
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: revisionKey(feedKey),
          UpdateExpression: 'ADD #rev :one SET entity = :entity',
          ExpressionAttributeNames: { '#rev': 'rev' },
          ExpressionAttributeValues: { ':one': 1, ':entity': 'feed-revision' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { revision: Number(out.Attributes?.['rev'] ?? 0), restarts: Number(out.Attributes?.['restarts'] ?? 0) };
    } catch (error) {
      throw new StorageError(`Could not mark feed ${feedKey} changed`, { cause: error });
    }
  }

  async countRestart(feedKey: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: revisionKey(feedKey),
          UpdateExpression: 'ADD restarts :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      );
    } catch (error) {
      throw new StorageError(`Could not count a restarted build of feed ${feedKey}`, { cause: error });
    }
  }

  async currentMany(feedKeys: readonly string[]): Promise<Map<string, number>> {
    const items = await batchGetAll(this.client, this.tableName, feedKeys.map(revisionKey), 'feed revisions');
    const found = new Map(items.map((item) => [String(item['pk']).slice('FEED#'.length), Number(item['rev'] ?? 0)]));
    return new Map(feedKeys.map((key) => [key, found.get(key) ?? 0]));
  }

  async current(feedKey: string): Promise<number> {
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: revisionKey(feedKey), ConsistentRead: true }),
      );
      return Number(out.Item?.['rev'] ?? 0);
    } catch (error) {
      throw new StorageError(`Could not read revision of feed ${feedKey}`, { cause: error });
    }
  }
}
