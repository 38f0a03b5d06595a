import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StorageError } from '../errors.js';
import type { PartnerDelivery, PartnerDeliveryChange, PartnerDeliveryStore, PartnerFormat } from '../partners/partner.js';
import { batchBackoff, batchGetAll, dynamoDbCall } from './dynamodb-errors.js';

/**
 * What each partner has been sent, beside the registry in the single table:
 *   pk PARTNER#<id>  sk SENT            formats published, index published
 *   pk PARTNER#<id>  sk NINJS#<article> sha256 of the published ninjs document
 * A change reads the SENT item of every partner and the NINJS items of the changed articles in one
 * BatchGetItem, whatever the size of the archive (issue: the S3 listing this replaces grew with it).
 */
const deliveryPk = (partnerId: string) => `PARTNER#${partnerId}`;
const SENT_SK = 'SENT';
const NINJS_SK_PREFIX = 'NINJS#';
const ninjsSk = (articleId: string) => `${NINJS_SK_PREFIX}${articleId}`;

const BATCH_WRITE_LIMIT = 25;
const MAX_UNPROCESSED_ROUNDS = 8;

export class DynamoDbPartnerDeliveries implements PartnerDeliveryStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async read(partnerIds: readonly string[], articleIds: readonly string[]): Promise<Map<string, PartnerDelivery>> {
    const result = new Map<string, PartnerDelivery>();
    const keys: { pk: string; sk: string }[] = [];
    for (const partnerId of new Set(partnerIds)) {
      result.set(partnerId, { indexed: false, formats: [], documents: new Map() });
      keys.push({ pk: deliveryPk(partnerId), sk: SENT_SK });
      for (const articleId of new Set(articleIds)) keys.push({ pk: deliveryPk(partnerId), sk: ninjsSk(articleId) });
    }
    for (const item of await batchGetAll(this.client, this.tableName, keys, 'partner deliveries')) {
      const delivery = result.get(String(item['pk']).slice('PARTNER#'.length));
      if (!delivery) continue;
      const sk = String(item['sk']);
      if (sk === SENT_SK) {
        delivery.indexed = item['indexed'] === true;
        delivery.formats = (item['formats'] as PartnerFormat[] | undefined) ?? [];
      } else if (sk.startsWith(NINJS_SK_PREFIX)) {
        delivery.documents.set(sk.slice(NINJS_SK_PREFIX.length), String(item['sha']));
      }
    }
    return result;
  }

  async record(changes: readonly PartnerDeliveryChange[]): Promise<void> {
    // One request per item key: a later change to the same item in this batch wins (BatchWriteItem refuses duplicates).
    const requests = new Map<string, Record<string, unknown>>();
    for (const change of changes) {
      const pk = deliveryPk(change.partnerId);
      if (change.formats) {
        requests.set(`${pk}\u0000${SENT_SK}`, {
          PutRequest: { Item: { pk, sk: SENT_SK, entity: 'partner-delivery', indexed: true, formats: [...change.formats] } },
        });
      }
      for (const [articleId, sha] of change.documents ?? []) {
        requests.set(`${pk}\u0000${ninjsSk(articleId)}`, {
          PutRequest: { Item: { pk, sk: ninjsSk(articleId), entity: 'partner-document', sha } },
        });
      }
      for (const articleId of change.removed ?? []) {
        requests.set(`${pk}\u0000${ninjsSk(articleId)}`, { DeleteRequest: { Key: { pk, sk: ninjsSk(articleId) } } });
      }
    }
    await this.batchWrite([...requests.values()]);
  }

  async documentIds(partnerId: string): Promise<string[]> {
    return (await this.queryAll(partnerId)).filter((sk) => sk.startsWith(NINJS_SK_PREFIX)).map((sk) => sk.slice(NINJS_SK_PREFIX.length));
  }

  async forget(partnerId: string): Promise<void> {
    const pk = deliveryPk(partnerId);
    await this.batchWrite((await this.queryAll(partnerId)).map((sk) => ({ DeleteRequest: { Key: { pk, sk } } })));
  }

  private async queryAll(partnerId: string): Promise<string[]> {
    const sortKeys: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.call('Query partner deliveries', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': deliveryPk(partnerId) },
            ProjectionExpression: 'sk',
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) sortKeys.push(String(item['sk']));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return sortKeys;
  }

  private async batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    for (let start = 0; start < requests.length; start += BATCH_WRITE_LIMIT) {
      let pending = requests.slice(start, start + BATCH_WRITE_LIMIT);
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_UNPROCESSED_ROUNDS) throw new StorageError('BatchWriteItem kept returning unprocessed partner delivery items');
        if (round > 0) await batchBackoff(round);
        const out = await this.call('BatchWriteItem partner deliveries', () =>
          this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } })),
        );
        pending = (out.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined) ?? [];
      }
    }
  }

  private call<T>(what: string, send: () => Promise<T>): Promise<T> {
    return dynamoDbCall(what, this.tableName, send);
  }
}
