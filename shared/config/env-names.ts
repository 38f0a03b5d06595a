/**
 * Every environment variable Warta reads, in one place: the CDK stack sets them with these names
 * and `loadConfig` reads them, so the two cannot drift apart.
 */
export const ENV = {
  articlesTableName: 'ARTICLES_TABLE_NAME',
  feedBucketName: 'FEED_BUCKET_NAME',
  inboxBucketName: 'INBOX_BUCKET_NAME',
  siteUrl: 'SITE_URL',
  siteTitle: 'SITE_TITLE',
  siteDescription: 'SITE_DESCRIPTION',
  siteLanguage: 'SITE_LANGUAGE',
  defaultSection: 'DEFAULT_SECTION',
  feedsBaseUrl: 'FEEDS_BASE_URL',
  feedItemLimit: 'FEED_ITEM_LIMIT',
  feedMaxAgeSeconds: 'FEED_MAX_AGE_SECONDS',
  feedMaxBytes: 'FEED_MAX_BYTES',
  /** Memory a builder keeps rendered feed entries in, in MiB (shared/feeds/fragment-cache.ts). */
  fragmentCacheMiB: 'FRAGMENT_CACHE_MIB',
  s3ForcePathStyle: 'S3_FORCE_PATH_STYLE',
  webhookSecretArn: 'WEBHOOK_SECRET_ARN',
  signingKeySecretArn: 'SIGNING_KEY_SECRET_ARN',
  signingKeyPairId: 'SIGNING_KEY_PAIR_ID',
  partnerUrlMaxLifetimeSeconds: 'PARTNER_URL_MAX_LIFETIME_SECONDS',
  /** WebSub hubs notified after a build changed public feeds: URLs separated by commas or spaces. */
  websubHubs: 'WEBSUB_HUBS',
  /** The WordPress site the scheduled sync pulls posts from. */
  wordpressSyncUrl: 'WORDPRESS_SYNC_URL',
  /** Secrets Manager secret with `{"user": …, "applicationPassword": …}` for the scheduled sync; absent means anonymous. */
  wordpressSyncSecretArn: 'WORDPRESS_SYNC_SECRET_ARN',
  /** Scheduled stories (shared/embargo): the EventBridge Scheduler group of the releases, the release function and the role that invokes it. */
  releaseScheduleGroup: 'RELEASE_SCHEDULE_GROUP',
  releaseFunctionArn: 'RELEASE_FUNCTION_ARN',
  releaseSchedulerRoleArn: 'RELEASE_SCHEDULER_ROLE_ARN',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
