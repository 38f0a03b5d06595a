import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDbCall } from './dynamodb-errors.js';
import { PartnerSchema, type Partner, type PartnerRepository } from '../partners/partner.js';

/**
 * Partner registry items in the single table: `pk = PARTNERS`, `sk = <id>`. The registry is small
 * (tens of partners) and read on every feed build, so it lives in one partition: `list()` is one
 * Query, never a table scan; every page is followed.
 */
export const PARTNERS_PARTITION = 'PARTNERS';
const partnerKey = (id: string) => ({ pk: PARTNERS_PARTITION, sk: id });

export class DynamoDbPartnerRepository implements PartnerRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async list(): Promise<Partner[]> {
    const partners: Partner[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.call('Query partners', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': PARTNERS_PARTITION },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      for (const item of page.Items ?? []) partners.push(toPartner(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return partners.sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<Partner | undefined> {
    const out = await this.call('GetItem partner', () =>
      this.client.send(new GetCommand({ TableName: this.tableName, Key: partnerKey(id), ConsistentRead: true })),
    );
    return out.Item ? toPartner(out.Item) : undefined;
  }

  async put(partner: Partner): Promise<void> {
    const item = { ...partnerKey(partner.id), entity: 'partner', ...PartnerSchema.parse(partner) };
    await this.call('PutItem partner', () => this.client.send(new PutCommand({ TableName: this.tableName, Item: item })));
  }

  private call<T>(what: string, send: () => Promise<T>): Promise<T> {
    return dynamoDbCall(what, this.tableName, send);
  }
}

function toPartner(item: Record<string, unknown>): Partner {
  const { pk: _pk, sk: _sk, entity: _entity, ...fields } = item;
  return PartnerSchema.parse(fields);
}
