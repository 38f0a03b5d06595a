import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type CfnStage, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  CachedMethods,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  KeyGroup,
  PriceClass,
  PublicKey,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
  type BehaviorOptions,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, EventType, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ENV } from '../shared/config/env-names.js';
import { WARTA_LOG_RETENTION, WartaFunction } from './constructs/warta-function.js';
import type { StackSettings } from './stack-config.js';

/** Public prefixes served to anyone through CloudFront; everything else in the feed bucket is private or partner-only. */
export const PUBLIC_PREFIXES = ['feeds', 'related', 'stories'] as const;
export const PARTNER_PREFIX = 'partners';

/** Stream wiring shared by both builders; see docs/deploy.md for why these numbers. */
export const STREAM_SETTINGS = {
  batchSize: 100,
  maxBatchingWindow: Duration.seconds(1),
  retryAttempts: 5,
  maxRecordAge: Duration.hours(6),
} as const;

export interface WartaStackProps extends StackProps {
  readonly settings: StackSettings;
  /** Directory holding the handler entry files. @default the repository's `functions/` */
  readonly functionsDir?: string;
}

/**
 * The whole pipeline: articles table with a stream, ingest over a signed HTTP API or an S3 inbox,
 * feed and related builders fed by the stream, a private feed bucket served by CloudFront
 * (public feeds cached by their own max-age, partner feeds behind signed URLs), and alarms.
 */
export class WartaStack extends Stack {
  readonly functions: Record<string, WartaFunction> = {};

