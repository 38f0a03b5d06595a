import { StorageError } from '../errors.js';

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
