import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/config/env-names.js';
import { INDEX_KEY, OPML_KEY } from '../../shared/discovery/render-discovery.js';
import { WEBSUB_METRICS } from '../../shared/websub/metric-names.js';
import type { WartaAlarms } from './alarms.js';
import { Concern } from './concern.js';
import { WartaFunction, type SiteIdentity } from './warta-function.js';

/** Public prefixes served to anyone through CloudFront; everything else in the feed bucket is private or partner-only. */
export const PUBLIC_PREFIXES = ['feeds', 'related', 'sitemaps', 'stories'] as const;
/** Public files at the root of the bucket: the discovery page (CloudFront's default root object) and the OPML. */
export const DISCOVERY_KEYS = [INDEX_KEY, OPML_KEY] as const;
export const PARTNER_PREFIX = 'partners';

/** Stream wiring shared by both builders; see docs/deploy.md for why these numbers. */
export const STREAM_SETTINGS = {
  batchSize: 100,
  maxBatchingWindow: Duration.seconds(1),
  retryAttempts: 5,
  maxRecordAge: Duration.hours(6),
} as const;

export interface WartaBuildPipelineProps {
  readonly site: SiteIdentity;
  /** The articles table, which the builders read and write. */
  readonly table: ITable;
  /** The table whose stream drives both builders (see WartaStack). @default table */
  readonly streamSource?: ITable;
  readonly feedBucket: IBucket;
  readonly alarms: WartaAlarms;
  /** Directory holding the handler entry files. @default the repository's `functions/` */
  readonly functionsDir?: string;
  /** Entries per public feed file. @default 50 */
  readonly feedItemLimit?: number;
  /** Cache-Control max-age of the files the builders publish. @default 300 */
  readonly feedMaxAgeSeconds?: number;
  /** How far behind the stream a builder may fall before its alarm goes off. @default 5 minutes */
  readonly maxIteratorAge?: Duration;
  /** WebSub hubs the builders notify when public feeds (story feeds included) change. @default none: no notifications, no alarm */
  readonly websubHubs?: readonly string[];
  /**
   * How often the news sitemap is rebuilt when nothing is published, so articles leave it 48 hours after
   * publication. @default 15 minutes
   */
  readonly sitemapRefreshInterval?: Duration;
}


/**
 * What turns article changes into published files: the table's stream, filtered to article items,
 * feeds the feed builder and the related builder, each with a dead-letter queue for failed batches,
 * an error alarm and an alarm when it falls behind the stream.
 */
export class WartaBuildPipeline extends Concern {
  /** Rebuilds the news sitemap on a schedule (functions/sitemap-refresh.ts). */
  readonly sitemapRefresh: WartaFunction;
  readonly sitemapRefreshSchedule: Rule;
  readonly feedBuilder: WartaFunction;
  readonly relatedBuilder: WartaFunction;