  constructor(scope: Construct, id: string, props: WartaStackProps) {
    super(scope, id, props);
    const settings = props.settings;
    const partnersEnabled = settings.partnerPublicKeys.length > 0;

    // ---------- storage ----------
    const logBucket = new Bucket(this, 'LogBucket', {
      // CloudFront standard logs are delivered with an ACL grant, so this bucket must keep ACLs enabled.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logging cannot write to SSE-KMS buckets.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'ExpireLogs', expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging its own access would write logs about logs without end.',
    });

    const feedBucket = new Bucket(this, 'FeedBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        { id: 'ExpireNoncurrentVersions', noncurrentVersionExpiration: Duration.days(30), expiredObjectDeleteMarker: true },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: 's3/feed-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const inboxBucket = new Bucket(this, 'InboxBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // A dropped file is ingested once; the table is the record afterwards.
      lifecycleRules: [{ id: 'ExpireProcessedDrops', expiration: Duration.days(30) }],
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: 's3/inbox-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const table = new Table(this, 'ArticlesTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: settings.deletionProtection,
      // AWS managed key (aws/dynamodb): encryption with CloudTrail-visible key use, and no key policy to maintain.
      encryption: TableEncryption.AWS_MANAGED,
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      removalPolicy: settings.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    const webhookSecret = new Secret(this, 'WebhookSecret', {
      description: 'Shared secret for the X-Hub-Signature-256 HMAC of ingest requests; paste it into the CMS webhook.',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The webhook secret is also configured in the CMS; automatic rotation would break signing until someone updates the CMS, so it is rotated by hand (docs/deploy.md).',
    });

    // ---------- alarms and failure destinations ----------
    const alarmTopic = new Topic(this, 'AlarmTopic', { displayName: 'Warta alarms', enforceSSL: true });
    Validations.of(alarmTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and alarm messages carry no article data.',
    });
    if (settings.alarmEmail !== undefined) {
      const subscription = alarmTopic.addSubscription(new EmailSubscription(settings.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason: 'An undeliverable alarm e-mail needs no queue: the alarm state and history stay in CloudWatch, where the alarm is seen either way.',
      });
    }
    const alarmAction = new SnsAction(alarmTopic);
    const alarmOn = (id: string, metric: IMetric, threshold: number, description: string) => {
      const alarm = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      alarm.addAlarmAction(alarmAction);
      return alarm;
    };
    const deadLetterQueue = (id: string, purpose: string) => {
      const queue = new Queue(this, id, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      const reason = `This queue is itself the dead-letter destination for ${purpose}; a queue for its failures would only move the problem.`;
      Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason }, { id: 'Serverless-SQSRedrivePolicy', reason });
      alarmOn(`${id}Alarm`, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }), 1, `Failed ${purpose} are waiting in ${id}`);
      return queue;
    };

    // ---------- functions ----------
    const site = (fn: WartaFunction) =>
      fn
        .setEnvironment(ENV.siteUrl, settings.siteUrl)
        .setEnvironment(ENV.siteTitle, settings.siteTitle)
        .setEnvironment(ENV.siteDescription, settings.siteDescription)
        .setEnvironment(ENV.siteLanguage, settings.siteLanguage)
        .setEnvironment(ENV.defaultSection, settings.defaultSection);

    const ingest = this.addFunction(
      new WartaFunction(this, 'Ingest', {
        name: 'Ingest',
        failureHandling:
          'Invoked synchronously by API Gateway: a failure is returned to the CMS, which retries; there is no event to keep.',
        functionsDir: props.functionsDir,
        description: 'Accepts signed article submissions from the CMS over HTTP and upserts them',
        timeout: Duration.seconds(15),
      }),
      alarmAction,
    );
    site(ingest)
      .bindArticlesTable(table, ['GetItem', 'PutItem'])
      .bindSecret(ENV.webhookSecretArn, webhookSecret)
      // Only the name: configuration validation needs it, ingest never touches the bucket.
      .setEnvironment(ENV.feedBucketName, feedBucket.bucketName);

    const inbox = this.addFunction(
      new WartaFunction(this, 'Inbox', {
        name: 'Inbox',
        failureHandling:
          'Invoked asynchronously by S3; failed events go to the InboxDlq queue through an on-failure destination (EventInvokeConfig), which records the error too, unlike DeadLetterConfig.',
        functionsDir: props.functionsDir,
        description: 'Ingests files dropped into the inbox bucket',
        timeout: Duration.seconds(60),
      }),
      alarmAction,
    );
    site(inbox)
      .bindArticlesTable(table, ['GetItem', 'PutItem'])
      .bindBucket(ENV.inboxBucketName, inboxBucket, { prefixes: [''], access: ['read'] })
      .setEnvironment(ENV.feedBucketName, feedBucket.bucketName);

    const feedBuilder = this.addFunction(
      new WartaFunction(this, 'FeedBuilder', {
        name: 'FeedBuilder',
        failureHandling:
          'Invoked by the DynamoDB stream event source, whose on-failure destination (FeedBuilderDlq) keeps failed batches; a function-level DLQ would never receive them.',
        functionsDir: props.functionsDir,
        description: 'Rebuilds the feeds an article change touches and publishes changed files',
        memorySize: 1024,
        timeout: Duration.seconds(120),
      }),
      alarmAction,
    );
    site(feedBuilder)
      .bindArticlesTable(table, ['Query', 'GetItem', 'BatchGetItem', 'PutItem', 'DeleteItem', 'BatchWriteItem', 'UpdateItem'])
      .bindBucket(ENV.feedBucketName, feedBucket, {
        prefixes: ['feeds/', `${PARTNER_PREFIX}/`],
        access: ['read', 'write', 'delete'],
        list: true,
      })
      .setEnvironment(ENV.feedItemLimit, String(settings.feedItemLimit))
      .setEnvironment(ENV.feedMaxAgeSeconds, String(settings.feedMaxAgeSeconds));

    const relatedBuilder = this.addFunction(
      new WartaFunction(this, 'RelatedBuilder', {
        name: 'RelatedBuilder',
        failureHandling:
          'Invoked by the DynamoDB stream event source, whose on-failure destination (RelatedBuilderDlq) keeps failed batches; a function-level DLQ would never receive them.',
        functionsDir: props.functionsDir,
        description: 'Maintains the similarity index and publishes related-article and story groupings',
        memorySize: 1024,
        timeout: Duration.seconds(120),
      }),
      alarmAction,
    );
    site(relatedBuilder)
      .bindArticlesTable(table, ['Query', 'GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'])
      .bindBucket(ENV.feedBucketName, feedBucket, {
        // Story feeds live beside the public feeds (feeds/story/<id>.*) so aggregators find them with the others.
        prefixes: ['related/', 'stories/', 'feeds/story/'],
        access: ['read', 'write', 'delete'],
        list: true,
      })
      .setEnvironment(ENV.feedMaxAgeSeconds, String(settings.feedMaxAgeSeconds));

    // S3 invokes asynchronously: after Lambda's retries the event goes to the queue instead of vanishing.
    const inboxDlq = deadLetterQueue('InboxDlq', 'inbox file events');
    inbox.function.configureAsyncInvoke({
      onFailure: new SqsDestination(inboxDlq),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    inboxBucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(inbox.function));
    // The notification is written by CDK's own singleton custom resource; its role is not ours to shape.
    const notificationsHandler = this.node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
    if (notificationsHandler !== undefined) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CDK\'s BucketNotificationsHandler custom resource, which configures the inbox notification at deploy time, comes with this managed policy; it runs only during deployments.',
      });
    }

    const articleItemsOnly = FilterCriteria.filter({
      dynamodb: {
        Keys: {
          pk: { S: FilterRule.beginsWith('ARTICLE#') },
          sk: { S: FilterRule.isEqual('A') },
        },
      },
    });
    for (const [builder, dlqId] of [
      [feedBuilder, 'FeedBuilderDlq'],
      [relatedBuilder, 'RelatedBuilderDlq'],
    ] as const) {
      const dlq = deadLetterQueue(dlqId, `${builder.node.id} stream batches`);
      builder.function.addEventSource(
        new DynamoEventSource(table, {
          startingPosition: StartingPosition.LATEST,
          ...STREAM_SETTINGS,
          reportBatchItemFailures: true,
          bisectBatchOnError: true,
          parallelizationFactor: 1,
          onFailure: new SqsDlq(dlq),
          filters: [articleItemsOnly],
        }),
      );
      alarmOn(
        `${builder.node.id}IteratorAgeAlarm`,
        builder.function.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(5) }),
        Duration.minutes(5).toMilliseconds(),
        `${builder.node.id} is more than five minutes behind the article stream`,
      );
    }

    // ---------- CloudFront ----------
    const denyOtherPaths = new EdgeFunction(this, 'NotFoundFunction', {
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Answers 404 for paths outside the published prefixes, so no other bucket key is ever served',
      code: FunctionCode.fromInline(
        "function handler(event) { return { statusCode: 404, statusDescription: 'Not Found', headers: { 'cache-control': { value: 'max-age=60' } } }; }",
      ),
    });

    const publicCachePolicy = new CachePolicy(this, 'PublicFeedCachePolicy', {
      comment: "Public feeds: the object's Cache-Control max-age decides; no query strings, headers or cookies in the key",
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.seconds(60),
      maxTtl: Duration.days(1),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });
    const origin = S3BucketOrigin.withOriginAccessControl(feedBucket);
    const publicBehavior: BehaviorOptions = {
      origin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: CachedMethods.CACHE_GET_HEAD,
      cachePolicy: publicCachePolicy,
      compress: true,
    };
    const additionalBehaviors: Record<string, BehaviorOptions> = Object.fromEntries(
      PUBLIC_PREFIXES.map((prefix) => [`${prefix}/*`, publicBehavior]),
    );

    let signingKeySecret: Secret | undefined;
    if (partnersEnabled) {
      const publicKeys = settings.partnerPublicKeys.map(
        (key) => new PublicKey(this, `PartnerKey-${key.id}`, { encodedKey: key.pem, comment: `Warta partner signing key ${key.id}` }),
      );
      const keyGroup = new KeyGroup(this, 'PartnerKeyGroup', {
        items: publicKeys,
        comment: 'Keys whose signed URLs may read partners/*; add the next key before retiring the old one',
      });
      const partnerCachePolicy = new CachePolicy(this, 'PartnerFeedCachePolicy', {
        comment: 'Partner feeds: cached at most for the feed max-age; signature parameters stay out of the cache key',
        minTtl: Duration.seconds(0),
        defaultTtl: Duration.seconds(0),
        maxTtl: Duration.seconds(settings.feedMaxAgeSeconds),
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      });
      additionalBehaviors[`${PARTNER_PREFIX}/*`] = {
        ...publicBehavior,
        cachePolicy: partnerCachePolicy,
        trustedKeyGroups: [keyGroup],
      };

      signingKeySecret = new Secret(this, 'PartnerSigningKey', {
        description: `PEM private key of CloudFront public key ${settings.activePartnerKeyId ?? ''}; set it with put-secret-value (docs/deploy.md).`,
      });
      Validations.of(signingKeySecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Rotation means a new CloudFront public key in the key group plus a new private key here, done by hand in that order (docs/deploy.md); a rotation Lambda cannot register keys with CloudFront.',
      });
      const activeIndex = settings.partnerPublicKeys.findIndex((k) => k.id === settings.activePartnerKeyId);
      const activeKey = publicKeys[activeIndex];
      if (activeKey === undefined) throw new Error(`active partner key ${settings.activePartnerKeyId ?? ''} is not in partnerPublicKeys`);

      const partnerAccess = this.addFunction(
        new WartaFunction(this, 'PartnerAccess', {
          name: 'PartnerAccess',
          failureHandling:
            'Invoked synchronously by API Gateway: the partner gets the error and asks again; there is no event to keep.',
          functionsDir: props.functionsDir,
          description: 'Issues CloudFront signed URLs and cookies for a partner authenticated by its bearer token',
          memorySize: 256,
          timeout: Duration.seconds(5),
        }),
        alarmAction,
      );
      // The handler builds the shared dependencies, whose configuration check wants the site identity and bucket name.
      site(partnerAccess)
        .setEnvironment(ENV.feedBucketName, feedBucket.bucketName)
        .bindArticlesTable(table, ['GetItem'])
        .bindSecret(ENV.signingKeySecretArn, signingKeySecret)
        .setEnvironment(ENV.signingKeyPairId, activeKey.publicKeyId)
        .setEnvironment(ENV.partnerUrlMaxLifetimeSeconds, String(settings.partnerUrlMaxLifetimeSeconds));
    }

    const certificate =
      settings.certificateArn === undefined ? undefined : Certificate.fromCertificateArn(this, 'Certificate', settings.certificateArn);
    const distribution = new Distribution(this, 'Distribution', {
      comment: `Warta feeds (${settings.stage})`,
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        functionAssociations: [{ function: denyOtherPaths, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors,
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Price class 200 includes the Asian edge locations (Jakarta) where the first outlet's readers are.
      priceClass: PriceClass.PRICE_CLASS_200,
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cloudfront/',
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      ...(certificate !== undefined && settings.domainName !== undefined
        ? { certificate, domainNames: [settings.domainName] }
        : {}),
    });
    Validations.of(distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Feeds are meant for aggregators and readers worldwide; there is no country to exclude.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'Only GET/HEAD of static, cacheable files; no forms or dynamic origin to protect, and a WAF web ACL would cost more than the whole pipeline (docs/deploy.md).',
      },
    );
    if (certificate === undefined) {
      Validations.of(distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason: 'Without a custom domain the distribution uses the *.cloudfront.net certificate, whose TLS policy CloudFront fixes; with domainName and certificateArn the stack sets TLSv1.2_2021.',
      });
    }
    // Set after the distribution exists: the base URL is its domain unless a custom domain is configured.
    const feedsBaseUrl = `https://${settings.domainName ?? distribution.distributionDomainName}`;
    for (const fn of Object.values(this.functions)) fn.setEnvironment(ENV.feedsBaseUrl, feedsBaseUrl);

    // ---------- HTTP API ----------
    const apiAccessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: WARTA_LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const api = new HttpApi(this, 'IngestApi', {
      description: 'Warta ingest (HMAC-signed) and partner access endpoints',
      createDefaultStage: false,
    });
    const stage = new HttpStage(this, 'IngestApiStage', {
      httpApi: api,
      autoDeploy: true,
      throttle: { rateLimit: settings.apiRateLimit, burstLimit: settings.apiBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(apiAccessLogs),
        format: AccessLogFormat.jsonWithStandardFields({
          caller: false,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: false,
        }),
      },
    });
    const ingestIntegration = new HttpLambdaIntegration('IngestIntegration', ingest.function);
    const openRoutes = (routes: HttpRoute[], reason: string) => {
      for (const route of routes) {
        // Route settings and throttling apply to routes that exist when the stage deploys.
        stage.node.addDependency(route);
        Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
      }
    };
    openRoutes(
      [
        ...api.addRoutes({ path: '/articles', methods: [HttpMethod.POST], integration: ingestIntegration }),
        ...api.addRoutes({ path: '/articles/{id}', methods: [HttpMethod.DELETE], integration: ingestIntegration }),
      ],
      'The handler verifies the X-Hub-Signature-256 HMAC of the body with the webhook secret; WordPress webhooks can sign requests but cannot send SigV4 or JWT credentials.',
    );
    const partnerAccessFn = this.functions.PartnerAccess;
    if (partnerAccessFn !== undefined) {
      openRoutes(
        api.addRoutes({
          path: '/partner-access/signed-url',
          methods: [HttpMethod.POST],
          integration: new HttpLambdaIntegration('PartnerAccessIntegration', partnerAccessFn.function),
        }),
        'The handler authenticates each partner by a bearer token whose SHA-256 hash is stored in the partner registry; an API Gateway authorizer would add a second Lambda per request for the same check.',
      );
      // Token guessing is the attack on this route, so it gets a much lower limit than the stage.
      // RouteSettings is a free-form map in CloudFormation, so its keys must be spelled as CloudFormation spells them.
      (stage.node.defaultChild as CfnStage).addPropertyOverride('RouteSettings', {
        'POST /partner-access/signed-url': {
          ThrottlingRateLimit: settings.partnerAccessRateLimit,
          ThrottlingBurstLimit: settings.partnerAccessBurstLimit,
        },
      });
    }

    // ---------- outputs ----------
    new CfnOutput(this, 'DistributionDomainName', { value: distribution.distributionDomainName, description: 'CloudFront domain serving the feeds' });
    new CfnOutput(this, 'FeedsBaseUrl', { value: feedsBaseUrl, description: 'Base URL of the public feeds' });
    new CfnOutput(this, 'IngestUrl', { value: `${api.apiEndpoint}/articles`, description: 'POST signed articles here' });
    new CfnOutput(this, 'FeedBucketName', { value: feedBucket.bucketName });
    new CfnOutput(this, 'InboxBucketName', { value: inboxBucket.bucketName, description: 'Drop article files here to ingest them' });
    new CfnOutput(this, 'ArticlesTableName', { value: table.tableName });
    new CfnOutput(this, 'WebhookSecretArn', { value: webhookSecret.secretArn, description: 'Read with aws secretsmanager get-secret-value' });
    if (partnerAccessFn !== undefined && signingKeySecret !== undefined) {
      new CfnOutput(this, 'PartnerAccessUrl', { value: `${api.apiEndpoint}/partner-access/signed-url` });
      new CfnOutput(this, 'PartnerSigningKeySecretArn', { value: signingKeySecret.secretArn, description: 'Put the active private key PEM here' });
    }
  }

  /** Registers a function and gives it an error alarm, so no function can be added without one. */
  private addFunction(fn: WartaFunction, alarmAction: SnsAction): WartaFunction {
    this.functions[fn.node.id] = fn;
    const alarm = new Alarm(this, `${fn.node.id}ErrorsAlarm`, {
      metric: fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `The ${fn.node.id} function reported errors`,
    });
    alarm.addAlarmAction(alarmAction);
    return fn;
  }
}
