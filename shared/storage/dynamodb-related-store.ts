import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { StorageError } from '../errors.js';
import { batchBackoff, dynamoDbCall } from './dynamodb-errors.js';
import { DEFAULT_SETTINGS, type RelatedSettings } from '../related/related-index.js';
import type {
  CounterUpdate,
  FoldGuard,
  IndexItem,
  IndexKey,
  IndexUsage,
  QueryOptions,
  ReadOptions,
  RelatedIndexStore,
  RelatedLink,
  RelatedLinksReader,
} from '../related/related-index-store.js';
import { readRelatedLinks } from '../related/related-lists.js';
import { Limiter, settleAll } from '../related/concurrency.js';

const BATCH_GET_LIMIT = 100;
const BATCH_WRITE_LIMIT = 25;
const MAX_UNPROCESSED_ROUNDS = 8;
/** Requests one store keeps in flight (all operations together); see docs/related.md. */
export const DEFAULT_MAX_IN_FLIGHT = 16;

const keyString = (k: { pk: unknown; sk: unknown }) => `${String(k.pk)}\u0000${String(k.sk)}`;

/**
 * The related index in the shared single table (layout in shared/related/related-index.ts and
 * docs/related.md; only RSTATS, TERMDF#, RIDX#, RSIG#, RTITLE#, RHEAD#, RELATED# and STORY# keys).
 * Reads are eventually consistent: the index tolerates a just-written posting being missed once,
 * and halves the read cost. Also serves stored related lists to feed and partner rendering.
 *
 * Independent requests run side by side: the pages of a BatchGet or BatchWrite larger than one
 * request and the counter updates, at most `maxInFlight` requests at a time across every operation
 * of this store (the use case also issues independent operations concurrently).
 */
