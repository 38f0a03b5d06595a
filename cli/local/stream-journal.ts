import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapConcurrent } from '../../shared/related/concurrency.js';
import type { StreamJournal } from './local-stream.js';

/** Partition of the local stream's markers (docs/operations.md); the local runtime's own, never used in AWS. */
export const STREAM_JOURNAL_PK = 'LOCALSTREAM';

/**
 * The local stream's markers in the table itself (pk LOCALSTREAM, sk <article id>, seq), so they
 * live and die with the data they describe: same data folder, same `--memory` lifetime.
 */
export class DynamoDbStreamJournal implements StreamJournal {
  private counter = 0;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async mark(articleId: string): Promise<number> {
    // Milliseconds times a thousand plus a counter: increasing within a run and from one run to the next.
    const seq = Date.now() * 1000 + (this.counter++ % 1000);
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: STREAM_JOURNAL_PK, sk: articleId, entity: 'stream-marker', seq } }),
    );
    return seq;
  }

  async pending(): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': STREAM_JOURNAL_PK },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) found.set(String(item['sk']), Number(item['seq']));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  async clear(entries: readonly (readonly [string, number])[]): Promise<void> {
    await mapConcurrent(entries, 16, async ([articleId, seq]) => {
      try {
        await this.client.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk: STREAM_JOURNAL_PK, sk: articleId },
            ConditionExpression: 'seq = :seq',
            ExpressionAttributeValues: { ':seq': seq },
          }),
        );
      } catch (error) {
        // A newer change of the article re-marked it while this one was built: that marker stays.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    });
  }
}
