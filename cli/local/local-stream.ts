import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { Article } from '../../shared/model/article.js';
import type { ArticleRepository } from '../../shared/ports.js';

export type StreamConsumer = {
  name: string;
  handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;
};

export interface StreamDelivery {
  consumer: string;
  /** Records the consumer still reported as failed after the retries. */
  failedRecords: number;
  ms: number;
}

export interface StreamStopReport {
  /** The build running when stopping began: none, finished within the grace period, or abandoned. */
  inFlight: 'none' | 'finished' | 'abandoned';
  /** Changes not built in this run; their markers make the next start build them. */
  leftPending: number;
}

/** What became of one change once a build that includes it ran. */
export interface BuildReport {
  /** Articles built together in that batch. */
  batchSize: number;
  deliveries: StreamDelivery[];
  /** False when a consumer failed on this article: its change stays pending and is built again at the next start. */
  built: boolean;
}

/**
 * The durable half of the local stream: a marker per changed article, written before the article
 * itself and removed once every consumer built the change. DynamoDB Streams record a change in
 * the same write as the item; dynalite has no streams and no transactions, so the marker is a
 * write-ahead record instead: after a crash at any point, every change that may not have been
 * built still has its marker, and the next start builds it (the builders read current state, so
 * building a change twice, or one whose article write never happened, is harmless).
 */
export interface StreamJournal {
  /** Records that `articleId` is about to change; returns the marker's sequence number. */
  mark(articleId: string): Promise<number>;
  /** Every marker left, article id to sequence number. */
  pending(): Promise<Map<string, number>>;
  /** Removes markers, each only if it still has the given sequence number (a newer change keeps its own). */
  clear(entries: readonly (readonly [string, number])[]): Promise<void>;
}

export interface LocalStreamOptions {
  journal?: StreamJournal;
  /** Records per stream event, as a Lambda event source mapping's BatchSize (DynamoDB Streams: 100 by default). */
  batchSize?: number;
  /** Redeliveries of records a consumer reports as failed. */
  retries?: number;
  region?: string;
  log?: (line: string) => void;
}

interface Change {
  seq: number | undefined;
  done: Promise<BuildReport>;
  resolve: (report: BuildReport) => void;
}

/**
 * Plays DynamoDB Streams for the local runtime. Changed article ids collect in a dirty set;
 * one batch is built at a time, like one shard, and every change that arrives while a batch
 * is being built goes into the next one. So N articles ingested at once cost about one build
 * of each affected feed, not N, as in AWS where one Lambda invocation serves up to 100 records.
 * Every consumer gets a stream event of the shape Lambda delivers (keys of the article item);
 * records it reports as failed are redelivered a few times, as Lambda retries them.
 */
export class LocalStream {
  private sequence = 0;
  private readonly dirty = new Map<string, Change>();
  private readonly inFlight = new Map<string, Change>();
  private running: Promise<void> | undefined;
  private stopping = false;
  private readonly batchSize: number;
  private readonly retries: number;
  private readonly region: string;
  private readonly log: (line: string) => void;

  constructor(
    private readonly consumers: readonly StreamConsumer[],
    private readonly options: LocalStreamOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.retries = options.retries ?? 2;
    this.region = options.region ?? 'us-east-1';
    this.log = options.log ?? (() => undefined);
  }

