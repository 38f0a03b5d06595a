import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig, type RuntimeConfig } from '../config/load-config.js';
import { systemClock, type ArticleRepository, type Clock, type ObjectPublisher } from '../ports.js';
import { DynamoDbArticleRepository } from '../storage/dynamodb-article-repository.js';
import { DynamoDbFeedRevisions } from '../storage/dynamodb-feed-revisions.js';
import { S3ObjectPublisher } from '../storage/s3-object-publisher.js';

/** Everything a handler needs, built once and passed in; tests and the local runtime build their own. */
export interface Dependencies {
  config: RuntimeConfig;
  dynamodb: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  s3: S3Client;
  articles: ArticleRepository;
  feedRevisions: DynamoDbFeedRevisions;
  publisher: ObjectPublisher;
  clock: Clock;
  logger: Logger;
}

export interface ClientOverrides {
  dynamodb?: DynamoDBClient;
  s3?: S3Client;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Wires adapters to clients. Endpoints come from the SDK's own settings
 * (`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL_S3`), which is how the local runtime points them at dynalite and s3rver.
 */
export function buildDependencies(config: RuntimeConfig, overrides: ClientOverrides = {}): Dependencies {
  const dynamodb = overrides.dynamodb ?? new DynamoDBClient({});
  const documentClient = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const s3 = overrides.s3 ?? new S3Client({ forcePathStyle: config.s3ForcePathStyle });
  return {
    config,
    dynamodb,
    documentClient,
    s3,
    articles: new DynamoDbArticleRepository(documentClient, config.articlesTableName),
    feedRevisions: new DynamoDbFeedRevisions(documentClient, config.articlesTableName),
    publisher: new S3ObjectPublisher(s3, config.feedBucketName),
    clock: overrides.clock ?? systemClock,
    logger: overrides.logger ?? new Logger({ serviceName: 'warta' }),
  };
}

let production: Dependencies | undefined;

/**
 * The dependencies of a Lambda execution environment: configuration read and validated from
 * `process.env` once, clients built once and reused by every invocation.
 */
export function productionDependencies(): Dependencies {
  production ??= buildDependencies(loadConfig(process.env));
  return production;
}

/** A handler factory accepts dependencies or a provider of them, so importing a handler module has no side effects. */
export type DependencySource<D = Dependencies> = D | (() => D);

export function resolveDependencies<D>(source: DependencySource<D>): () => D {
  if (typeof source !== 'function') return () => source;
  let resolved: D | undefined;
  return () => (resolved ??= (source as () => D)());
}
