import { CfnOutput, Stack, type CfnElement, type StackProps } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { ENV } from '../shared/config/env-names.js';
import { WartaAlarms } from './constructs/alarms.js';
import { WartaBuildPipeline } from './constructs/build-pipeline.js';
import { Concern } from './constructs/concern.js';
import { WartaDelivery } from './constructs/delivery.js';
import { WartaEmbargo } from './constructs/embargo.js';
import { WartaIngest } from './constructs/ingest.js';
import { WartaStorage } from './constructs/storage.js';
import { WartaWordPressSync } from './constructs/wordpress-sync.js';
import type { WartaFunction } from './constructs/warta-function.js';
import type { StackSettings } from './stack-config.js';

export { PARTNER_PREFIX, PUBLIC_PREFIXES, STREAM_SETTINGS } from './constructs/build-pipeline.js';

export interface WartaStackProps extends StackProps {
  readonly settings: StackSettings;
  /** Directory holding the handler entry files. @default the repository's `functions/` */
  readonly functionsDir?: string;
}

/**
 * The whole pipeline, wired from one construct per concern (infra/constructs/): storage (table and
 * buckets), ingest (signed HTTP API, inbox, webhook secret), the build pipeline (stream, builders,
 * dead-letter queues, their alarms), scheduled releases (the embargo), delivery (CloudFront, partner keys)
 * and the alarm topic.
 */
export class WartaStack extends Stack {
  /** Every Warta function by construct id, each with an error alarm. */
  readonly functions: Record<string, WartaFunction> = {};
  readonly storage: WartaStorage;
  readonly alarms: WartaAlarms;
  readonly ingest: WartaIngest;
  readonly pipeline: WartaBuildPipeline;
  readonly delivery: WartaDelivery;
  /** The scheduled WordPress sync, present only with the `wordpressSyncUrl` context value. */
  readonly wordpressSync: WartaWordPressSync | undefined;
  /** Scheduled stories: the release schedules, the release function and the scheduler's role. */
  readonly embargo: WartaEmbargo;