  /**
   * The repository the ingest handlers write through locally: each write is preceded by its
   * journal marker and followed by the change entering the stream, whether the write succeeded
   * or lost a race (an extra build of an unchanged article changes nothing).
   */
  journaled(repository: ArticleRepository): ArticleRepository {
    const journal = this.options.journal;
    const save = async (article: Article, expectedVersion: number | undefined) => {
      const seq = journal ? await journal.mark(article.id) : undefined;
      try {
        return await repository.save(article, expectedVersion);
      } finally {
        this.enqueue([[article.id, seq]]);
      }
    };
    // Everything else is the repository's own, whatever the port grows.
    return new Proxy(repository, {
      get(target, property) {
        if (property === 'save') return save;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** Adds changes to the next batch and starts building if idle. */
  enqueue(changes: Iterable<readonly [string, number | undefined]>): void {
    for (const [id, seq] of changes) {
      const existing = this.dirty.get(id);
      if (existing) {
        // Coalesced: the article is built once in the next batch; the newest marker is the one to clear.
        if (seq !== undefined && (existing.seq === undefined || seq > existing.seq)) existing.seq = seq;
        continue;
      }
      let resolve!: (report: BuildReport) => void;
      const done = new Promise<BuildReport>((r) => (resolve = r));
      this.dirty.set(id, { seq, done, resolve });
    }
    this.kick();
  }

  /** Enqueues changes without journal markers and resolves once they are built (tests, examples). */
  publish(articleIds: readonly string[]): Promise<BuildReport[]> {
    this.enqueue(articleIds.map((id) => [id, undefined] as const));
    return this.whenBuilt(articleIds);
  }

  /** Resolves once a build that started after the latest change of each article has finished. */
  whenBuilt(articleIds: readonly string[]): Promise<BuildReport[]> {
    return Promise.all(
      articleIds.map((id) => this.dirty.get(id)?.done ?? this.inFlight.get(id)?.done ?? Promise.resolve({ batchSize: 0, deliveries: [], built: true })),
    );
  }

  /** Changes waiting or being built. */
  get backlog(): number {
    return this.dirty.size + this.inFlight.size;
  }

  /** Queues every change an earlier run left unbuilt (its markers); returns their article ids. */
  async replay(): Promise<string[]> {
    const journal = this.options.journal;
    if (!journal) return [];
    const pending = await journal.pending();
    this.enqueue(pending);
    return [...pending.keys()];
  }

  /** Resolves when nothing is waiting or being built. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /**
   * Stops taking new batches. The batch being built may finish within `graceMs`; otherwise it is
   * abandoned (its markers stay, so the next start builds it again). Says which, and how many
   * changes were left for the next start.
   */
  async close(graceMs: number): Promise<StreamStopReport> {
    if (this.stopping) return { inFlight: 'none', leftPending: this.dirty.size };
    this.stopping = true;
    const building = this.inFlight.size;
    const current = this.running;
    let finished = true;
    if (current) {
      let timer: NodeJS.Timeout | undefined;
      finished = await Promise.race([
        current.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
      ]);
      clearTimeout(timer);
    }
    const report: StreamStopReport = {
      inFlight: building === 0 && !current ? 'none' : finished ? 'finished' : 'abandoned',
      leftPending: this.dirty.size + (finished ? 0 : this.inFlight.size),
    };
    // Whoever waits for a build that will not happen in this run hears so now.
    for (const change of [...this.dirty.values(), ...(finished ? [] : this.inFlight.values())]) {
      change.resolve({ batchSize: 0, deliveries: [], built: false });
    }
    return report;
  }

  private kick(): void {
    if (this.running || this.stopping || this.dirty.size === 0) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      // A change enqueued while the last batch was being cleared starts the next run.
      this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.dirty.size > 0 && !this.stopping) {
      for (const [id, change] of this.dirty) {
        if (this.inFlight.size >= this.batchSize) break;
        this.inFlight.set(id, change);
        this.dirty.delete(id);
      }
      const ids = [...this.inFlight.keys()];
      const { deliveries, failedIds } = await this.deliver(ids);
      const built = [...this.inFlight].filter(([id]) => !failedIds.has(id));
      const journal = this.options.journal;
      if (journal) {
        const cleared = built.flatMap(([id, c]) => (c.seq === undefined ? [] : [[id, c.seq] as const]));
        await journal.clear(cleared).catch((error: Error) => this.log(`stream: could not clear ${cleared.length} built change(s) (${error.message}); they are built again at the next start`));
      }
      if (failedIds.size > 0) {
        this.log(`stream: ${failedIds.size} change(s) failed in a consumer (see the log above); they stay pending and are built again at the next start, or now with 'warta rebuild ${[...failedIds].slice(0, 3).join(' ')}${failedIds.size > 3 ? ' …' : ''}'`);
      }
      this.log(
        `stream: built ${ids.length} change(s) (${deliveries.map((d) => `${d.consumer} ${d.ms} ms`).join(', ')}); ${this.dirty.size} waiting`,
      );
      for (const [id, change] of this.inFlight) change.resolve({ batchSize: ids.length, deliveries, built: !failedIds.has(id) });
      this.inFlight.clear();
    }
  }

  private async deliver(articleIds: readonly string[]): Promise<{ deliveries: StreamDelivery[]; failedIds: Set<string> }> {
    const event = this.eventFor(articleIds);
    const idOf = new Map(event.Records.map((r, i) => [r.dynamodb?.SequenceNumber ?? '', articleIds[i] as string]));
    const deliveries: StreamDelivery[] = [];
    const failedIds = new Set<string>();
    for (const consumer of this.consumers) {
      const started = performance.now();
      let pending = event;
      for (let attempt = 0; attempt <= this.retries && pending.Records.length > 0; attempt++) {
        let response: DynamoDBBatchResponse | void;
        try {
          response = await consumer.handler(pending);
        } catch (error) {
          this.log(`stream: ${consumer.name} threw on a batch of ${pending.Records.length}: ${(error as Error).message}`);
          continue;
        }
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        // Lambda checkpoints streams at the lowest failed sequence number and redelivers from there.
        const firstFailed = pending.Records.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
        pending = { Records: firstFailed < 0 ? [] : pending.Records.slice(firstFailed) };
      }
      for (const record of pending.Records) failedIds.add(idOf.get(record.dynamodb?.SequenceNumber ?? '') ?? '');
      deliveries.push({ consumer: consumer.name, failedRecords: pending.Records.length, ms: Math.round(performance.now() - started) });
    }
    return { deliveries, failedIds };
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