export class DynamoDbRelatedStore implements RelatedIndexStore, RelatedLinksReader {
  private readonly counts: IndexUsage = { itemsRead: 0, itemsWritten: 0 };
  private readonly slots: Limiter;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly settings: RelatedSettings = DEFAULT_SETTINGS,
    maxInFlight: number = DEFAULT_MAX_IN_FLIGHT,
  ) {
    this.slots = new Limiter(maxInFlight);
  }

  async getItems(keys: readonly IndexKey[], options: ReadOptions = {}): Promise<IndexItem[]> {
    const unique = [...new Map(keys.map((k) => [keyString(k), { pk: k.pk, sk: k.sk }])).values()];
    const pages: IndexKey[][] = [];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) pages.push(unique.slice(start, start + BATCH_GET_LIMIT));
    const found = new Map<string, IndexItem>();
    await settleAll(pages.map((page) => this.batchGet(page, found, options.consistent === true)));
    // Callers see the items in the order they asked for, whatever order the pages came back in.
    const out = unique.flatMap((k) => found.get(keyString(k)) ?? []);
    this.counts.itemsRead += out.length;
    return out;
  }

  /** One BatchGetItem page, retrying unprocessed keys with backoff. */
  private async batchGet(page: readonly IndexKey[], found: Map<string, IndexItem>, consistent: boolean): Promise<void> {
    let pending: Record<string, unknown>[] = page.map((k) => ({ pk: k.pk, sk: k.sk }));
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_UNPROCESSED_ROUNDS) throw new StorageError('BatchGetItem kept returning unprocessed keys');
      if (round > 0) await batchBackoff(round);
      const keysNow = pending;
      const result = await this.call('BatchGetItem', () =>
        this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keysNow, ...(consistent ? { ConsistentRead: true } : {}) } } })),
      );
      for (const item of (result.Responses?.[this.tableName] ?? []) as IndexItem[]) found.set(keyString(item), item);
      pending = (result.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }

  async queryItems(pk: string, options: QueryOptions = {}): Promise<IndexItem[]> {
    const out: IndexItem[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const remaining = options.limit === undefined ? undefined : options.limit - out.length;
      const input: QueryCommandInput = {
        TableName: this.tableName,
        KeyConditionExpression: options.skPrefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...(options.skPrefix ? { ':prefix': options.skPrefix } : {}) },
        ...(remaining !== undefined ? { Limit: remaining } : {}),
        ...(options.consistent ? { ConsistentRead: true } : {}),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      };
      const result = await this.call('Query', () => this.client.send(new QueryCommand(input)));
      out.push(...((result.Items ?? []) as IndexItem[]));
      startKey = result.LastEvaluatedKey;
    } while (startKey && (options.limit === undefined || out.length < options.limit));
    this.counts.itemsRead += out.length;
    return out;
  }

  async writeItems(puts: readonly IndexItem[], deletes: readonly IndexKey[]): Promise<void> {
    const requests: Record<string, unknown>[] = [
      ...puts.map((item) => ({ PutRequest: { Item: item } })),
      ...deletes.map((k) => ({ DeleteRequest: { Key: { pk: k.pk, sk: k.sk } } })),
    ];
    const pages: Record<string, unknown>[][] = [];
    for (let start = 0; start < requests.length; start += BATCH_WRITE_LIMIT) pages.push(requests.slice(start, start + BATCH_WRITE_LIMIT));
    // Pages hold distinct keys (the port forbids a key twice), so their order does not matter.
    await settleAll(pages.map((page) => this.batchWrite(page)));
    this.counts.itemsWritten += requests.length;
  }

  /** One BatchWriteItem page, retrying unprocessed items with backoff. */
  private async batchWrite(page: Record<string, unknown>[]): Promise<void> {
    let pending = page;
    for (let round = 0; pending.length > 0; round++) {
      if (round >= MAX_UNPROCESSED_ROUNDS) throw new StorageError('BatchWriteItem kept returning unprocessed items');
      if (round > 0) await batchBackoff(round);
      const batch = pending;
      const result = await this.call('BatchWriteItem', () =>
        this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: batch } })),
      );
      pending = (result.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined) ?? [];
    }
  }

  async incrementCounters(key: IndexKey, deltas: Readonly<Record<string, number>>): Promise<Record<string, number>> {
    const entries = Object.entries(deltas);
    const result = await this.call('UpdateItem counters', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: key.pk, sk: key.sk },
          UpdateExpression: `ADD ${entries.map((_, i) => `#a${i} :d${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(entries.map(([a], i) => [`#a${i}`, a])),
          ExpressionAttributeValues: Object.fromEntries(entries.map(([, d], i) => [`:d${i}`, d])),
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    this.counts.itemsWritten += 1;
    return Object.fromEntries(Object.entries(result.Attributes ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number'));
  }

  async addCountersOnce(updates: readonly CounterUpdate[], guard: FoldGuard): Promise<void> {
    // UpdateItem per counter: ADD is atomic, and the condition on the guard attribute makes a
    // repeated fold a no-op for the counters it already reached (see shared/related/document-frequency.ts).
    await settleAll(
      updates.map((u) =>
        this.call(
          'UpdateItem counter',
          async () => {
            try {
              await this.client.send(
                new UpdateCommand({
                  TableName: this.tableName,
                  Key: { pk: u.key.pk, sk: u.key.sk },
                  UpdateExpression: 'ADD #a :d SET #g = :seq',
                  ConditionExpression: 'attribute_not_exists(#g) OR #g < :seq',
                  ExpressionAttributeNames: { '#a': u.attribute, '#g': guard.attribute },
                  ExpressionAttributeValues: { ':d': u.delta, ':seq': guard.seq },
                }),
              );
            } catch (error) {
              if (!(error instanceof ConditionalCheckFailedException)) throw error;
            }
          },
          // Folds are awaited late (see indexArticleItems): they must not hold up the search's reads.
          true,
        ),
      ),
    );
    this.counts.itemsWritten += updates.length;
  }

  async putIfMatches(item: IndexItem, attribute: string, expected: string | number | undefined): Promise<boolean> {
    const written = await this.call('PutItem conditional', async () => {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ...(expected === undefined
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : { ConditionExpression: '#c = :expected', ExpressionAttributeNames: { '#c': attribute }, ExpressionAttributeValues: { ':expected': expected } }),
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    });
    this.counts.itemsWritten += 1;
    return written;
  }

  usage(): IndexUsage {
    return { ...this.counts };
  }

  /** Related links of several articles: one BatchGet of their stored lists. */
  async relatedLinks(articleIds: readonly string[]): Promise<Map<string, RelatedLink[]>> {
    return readRelatedLinks(this, articleIds, this.settings);
  }

  private call<T>(what: string, send: () => Promise<T>, background = false): Promise<T> {
    return dynamoDbCall(what, this.tableName, () => this.slots.run(send, { background }));
  }
}
