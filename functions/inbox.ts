import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { productionDependencies, resolveDependencies, type Dependencies, type DependencySource } from '../shared/runtime/dependencies.js';
import { ingestArticle, type IngestDeps, type IngestOutcome } from '../shared/usecases/ingest-article.js';

export type InboxHandlerDeps = Pick<Dependencies, 'articles' | 'clock' | 'logger' | 's3'> & {
  config: Pick<Dependencies['config'], 'site'>;
  /** Parses off the main thread with a time limit (the local runtime); inline when absent. */
  prepareArticle?: IngestDeps['prepare'];
};

export interface InboxFileOutcome {
  bucket: string;
  key: string;
  outcome: IngestOutcome;
}

/**
 * S3 `ObjectCreated` entry point for the file-drop inbox: each new object (raw text, HTML or JSON)
 * goes through the same ingest use case as the HTTP API; the file name's stem is the article id.
 * A refused file is logged with every problem and not retried (retrying cannot fix it);
 * a storage failure throws, so the asynchronous invocation is retried and then dead-lettered.
 */
export function createInboxHandler(source: DependencySource<InboxHandlerDeps>) {
  const deps = resolveDependencies(source);
  return async (event: S3Event): Promise<InboxFileOutcome[]> => {
    const { s3, articles, clock, logger, config, prepareArticle } = deps();
    const results: InboxFileOutcome[] = [];
    for (const record of event.Records) {
      const bucket = record.s3.bucket.name;
      // S3 event keys are URL-encoded with '+' for spaces.
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = await object.Body?.transformToByteArray();
      const outcome = await ingestArticle(
        { articles, clock, site: config.site, ...(prepareArticle ? { prepare: prepareArticle } : {}) },
        { body: body ?? new Uint8Array(), contentType: object.ContentType, filename: key },
      );
      if (outcome.status === 'refused') {
        logger.error('Inbox file refused', { bucket, key, problems: outcome.problems });
      } else {
        logger.info('Inbox file ingested', { bucket, key, status: outcome.status, articleId: outcome.article.id });
      }
      results.push({ bucket, key, outcome });
    }
    return results;
  };
}

export const handler = createInboxHandler(productionDependencies);
