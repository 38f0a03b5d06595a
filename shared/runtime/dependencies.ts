import { PublishedFeedMemory } from '../usecases/published-feed-memory.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { loadConfig, type RuntimeConfig } from '../config/load-config.js';
import { systemClock, type ArticleRepository, type Clock, type ObjectPublisher } from '../ports.js';
import { DynamoDbArticleRepository } from '../storage/dynamodb-article-repository.js';
import { DynamoDbFeedArchive } from '../storage/dynamodb-feed-archive.js';
import { DynamoDbFeedRevisions } from '../storage/dynamodb-feed-revisions.js';
import { DynamoDbSitemapStore } from '../storage/dynamodb-sitemap-store.js';
import { S3ObjectPublisher } from '../storage/s3-object-publisher.js';
import { DynamoDbPartnerRepository } from '../storage/dynamodb-partner-repository.js';
import type { PartnerDeliveryStore, PartnerRepository } from '../partners/partner.js';
import { DynamoDbPartnerDeliveries } from '../storage/dynamodb-partner-deliveries.js';
import { rebuildPartnerOutputs, type PartnerOutputDeps } from '../partners/build-partner-outputs.js';
import { renderFeedBytes } from '../feeds/render-feeds.js';
import { fragmentCacheOf, type FragmentCache } from '../feeds/fragment-cache.js';
import { DocumentBuffers } from '../feeds/document-buffers.js';
import type { BuildFeedsDeps } from '../usecases/build-feeds.js';
import { DynamoDbRelatedStore } from '../storage/dynamodb-related-store.js';
import { DynamoDbFeedDirectory } from '../storage/dynamodb-feed-directory.js';

/** Everything a handler needs, built once and passed in; tests and the local runtime build their own. */
export interface Dependencies {
  config: RuntimeConfig;
  dynamodb: DynamoDBClient;
  documentClient: DynamoDBDocumentClient;
  s3: S3Client;
  articles: ArticleRepository;
  feedRevisions: DynamoDbFeedRevisions;
  publisher: ObjectPublisher;
  /** What this process last published of each feed: one per process, shared by every build in it. */
  publishedFeeds: PublishedFeedMemory;
  /** Rendered feed entries, kept across builds: one per process, bounded by FRAGMENT_CACHE_MIB. */
  fragments: FragmentCache;
  /** Memory feed documents are assembled in, reused from one document to the next: one per process. */
  documentBuffers: DocumentBuffers;
  partners: PartnerRepository;
  /** What each partner has been sent (so a change never lists a partner's prefix). */
  partnerDeliveries: PartnerDeliveryStore;
  /** The related-article index and lists; feeds and partner documents read related links from it. */
  related: DynamoDbRelatedStore;
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
    publishedFeeds: new PublishedFeedMemory(),
    fragments: fragmentCacheOf(config.fragmentCacheMiB),
    documentBuffers: new DocumentBuffers(),
    partners: new DynamoDbPartnerRepository(documentClient, config.articlesTableName),
    partnerDeliveries: new DynamoDbPartnerDeliveries(documentClient, config.articlesTableName),
    related: new DynamoDbRelatedStore(documentClient, config.articlesTableName),
    clock: overrides.clock ?? systemClock,
    logger: overrides.logger ?? new Logger({ serviceName: 'warta' }),
  };
}

/** What partner outputs are built from: the table's articles and related lists, the registry, the bucket. */
export function partnerOutputDependencies(deps: Dependencies): PartnerOutputDeps {
  const site = deps.config.site;
  return {
    articles: deps.articles,
    partners: deps.partners,
    publisher: deps.publisher,
    deliveries: deps.partnerDeliveries,
    render: (meta, articles, options) => renderFeedBytes(meta, articles, { ...options, fragments: deps.fragments }),
    site,
    itemLimit: site.feedItemLimit,
    related: deps.related,
    clock: deps.clock,
  };
}

/**
 * What the feed builder needs: public feeds, plus the partner outputs of the same change,
 * both rendered from the current table state.
 */
export function feedBuildDependencies(deps: Dependencies): BuildFeedsDeps {
  const partnerDeps = partnerOutputDependencies(deps);
  return {
    articles: deps.articles,
    revisions: deps.feedRevisions,
    publisher: deps.publisher,
    publishedFeeds: deps.publishedFeeds,
    fragments: deps.fragments,
    documentBuffers: deps.documentBuffers,
    site: deps.config.site,
    clock: deps.clock,
    archives: new DynamoDbFeedArchive(deps.documentClient, deps.config.articlesTableName),
    sitemaps: { store: new DynamoDbSitemapStore(deps.documentClient, deps.config.articlesTableName), clock: deps.clock },
    discovery: { directory: new DynamoDbFeedDirectory(deps.documentClient, deps.config.articlesTableName), clock: deps.clock },
    related: deps.related,
    partnerOutputs: (ids) => rebuildPartnerOutputs(partnerDeps, ids),
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