  constructor(scope: Construct, id: string, props: WartaBuildPipelineProps) {
    super(scope, id);
    const { alarms, table, feedBucket } = props;
    const feedMaxAgeSeconds = String(props.feedMaxAgeSeconds ?? 300);

    this.feedBuilder = new WartaFunction(this, 'FeedBuilder', {
      name: 'FeedBuilder',
      failureHandling:
        'Invoked by the DynamoDB stream event source, whose on-failure destination (FeedBuilderDlq) keeps failed batches; a function-level DLQ would never receive them.',
      functionsDir: props.functionsDir,
      description: 'Rebuilds the feeds an article change touches and publishes changed files',
      memorySize: 1024,
      timeout: Duration.seconds(120),
    });
    alarms.watchFunction(this.feedBuilder);
    this.feedBuilder
      .setSite(props.site)
      .bindArticlesTable(table, ['Query', 'GetItem', 'BatchGetItem', 'PutItem', 'DeleteItem', 'BatchWriteItem', 'UpdateItem'])
      .bindBucket(ENV.feedBucketName, feedBucket, {
        prefixes: ['feeds/', 'sitemaps/', `${PARTNER_PREFIX}/`],
        // The discovery page and subscription list at the root of the bucket (docs/feeds.md, "Discovery").
        keys: DISCOVERY_KEYS,
        access: ['read', 'write', 'delete'],
        list: true,
      })
      .setEnvironment(ENV.feedItemLimit, String(props.feedItemLimit ?? 50))
      .setEnvironment(ENV.feedMaxAgeSeconds, feedMaxAgeSeconds)
      // A third of the function's 1,024 MiB: the subscription documents of every feed of a 100,000-article
      // archive took 204 MiB of it in the bench (docs/performance.md).
      .setEnvironment(ENV.fragmentCacheMiB, '320');

    this.relatedBuilder = new WartaFunction(this, 'RelatedBuilder', {
      name: 'RelatedBuilder',
      failureHandling:
        'Invoked by the DynamoDB stream event source, whose on-failure destination (RelatedBuilderDlq) keeps failed batches; a function-level DLQ would never receive them.',
      functionsDir: props.functionsDir,
      description: 'Maintains the similarity index and publishes related-article and story groupings',
      memorySize: 1024,
      timeout: Duration.seconds(120),
    });
    alarms.watchFunction(this.relatedBuilder);
    this.relatedBuilder
      .setSite(props.site)
      .bindArticlesTable(table, ['Query', 'GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'])
      .bindBucket(ENV.feedBucketName, feedBucket, {
        // Story feeds live beside the public feeds (feeds/story/<id>.*) so aggregators find them with the others.
        prefixes: ['related/', 'stories/', 'feeds/story/'],
        access: ['read', 'write', 'delete'],
        list: true,
      })
      .setEnvironment(ENV.feedMaxAgeSeconds, feedMaxAgeSeconds);

    const websubHubs = props.websubHubs ?? [];
    if (websubHubs.length > 0) {
      // The related builder writes the story feeds (feeds/story/…), public feeds it notifies the hubs of.
      for (const builder of [this.feedBuilder, this.relatedBuilder]) builder.setEnvironment(ENV.websubHubs, websubHubs.join(','));
      alarms.alarmOn(
        this,
        'WebSubNotificationsFailedAlarm',
        new Metric({
          namespace: WEBSUB_METRICS.namespace,
          metricName: WEBSUB_METRICS.failed,
          dimensionsMap: { service: WEBSUB_METRICS.service },
          statistic: 'Sum',
          period: Duration.minutes(15),
        }),
        1,
        'A WebSub hub refused or did not answer a publish notification after every retry; subscribers wait for their next poll',
      );
    }

    // Articles leave the Google News sitemap 48 hours after publication even when nothing is published:
    // a schedule rebuilds news.xml and the index (writing nothing when nobody entered or left).
    this.sitemapRefresh = new WartaFunction(this, 'SitemapRefresh', {
      name: 'SitemapRefresh',
      failureHandling:
        'Invoked asynchronously by an EventBridge schedule whose event carries nothing: a failed run goes to SitemapRefreshDlq through an on-failure destination (which records the error) and the next scheduled run redoes the whole refresh.',
      functionsDir: props.functionsDir,
      description: 'Rebuilds the Google News sitemap and the sitemap index on a schedule',
      memorySize: 512,
      timeout: Duration.seconds(60),
    });
    alarms.watchFunction(this.sitemapRefresh);
    this.sitemapRefresh
      .setSite(props.site)
      .bindArticlesTable(table, ['Query', 'PutItem', 'DeleteItem'])
      .bindBucket(ENV.feedBucketName, feedBucket, { prefixes: ['sitemaps/'], access: ['read', 'write', 'delete'], list: true })
      .setEnvironment(ENV.feedMaxAgeSeconds, feedMaxAgeSeconds);
    // A failed run, or a schedule EventBridge could not deliver, lands in one queue (with its alarm). No
    // Lambda retries: the next run is minutes away and does the same work.
    const refreshDlq = alarms.deadLetterQueue(this, 'SitemapRefreshDlq', 'scheduled sitemap refreshes');
    this.sitemapRefresh.function.configureAsyncInvoke({ retryAttempts: 0, onFailure: new SqsDestination(refreshDlq) });
    const interval = props.sitemapRefreshInterval ?? Duration.minutes(15);
    this.sitemapRefreshSchedule = new Rule(this, 'SitemapRefreshSchedule', {
      description: `Rebuilds the news sitemap every ${interval.toHumanString()}, so articles leave it 48 hours after publication`,
      schedule: Schedule.rate(interval),
      targets: [
        new LambdaFunction(this.sitemapRefresh.function, {
          retryAttempts: 2,
          maxEventAge: interval,
          deadLetterQueue: refreshDlq,
        }),
      ],
    });

    const articleItemsOnly = FilterCriteria.filter({
      dynamodb: {
        Keys: {
          pk: { S: FilterRule.beginsWith('ARTICLE#') },
          sk: { S: FilterRule.isEqual('A') },
        },
      },
    });
    const maxIteratorAge = props.maxIteratorAge ?? Duration.minutes(5);
    for (const [builder, dlqId] of [
      [this.feedBuilder, 'FeedBuilderDlq'],
      [this.relatedBuilder, 'RelatedBuilderDlq'],
    ] as const) {
      const dlq = alarms.deadLetterQueue(this, dlqId, `${builder.node.id} stream batches`);
      builder.function.addEventSource(
        new DynamoEventSource(props.streamSource ?? table, {
          startingPosition: StartingPosition.LATEST,
          ...STREAM_SETTINGS,
          reportBatchItemFailures: true,
          bisectBatchOnError: true,
          parallelizationFactor: 1,
          onFailure: new SqsDlq(dlq),
          filters: [articleItemsOnly],
        }),
      );
      alarms.alarmOn(
        this,
        `${builder.node.id}IteratorAgeAlarm`,
        builder.function.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) }),
        maxIteratorAge.toMilliseconds(),
        `${builder.node.id} is more than ${props.maxIteratorAge === undefined ? 'five minutes' : maxIteratorAge.toHumanString()} behind the article stream`,
      );
    }
  }
}
