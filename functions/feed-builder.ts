import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { feedBuildDependencies, productionDependencies, resolveDependencies, type Dependencies, type DependencySource } from '../shared/runtime/dependencies.js';
import { articleIdOfStreamRecord } from '../shared/runtime/stream-records.js';
import { buildFeedsForArticles, type BuildFeedsDeps } from '../shared/usecases/build-feeds.js';

export type FeedBuilderDeps = Pick<Dependencies, 'logger'> & { build: BuildFeedsDeps };

/**
 * DynamoDB stream entry point: rebuilds every feed touched by the changed articles.
 * The whole batch is built at once (one rebuild of "latest" for many changes); if that fails,
 * records are retried one by one so that only the failing ones are reported back to Lambda.
 */
export function createFeedBuilderHandler(source: DependencySource<FeedBuilderDeps>) {
  const deps = resolveDependencies(source);
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { build, logger } = deps();
    const ids = event.Records.flatMap((r) => {
      const id = articleIdOfStreamRecord(r);
      return id ? [id] : [];
    });
    if (ids.length === 0) return { batchItemFailures: [] };
    try {
      const result = await buildFeedsForArticles(build, ids);
      logger.info('Feeds built', { articles: ids.length, feeds: result.feeds.length, written: result.written.length });
      return { batchItemFailures: [] };
    } catch (error) {
      logger.warn('Batch build failed; retrying record by record', { error: error as Error });
    }
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    return processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        const id = articleIdOfStreamRecord(record);
        if (id) await buildFeedsForArticles(build, [id]);
      },
      processor,
      // Report every failed record rather than throwing, so Lambda checkpoints at the first failure.
      { throwOnFullBatchFailure: false },
    );
  };
}

export const handler = createFeedBuilderHandler(() => {
  const deps = productionDependencies();
  return { logger: deps.logger, build: feedBuildDependencies(deps) };
});
