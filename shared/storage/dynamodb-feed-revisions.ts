import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StorageError } from '../errors.js';

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
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `FEED#${feedKey}`, sk: 'REV' },
          UpdateExpression: 'ADD #rev :one SET entity = :entity',
          ExpressionAttributeNames: { '#rev': 'rev' },
          ExpressionAttributeValues: { ':one': 1, ':entity': 'feed-revision' },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.['rev'] ?? 0);
    } catch (error) {
      throw new StorageError(`Could not bump revision of feed ${feedKey}`, { cause: error });
    }
  }

  async current(feedKey: string): Promise<number> {
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: `FEED#${feedKey}`, sk: 'REV' }, ConsistentRead: true }),
      );
      return Number(out.Item?.['rev'] ?? 0);
    } catch (error) {
      throw new StorageError(`Could not read revision of feed ${feedKey}`, { cause: error });
    }
  }
}
