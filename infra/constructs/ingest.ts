import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type CfnStage, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { EventType, type IBucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/config/env-names.js';
import type { WartaAlarms } from './alarms.js';
import { Concern } from './concern.js';
import { WARTA_LOG_RETENTION, WartaFunction, type SiteIdentity } from './warta-function.js';

export interface WartaIngestProps {
  readonly site: SiteIdentity;
  readonly table: ITable;
  /** Only its name is given to the functions: configuration validation wants it, ingest never touches the bucket. */
  readonly feedBucket: IBucket;
  readonly inboxBucket: IBucket;
  readonly alarms: WartaAlarms;
  /** Directory holding the handler entry files. @default the repository's `functions/` */
  readonly functionsDir?: string;
  /** Steady-state requests per second the API stage accepts. @default 50 */
  readonly apiRateLimit?: number;
  /** Burst of requests the API stage accepts. @default 100 */
  readonly apiBurstLimit?: number;
}

/**
 * How articles come in: the HMAC-signed HTTP API (with its webhook secret and access logs) and the
 * inbox bucket's object-created notification, each feeding its own function. Other concerns add
 * routes to the same API with `addOpenRoutes`.
 */
export class WartaIngest extends Concern {
  readonly ingest: WartaFunction;
  readonly inbox: WartaFunction;
  readonly webhookSecret: Secret;
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: WartaIngestProps) {
    super(scope, id);
    const { alarms, table, feedBucket, inboxBucket } = props;

    this.webhookSecret = new Secret(this, 'WebhookSecret', {
      description: 'Shared secret for the X-Hub-Signature-256 HMAC of ingest requests; paste it into the CMS webhook.',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The webhook secret is also configured in the CMS; automatic rotation would break signing until someone updates the CMS, so it is rotated by hand (docs/deploy.md).',
    });

    this.ingest = new WartaFunction(this, 'Ingest', {
      name: 'Ingest',
      failureHandling:
        'Invoked synchronously by API Gateway: a failure is returned to the CMS, which retries; there is no event to keep.',
      functionsDir: props.functionsDir,
      description: 'Accepts signed article submissions from the CMS over HTTP and upserts them',
      timeout: Duration.seconds(15),
    });
    alarms.watchFunction(this.ingest);
    this.ingest
      .setSite(props.site)
      .bindArticlesTable(table, ['GetItem', 'PutItem'])
      .bindSecret(ENV.webhookSecretArn, this.webhookSecret)
      .setEnvironment(ENV.feedBucketName, feedBucket.bucketName);

    this.inbox = new WartaFunction(this, 'Inbox', {
      name: 'Inbox',
      failureHandling:
        'Invoked asynchronously by S3; failed events go to the InboxDlq queue through an on-failure destination (EventInvokeConfig), which records the error too, unlike DeadLetterConfig.',
      functionsDir: props.functionsDir,
      description: 'Ingests files dropped into the inbox bucket',
      timeout: Duration.seconds(60),
    });
    alarms.watchFunction(this.inbox);
    this.inbox
      .setSite(props.site)
      .bindArticlesTable(table, ['GetItem', 'PutItem'])
      .bindBucket(ENV.inboxBucketName, inboxBucket, { prefixes: [''], access: ['read'] })
      .setEnvironment(ENV.feedBucketName, feedBucket.bucketName);

    // S3 invokes asynchronously: after Lambda's retries the event goes to the queue instead of vanishing.
    const inboxDlq = alarms.deadLetterQueue(this, 'InboxDlq', 'inbox file events');
    this.inbox.function.configureAsyncInvoke({
      onFailure: new SqsDestination(inboxDlq),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    inboxBucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(this.inbox.function));
    // The notification is written by CDK's own singleton custom resource (a child of the stack); its role is not ours to shape.
    const notificationsHandler = Stack.of(this).node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
    if (notificationsHandler !== undefined) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CDK\'s BucketNotificationsHandler custom resource, which configures the inbox notification at deploy time, comes with this managed policy; it runs only during deployments.',
      });
    }

    const apiAccessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: WARTA_LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new HttpApi(this, 'IngestApi', {
      description: 'Warta ingest (HMAC-signed) and partner access endpoints',
      createDefaultStage: false,
    });
    this.stage = new HttpStage(this, 'IngestApiStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: { rateLimit: props.apiRateLimit ?? 50, burstLimit: props.apiBurstLimit ?? 100 },
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
    const ingestIntegration = new HttpLambdaIntegration('IngestIntegration', this.ingest.function);
    this.addOpenRoutes(
      [
        ...this.api.addRoutes({ path: '/articles', methods: [HttpMethod.POST], integration: ingestIntegration }),
        ...this.api.addRoutes({ path: '/articles/{id}', methods: [HttpMethod.DELETE], integration: ingestIntegration }),
      ],
      'The handler verifies the X-Hub-Signature-256 HMAC of the body with the webhook secret; WordPress webhooks can sign requests but cannot send SigV4 or JWT credentials.',
    );
  }

  /** The URL of the API's stage (no trailing slash). */
  get apiEndpoint(): string {
    return this.api.apiEndpoint;
  }

  /**
   * Registers routes whose handler authenticates the caller itself (`reason` says how), so the stage
   * deploys after them and cdk-nag knows why they have no API Gateway authorizer.
   */
  addOpenRoutes(routes: HttpRoute[], reason: string): void {
    for (const route of routes) {
      // Route settings and throttling apply to routes that exist when the stage deploys.
      this.stage.node.addDependency(route);
      Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
    }
  }

  /**
   * Throttles single routes below the stage limit. RouteSettings is a free-form map in
   * CloudFormation, so its keys must be spelled as CloudFormation spells them ("POST /path").
   */
  throttleRoutes(limits: Record<string, { rateLimit: number; burstLimit: number }>): void {
    (this.stage.node.defaultChild as CfnStage).addPropertyOverride(
      'RouteSettings',
      Object.fromEntries(
        Object.entries(limits).map(([route, limit]) => [
          route,
          { ThrottlingRateLimit: limit.rateLimit, ThrottlingBurstLimit: limit.burstLimit },
        ]),
      ),
    );
  }
}