  constructor(scope: Construct, id: string, props: WartaStackProps) {
    super(scope, id, props);
    const { settings, functionsDir } = props;
    const site = settings;

    this.storage = new WartaStorage(this, 'Storage', { deletionProtection: settings.deletionProtection });
    const { table, feedBucket, inboxBucket, logBucket } = this.storage;
    this.alarms = new WartaAlarms(this, 'Alarms', settings.alarmEmail !== undefined ? { alarmEmail: settings.alarmEmail } : {});
    const alarms = this.alarms;

    this.ingest = new WartaIngest(this, 'Ingest', {
      site,
      table,
      feedBucket,
      inboxBucket,
      alarms,
      functionsDir,
      apiRateLimit: settings.apiRateLimit,
      apiBurstLimit: settings.apiBurstLimit,
    });
    this.pipeline = new WartaBuildPipeline(this, 'Pipeline', {
      site,
      // CDK names a stream's event source mapping after the table's construct path, and a renamed
      // mapping is a new one that starts at the stream's LATEST position: records the old one had
      // not yet processed would never be built. So the builders read the stream through a
      // reference at the table's path from before the split (an import: it creates no resource).
      table,
      streamSource: Table.fromTableAttributes(this, 'ArticlesTable', { tableArn: table.tableArn, tableStreamArn: table.tableStreamArn }),
      feedBucket,
      alarms,
      functionsDir,
      feedItemLimit: settings.feedItemLimit,
      feedMaxAgeSeconds: settings.feedMaxAgeSeconds,
      websubHubs: settings.websubHubs,
    });
    this.embargo = new WartaEmbargo(this, 'Embargo', {
      site,
      table,
      feedBucket,
      alarms,
      scheduler: this.pipeline.feedBuilder,
      functionsDir,
      feedItemLimit: settings.feedItemLimit,
      feedMaxAgeSeconds: settings.feedMaxAgeSeconds,
      websubHubs: settings.websubHubs,
    });
    this.delivery = new WartaDelivery(this, 'Delivery', {
      site,
      stage: settings.stage,
      table,
      feedBucket,
      logBucket,
      alarms,
      functionsDir,
      feedMaxAgeSeconds: settings.feedMaxAgeSeconds,
      partnerPublicKeys: settings.partnerPublicKeys,
      ...(settings.activePartnerKeyId !== undefined ? { activePartnerKeyId: settings.activePartnerKeyId } : {}),
      partnerUrlMaxLifetimeSeconds: settings.partnerUrlMaxLifetimeSeconds,
      ...(settings.domainName !== undefined && settings.certificateArn !== undefined
        ? { customDomain: { domainName: settings.domainName, certificateArn: settings.certificateArn } }
        : {}),
    });

    this.wordpressSync =
      settings.wordpressSyncUrl === undefined
        ? undefined
        : new WartaWordPressSync(this, 'WordPressSync', {
            site,
            table,
            alarms,
            functionsDir,
            wordpressUrl: settings.wordpressSyncUrl,
            everyMinutes: settings.wordpressSyncMinutes,
            ...(settings.wordpressSyncSecretName !== undefined ? { credentialsSecretName: settings.wordpressSyncSecretName } : {}),
          });

    for (const fn of [
      this.ingest.ingest,
      this.ingest.inbox,
      this.pipeline.feedBuilder,
      this.pipeline.relatedBuilder,
      this.pipeline.sitemapRefresh,
      this.embargo.release,
      this.delivery.partnerAccess,
      this.wordpressSync?.function,
    ]) {
      if (fn !== undefined) this.functions[fn.node.id] = fn;
    }
    // The base URL is the distribution's domain unless a custom domain is configured, so it is known only now.
    const feedsBaseUrl = this.delivery.feedsBaseUrl;
    for (const fn of Object.values(this.functions)) fn.setEnvironment(ENV.feedsBaseUrl, feedsBaseUrl);

    const { partnerAccess, signingKeySecret } = this.delivery;
    if (partnerAccess !== undefined) {
      this.ingest.addOpenRoutes(
        this.ingest.api.addRoutes({
          path: '/partner-access/signed-url',
          methods: [HttpMethod.POST],
          integration: new HttpLambdaIntegration('PartnerAccessIntegration', partnerAccess.function),
        }),
        'The handler authenticates each partner by a bearer token whose SHA-256 hash is stored in the partner registry; an API Gateway authorizer would add a second Lambda per request for the same check.',
      );
      // Token guessing is the attack on this route, so it gets a much lower limit than the stage.
      this.ingest.throttleRoutes({
        'POST /partner-access/signed-url': { rateLimit: settings.partnerAccessRateLimit, burstLimit: settings.partnerAccessBurstLimit },
      });
    }

    // ---------- outputs ----------
    const api = this.ingest.api;
    new CfnOutput(this, 'DistributionDomainName', {
      value: this.delivery.distribution.distributionDomainName,
      description: 'CloudFront domain serving the feeds',
    });
    new CfnOutput(this, 'FeedsBaseUrl', { value: feedsBaseUrl, description: 'Base URL of the public feeds' });
    new CfnOutput(this, 'IngestUrl', { value: `${api.apiEndpoint}/articles`, description: 'POST signed articles here' });
    new CfnOutput(this, 'FeedBucketName', { value: feedBucket.bucketName });
    new CfnOutput(this, 'InboxBucketName', { value: inboxBucket.bucketName, description: 'Drop article files here to ingest them' });
    new CfnOutput(this, 'ArticlesTableName', { value: table.tableName });
    new CfnOutput(this, 'WebhookSecretArn', {
      value: this.ingest.webhookSecret.secretArn,
      description: 'Read with aws secretsmanager get-secret-value',
    });
    if (partnerAccess !== undefined && signingKeySecret !== undefined) {
      new CfnOutput(this, 'PartnerAccessUrl', { value: `${api.apiEndpoint}/partner-access/signed-url` });
      new CfnOutput(this, 'PartnerSigningKeySecretArn', { value: signingKeySecret.secretArn, description: 'Put the active private key PEM here' });
    }
  }

  /**
   * Logical ids as if the concern constructs were not there: a resource keeps the id it had when
   * this stack was one constructor, so a deployed stack updates in place instead of replacing its
   * table, buckets, secrets, API (and its URL) or distribution (and its domain). A concern's own id
   * is dropped from the path; the rest goes through CDK's own naming (super.allocateLogicalId reads
   * only the element's scopes and stack). Two concerns giving a child the same id would collide,
   * which CloudFormation synthesis reports as a duplicate logical id, so the collision cannot pass unseen.
   */
  protected override allocateLogicalId(element: CfnElement): string {
    const scopes = element.node.scopes;
    if (!scopes.some((scope) => Concern.isConcern(scope) && scope.node.scope === this)) return super.allocateLogicalId(element);
    const flattened = scopes.filter((scope) => !(Concern.isConcern(scope) && scope.node.scope === this));
    return super.allocateLogicalId({ stack: this, node: { scopes: flattened } } as unknown as CfnElement);
  }
}
