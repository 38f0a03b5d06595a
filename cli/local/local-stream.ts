import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

export type StreamConsumer = {
  name: string;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
};

export interface StreamDelivery {
  consumer: string;
  failedRecords: number;
  ms: number;
}

/**
 * Plays DynamoDB Streams for the local runtime (dynalite has none): after each write the runtime
 * hands the changed article ids here, and every consumer gets one stream event of the same shape
 * Lambda delivers (keys of the article item). Deliveries run one at a time, like one shard,
 * and records a consumer reports as failed are redelivered a few times, as Lambda retries them.
 */
export class LocalStream {
  private sequence = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly consumers: readonly StreamConsumer[],
    private readonly region = 'us-east-1',
    private readonly retries = 2,
  ) {}

  publish(articleIds: readonly string[]): Promise<StreamDelivery[]> {
    const run = this.queue.then(() => this.deliver(articleIds));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async deliver(articleIds: readonly string[]): Promise<StreamDelivery[]> {
    if (articleIds.length === 0) return [];
    const event = this.eventFor(articleIds);
    const deliveries: StreamDelivery[] = [];
    for (const consumer of this.consumers) {
      const started = performance.now();
      let pending = event;
      let failed = 0;
      for (let attempt = 0; attempt <= this.retries && pending.Records.length > 0; attempt++) {
        const response = await consumer.handler(pending);
        const failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        // Lambda checkpoints streams at the lowest failed sequence number and redelivers from there.
        const firstFailed = pending.Records.findIndex((r) => failedIds.has(r.dynamodb?.SequenceNumber ?? ''));
        pending = { Records: firstFailed < 0 ? [] : pending.Records.slice(firstFailed) };
        failed = pending.Records.length;
      }
      deliveries.push({ consumer: consumer.name, failedRecords: failed, ms: Math.round(performance.now() - started) });
    }
    return deliveries;
  }

  private eventFor(articleIds: readonly string[]): DynamoDBStreamEvent {
    return {
      Records: articleIds.map((id) => {
        const sequenceNumber = String(++this.sequence).padStart(21, '0');
        return {
          eventID: `local-${sequenceNumber}`,
          eventName: 'MODIFY',
          eventVersion: '1.1',
          eventSource: 'aws:dynamodb',
          awsRegion: this.region,
          eventSourceARN: `arn:aws:dynamodb:${this.region}:000000000000:table/local/stream/local`,
          dynamodb: {
            Keys: { pk: { S: `ARTICLE#${id}` }, sk: { S: 'A' } },
            SequenceNumber: sequenceNumber,
            StreamViewType: 'NEW_AND_OLD_IMAGES',
            ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
          },
        };
      }),
    };
  }
}
