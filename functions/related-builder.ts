import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { RelatedBatch, type UpdateRelatedDeps } from '../shared/related/update-related.js';
import { productionDependencies, resolveDependencies, type Dependencies, type DependencySource } from '../shared/runtime/dependencies.js';
import { articleIdOfStreamRecord } from '../shared/runtime/stream-records.js';
import { websubNotifier } from '../shared/runtime/websub-notifier.js';
import { changedFeedTopics, type HubNotifier } from '../shared/websub/notify-hubs.js';

export type RelatedBuilderDeps = Pick<Dependencies, 'logger'> & {
  related: UpdateRelatedDeps;
  /** Tells the configured WebSub hubs about story feeds whose bytes changed; absent when no hub is configured. */
  websub?: HubNotifier;
};

/**
 * DynamoDB stream entry point: updates related lists and stories for each changed article
 * (records of other items are skipped). Records run one at a time, in stream order, because
 * neighbouring articles update each other's lists; they share one `RelatedBatch`, whose cache
 * spares the requests of reading again what earlier records of the batch read or wrote. A failing
 * record is reported as a partial batch failure so Lambda retries from it.
 */
export function createRelatedBuilderHandler(source: DependencySource<RelatedBuilderDeps>) {
  const deps = resolveDependencies(source);
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { related, logger, websub } = deps();
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    const written: string[] = [];
    // One batch shares what its records read and wrote (exactly as if each ran alone, in order).
    const batch = new RelatedBatch(related);
    await batch.prefetch(event.Records.flatMap((r) => articleIdOfStreamRecord(r) ?? []));
    const response = await processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        const id = articleIdOfStreamRecord(record);
        if (!id) return;
        const result = await batch.update(id);
        written.push(...result.written);
        logger.info('Related updated', { articleId: id, written: result.written.length, deleted: result.deleted.length });
      },
      processor,
      { processInParallel: false, throwOnFullBatchFailure: false },
    );
    // Story feeds (feeds/story/<id>.*) are public feeds too: one notification per hub for every story feed
    // this batch changed, records that failed included up to what they wrote. It never throws.
    if (websub) await websub.notify(changedFeedTopics(written, related.site.feedsBaseUrl));
    return response;
  };
}

export const handler = createRelatedBuilderHandler(() => {
  const deps = productionDependencies();
  const websub = websubNotifier(deps);
  return {
    ...(websub ? { websub } : {}),
    logger: deps.logger,
    related: {
      articles: deps.articles,
      store: deps.related,
      publisher: deps.publisher,
      site: deps.config.site,
      clock: deps.clock,
    },
  };
});
