import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DirectoryRecord, FeedDirectoryStore } from '../discovery/build-discovery.js';
import type { DirectoryFeed } from '../discovery/render-discovery.js';
import { batchGetAll, dynamoDbCall } from './dynamodb-errors.js';

/**
 * The feed directory in the articles table (docs/storage.md): pk FEEDS, sk <feed path>, with the
 * feed's display `name` and the listing key of its `newest` article; and one counter item
 * (pk FEEDS-MEMBERSHIP) that moves whenever a feed joins or leaves the directory or changes its name.
 *
 * Every change moves some feed's `newest`, but the discovery files list only paths and names, which
 * change rarely. So the list of feeds is read whole (one Query of the partition, growing with the
 * number of sections, tags and authors) only when the counter moved since this process last read it;
 * otherwise one GetItem of the counter. The counter moves after the record is written, so a list read
 * after reading a counter value holds every change counted up to it; a crash between the write and the
 * count could leave a list stale, so a cached list is also trusted for at most `MAX_CACHE_AGE_MS`.
 */
const DIRECTORY_PK = 'FEEDS';
const MEMBERSHIP_KEY = { pk: 'FEEDS-MEMBERSHIP', sk: 'COUNTER' };
const MAX_CACHE_AGE_MS = 5 * 60_000;

export class DynamoDbFeedDirectory implements FeedDirectoryStore {
  /** The builders keep one store for the life of the process (a Lambda execution environment: many invocations). */
  private cached: { membership: number; feeds: DirectoryFeed[]; readAt: number } | undefined;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async all(): Promise<DirectoryRecord[]> {
    const records: DirectoryRecord[] = [];
    await this.queryAll(undefined, (item) => records.push({ path: String(item['sk']), name: String(item['name'] ?? ''), newest: String(item['newest'] ?? '') }));
    return records;
  }

  async get(paths: readonly string[]): Promise<Map<string, DirectoryRecord>> {
    const keys = [...new Set(paths)].map((path) => ({ pk: DIRECTORY_PK, sk: path }));
    const items = await batchGetAll(this.client, this.tableName, keys, 'feed directory');
    return new Map(items.map((item) => [String(item['sk']), { path: String(item['sk']), name: String(item['name'] ?? ''), newest: String(item['newest'] ?? '') }]));
  }

  async feeds(): Promise<DirectoryFeed[]> {
    const membership = await this.membership();
    const cached = this.cached;
    if (cached && cached.membership === membership && this.now() - cached.readAt < MAX_CACHE_AGE_MS) return cached.feeds.map((f) => ({ ...f }));
    const readAt = this.now();
    const feeds: DirectoryFeed[] = [];
    await this.queryAll('sk, #name', (item) => feeds.push({ path: String(item['sk']), name: String(item['name'] ?? '') }));
    this.cached = { membership, feeds, readAt };
    return feeds.map((f) => ({ ...f }));
  }

  async put(record: DirectoryRecord, force = false): Promise<void> {
    const put = new PutCommand({
      TableName: this.tableName,
      Item: { pk: DIRECTORY_PK, sk: record.path, entity: 'feed-directory', name: record.name, newest: record.newest },
      ReturnValues: 'ALL_OLD',
      // Two builders moving one record forward: the one naming the newer article wins, in either order.
      ...(force ? {} : { ConditionExpression: 'attribute_not_exists(pk) OR newest <= :newest', ExpressionAttributeValues: { ':newest': record.newest } }),
    });
    const old = await dynamoDbCall('PutItem feed directory', this.tableName, async () => {
      try {
        return (await this.client.send(put)).Attributes;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        return null;
      }
    });
    if (old !== null && (old === undefined || old['name'] !== record.name)) await this.countMembershipChange();
  }

  async delete(path: string): Promise<void> {
    const out = await dynamoDbCall('DeleteItem feed directory', this.tableName, () =>
      this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: DIRECTORY_PK, sk: path }, ReturnValues: 'ALL_OLD' })),
    );
    if (out.Attributes) await this.countMembershipChange();
  }

  private async membership(): Promise<number> {
    const out = await dynamoDbCall('GetItem feed directory counter', this.tableName, () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: MEMBERSHIP_KEY, ConsistentRead: true })),
    );
    return Number(out.Item?.['membership'] ?? 0);
  }

  private async countMembershipChange(): Promise<void> {
    await dynamoDbCall('UpdateItem feed directory counter', this.tableName, () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: MEMBERSHIP_KEY,
          UpdateExpression: 'ADD membership :one SET entity = :entity',
          ExpressionAttributeValues: { ':one': 1, ':entity': 'feed-directory-counter' },
        }),
      ),
    );
  }

  private async queryAll(projection: string | undefined, each: (item: Record<string, unknown>) => void): Promise<void> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await dynamoDbCall('Query feed directory', this.tableName, () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': DIRECTORY_PK },
            ...(projection ? { ProjectionExpression: projection, ExpressionAttributeNames: { '#name': 'name' } } : {}),
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) each(item);
      start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
    } while (start);
  }
}
