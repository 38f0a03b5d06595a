import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { SitemapEntryRecord, SitemapStore, SitemapSummary } from '../sitemaps/build-sitemaps.js';
import { dynamoDbCall } from './dynamodb-errors.js';

/**
 * Sitemap state in the articles table (docs/storage.md, "Sitemaps"):
 *   pk SITEMAP#<YYYY-MM>  sk <listing key>   { url, title, language, publishedAt, updatedAt }  one per public article
 *   pk SITEMAPS           sk <news | YYYY-MM> { fileLastmods }                                  what the index lists
 * A month's sitemap is one Query of its partition; the index one Query of SITEMAPS.
 */
const monthPk = (month: string) => `SITEMAP#${month}`;
const SUMMARY_PK = 'SITEMAPS';

export class DynamoDbSitemapStore implements SitemapStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putEntry(month: string, entry: SitemapEntryRecord): Promise<void> {
    const { sortKey, ...fields } = entry;
    await this.call('PutItem sitemap entry', () =>
      this.client.send(new PutCommand({ TableName: this.tableName, Item: { pk: monthPk(month), sk: sortKey, entity: 'sitemap-entry', ...fields } })),
    );
  }

  async deleteEntry(month: string, sortKey: string): Promise<void> {
    await this.call('DeleteItem sitemap entry', () =>
      this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: monthPk(month), sk: sortKey } })),
    );
  }

  async entries(month: string, after?: string): Promise<SitemapEntryRecord[]> {
    const items = await this.query('Query sitemap month', {
      KeyConditionExpression: after === undefined ? 'pk = :pk' : 'pk = :pk AND sk > :after',
      ExpressionAttributeValues: { ':pk': monthPk(month), ...(after === undefined ? {} : { ':after': after }) },
    });
    return items.map((item) => ({
      sortKey: String(item['sk']),
      url: String(item['url']),
      title: String(item['title']),
      language: String(item['language']),
      publishedAt: String(item['publishedAt']),
      updatedAt: String(item['updatedAt']),
    }));
  }

  async summaries(): Promise<SitemapSummary[]> {
    const items = await this.query('Query sitemap summaries', {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': SUMMARY_PK },
    });
    return items.map((item) => ({ name: String(item['sk']), fileLastmods: (item['fileLastmods'] as string[] | undefined) ?? [] }));
  }

  async putSummary(summary: SitemapSummary): Promise<void> {
    await this.call('PutItem sitemap summary', () =>
      this.client.send(
        new PutCommand({ TableName: this.tableName, Item: { pk: SUMMARY_PK, sk: summary.name, entity: 'sitemap-summary', fileLastmods: summary.fileLastmods } }),
      ),
    );
  }

  async deleteSummary(name: string): Promise<void> {
    await this.call('DeleteItem sitemap summary', () =>
      this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { pk: SUMMARY_PK, sk: name } })),
    );
  }

  private async query(what: string, input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.call(what, () =>
        this.client.send(new QueryCommand({ TableName: this.tableName, ConsistentRead: true, ...input, ExclusiveStartKey: start })),
      );
      items.push(...((out.Items ?? []) as Record<string, unknown>[]));
      start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
    } while (start);
    return items;
  }

  private call<T>(what: string, send: () => Promise<T>): Promise<T> {
    return dynamoDbCall(what, this.tableName, send);
  }
}
