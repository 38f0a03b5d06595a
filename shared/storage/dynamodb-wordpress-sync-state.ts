import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StorageError } from '../errors.js';
import type { WordPressSyncState, WordPressSyncStateStore } from '../wordpress/sync-wordpress.js';
import { dynamoDbCall } from './dynamodb-errors.js';

/**
 * Where the scheduled WordPress sync keeps its position, in the articles table (docs/storage.md):
 *   pk WPSYNC#<site URL>  sk STATE  { site, modifiedAfter, lastRunAt, listed }
 * `listed` (the ids the site listed as published) is stored compactly: the sorted ids as differences
 * from the previous one in base 36, gzipped, as a binary attribute. WordPress ids are dense (posts,
 * revisions and attachments share one sequence), so a difference is one or two characters and 100,000
 * ids take well under DynamoDB's 400 KB item limit (measured in the adapter's test).
 */
const pk = (site: string) => `WPSYNC#${site}`;
const SK = 'STATE';
/** Leaves room for the other attributes under DynamoDB's 400 KB item limit. */
export const MAX_LISTED_BYTES = 350_000;

export function encodeIds(ids: readonly number[]): Buffer {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const deltas = sorted.map((id, i) => (i === 0 ? id : id - (sorted[i - 1] as number)).toString(36));
  return gzipSync(deltas.join(','), { level: 9 });
}

export function decodeIds(bytes: Uint8Array): number[] {
  const text = gunzipSync(bytes).toString('utf8');
  if (text === '') return [];
  let previous = 0;
  return text.split(',').map((delta) => (previous += Number.parseInt(delta, 36)));
}

export class DynamoDbWordPressSyncState implements WordPressSyncStateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async load(site: string): Promise<WordPressSyncState | undefined> {
    const out = await dynamoDbCall('GetItem wordpress sync state', this.tableName, () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: pk(site), sk: SK }, ConsistentRead: true })),
    );
    const item = out.Item;
    if (!item) return undefined;
    const state: WordPressSyncState = { site };
    if (typeof item['modifiedAfter'] === 'string') state.modifiedAfter = item['modifiedAfter'];
    if (typeof item['lastRunAt'] === 'string') state.lastRunAt = item['lastRunAt'];
    if (item['listed'] instanceof Uint8Array) state.listed = decodeIds(item['listed']);
    return state;
  }

  async save(state: WordPressSyncState): Promise<void> {
    const listed = state.listed === undefined ? undefined : encodeIds(state.listed);
    if (listed && listed.length > MAX_LISTED_BYTES) {
      throw new StorageError(`the ${state.listed?.length} post ids ${state.site} lists take ${listed.length} bytes compressed, more than the ${MAX_LISTED_BYTES} one state item holds`);
    }
    await dynamoDbCall('PutItem wordpress sync state', this.tableName, () =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: pk(state.site),
            sk: SK,
            entity: 'wordpress-sync-state',
            site: state.site,
            ...(state.modifiedAfter !== undefined ? { modifiedAfter: state.modifiedAfter } : {}),
            ...(state.lastRunAt !== undefined ? { lastRunAt: state.lastRunAt } : {}),
            ...(listed ? { listed } : {}),
          },
        }),
      ),
    );
  }
}
