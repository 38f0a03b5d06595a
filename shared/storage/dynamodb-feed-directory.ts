import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DirectoryRecord, FeedDirectoryStore } from '../discovery/build-discovery.js';
import { dynamoDbCall } from './dynamodb-errors.js';

/**
 * The feed directory in the articles table (docs/storage.md): pk FEEDS, sk <feed path>, with the
 * feed's display `name` and the listing key of its `newest` article. The discovery files are rendered
 * from one Query of the partition.
 */
const DIRECTORY_PK = 'FEEDS';

export class DynamoDbFeedDirectory implements FeedDirectoryStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async all(): Promise<DirectoryRecord[]> {
    const records: DirectoryRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await dynamoDbCall('Query feed directory', this.tableName, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': DIRECTORY_PK },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) records.push({ path: String(item['sk']), name: String(item['name'] ?? ''), newest: String(item['newest'] ?? '') });
      start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
    } while (start);
    return records;
  }

  async put(record: DirectoryRecord, force = false): Promise<void> {
    const put = new PutCommand({
      TableName: this.tableName,
      Item: { pk: DIRECTORY_PK, sk: record.path, entity: 'feed-directory', name: record.name, newest: record.newest },
      // Two builders moving one record forward: the one naming the newer article wins, in either order.
      ...(force ? {} : { ConditionExpression: 'attribute_not_exists(pk) OR newest <= :newest', ExpressionAttributeValues: { ':newest': record.newest } }),
    });
    await dynamoDbCall('PutItem feed directory', this.tableName, async () => {
      try {
        await this.client.send(put);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    });
  }

  async delete(path: string): Promise<void> {
    await dynamoDbCall('DeleteItem feed directory', this.tableName, () =>
      this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: DIRECTORY_PK, sk: path } })),
    );
  }
}
