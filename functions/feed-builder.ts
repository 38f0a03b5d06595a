import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { feedBuildDependencies, productionDependencies, resolveDependencies, type Dependencies, type DependencySource } from '../shared/runtime/dependencies.js';
import { websubNotifier } from '../shared/runtime/websub-notifier.js';
import { articleIdOfStreamRecord } from '../shared/runtime/stream-records.js';
import { buildFeedsForArticles, type BuildFeedsDeps } from '../shared/usecases/build-feeds.js';
import { changedFeedTopics, type HubNotifier } from '../shared/websub/notify-hubs.js';

export type FeedBuilderDeps = Pick<Dependencies, 'logger'> & {
  build: BuildFeedsDeps;
  /** Tells the configured WebSub hubs about feeds whose bytes changed; absent when no hub is configured. */
  websub?: HubNotifier;
};

/**
 * DynamoDB stream entry point: rebuilds every feed touched by the changed articles.
 * The whole batch is built at once (one rebuild of "latest" for many changes); if that fails,
 * records are retried one by one so that only the failing ones are reported back to Lambda.
 */
export function createFeedBuilderHandler(source: DependencySource<FeedBuilderDeps>) {
  const deps = resolveDependencies(source);
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { build, logger, websub } = deps();
    // One notification per hub for everything this batch changed; it never throws, so it never fails the batch.
    const notify = async (written: readonly string[]) => {
      if (websub) await websub.notify(changedFeedTopics(written, build.site.feedsBaseUrl));
    };
    const ids = event.Records.flatMap((r) => {
      const id = articleIdOfStreamRecord(r);
      return id ? [id] : [];
    });
    if (ids.length === 0) return { batchItemFailures: [] };
    try {
      const result = await buildFeedsForArticles(build, ids);
      logger.info('Feeds built', { articles: ids.length, feeds: result.feeds.length, written: result.written.length });
      await notify(result.written);
      return { batchItemFailures: [] };
    } catch (error) {
      logger.warn('Batch build failed; retrying record by record', { error: error as Error });
    }
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    const written: string[] = [];
    const response = await processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        const id = articleIdOfStreamRecord(record);
        if (id) written.push(...(await buildFeedsForArticles(build, [id])).written);
      },
      processor,
      // Report every failed record rather than throwing, so Lambda checkpoints at the first failure.
      { throwOnFullBatchFailure: false },
    );
    await notify(written);
    return response;
  };
}

export const handler = createFeedBuilderHandler(() => {
  const deps = productionDependencies();
  const websub = websubNotifier(deps);
  return { logger: deps.logger, build: feedBuildDependencies(deps), ...(websub ? { websub } : {}) };
});
