import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { updateRelated, type UpdateRelatedDeps } from '../shared/related/update-related.js';
import { productionDependencies, resolveDependencies, type Dependencies, type DependencySource } from '../shared/runtime/dependencies.js';
import { articleIdOfStreamRecord } from '../shared/runtime/stream-records.js';

export type RelatedBuilderDeps = Pick<Dependencies, 'logger'> & { related: UpdateRelatedDeps };

/**
 * DynamoDB stream entry point: updates related lists and stories for each changed article
 * (records of other items are skipped). Records run one at a time, in stream order, because
 * neighbouring articles update each other's lists; a failing record is reported as a partial
 * batch failure so Lambda retries from it.
 */
export function createRelatedBuilderHandler(source: DependencySource<RelatedBuilderDeps>) {
  const deps = resolveDependencies(source);
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const { related, logger } = deps();
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    return processPartialResponse(
      event,
      async (record: DynamoDBRecord) => {
        const id = articleIdOfStreamRecord(record);
        if (!id) return;
        const result = await updateRelated(related, [id]);
        logger.info('Related updated', { articleId: id, written: result.written.length, deleted: result.deleted.length });
      },
      processor,
      { processInParallel: false, throwOnFullBatchFailure: false },
    );
  };
}

export const handler = createRelatedBuilderHandler(() => {
  const deps = productionDependencies();
  return {
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
