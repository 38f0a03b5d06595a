import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StorageError } from '../errors.js';

const BATCH_WRITE_LIMIT = 25;
const BATCH_GET_LIMIT = 100;
const MAX_UNPROCESSED_ROUNDS = 8;

/**
 * Runs one DynamoDB request and translates any SDK failure into a StorageError that names the
 * operation and the table, keeping the SDK error as its cause.
 */
export async function dynamoDbCall<T>(what: string, tableName: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new StorageError(`DynamoDB ${what} failed on table ${tableName}`, { cause: error });
  }
}

/** Exponential backoff for unprocessed batch items: 50 ms, 100 ms, … capped at one second. */
export function batchBackoff(round: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** round)));
}

/**
 * Writes (puts and deletes) in BatchWriteItem requests of at most 25, resending unprocessed items with
 * backoff; fails with a StorageError when DynamoDB keeps returning some after several rounds.
 */
export async function batchWriteAll(client: DynamoDBDocumentClient, tableName: string, requests: Record<string, unknown>[], what: string): Promise<void> {
  for (let start = 0; start < requests.length; start += BATCH_WRITE_LIMIT) {
    let pending = requests.slice(start, start + BATCH_WRITE_LIMIT);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_UNPROCESSED_ROUNDS) throw new StorageError(`BatchWriteItem kept returning unprocessed ${what}`);
      if (round > 0) await batchBackoff(round);
      const out = await dynamoDbCall(`BatchWriteItem ${what}`, tableName, () =>
        client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } })),
      );
      pending = (out.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined) ?? [];
    }
  }
}

/**
 * Reads items by key in strongly consistent BatchGetItem requests of at most 100 keys, asking again for
 * unprocessed keys with backoff; fails with a StorageError when DynamoDB keeps returning some after
 * several rounds. Items come back in no particular order; keys without an item are simply absent.
 */
export async function batchGetAll(client: DynamoDBDocumentClient, tableName: string, keys: readonly Record<string, unknown>[], what: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) {
    let pending = keys.slice(start, start + BATCH_GET_LIMIT);
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_UNPROCESSED_ROUNDS) throw new StorageError(`BatchGetItem kept returning unprocessed ${what} keys`);
      if (round > 0) await batchBackoff(round);
      const out = await dynamoDbCall(`BatchGetItem ${what}`, tableName, () =>
        client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } })),
      );
      items.push(...(out.Responses?.[tableName] ?? []));
      pending = (out.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  return items;
}
