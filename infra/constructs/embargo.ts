import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/config/env-names.js';
import type { WartaAlarms } from './alarms.js';
import { Concern } from './concern.js';
import { DISCOVERY_KEYS, PARTNER_PREFIX } from './build-pipeline.js';
import { WartaFunction, type SiteIdentity } from './warta-function.js';

export interface WartaEmbargoProps {
  readonly site: SiteIdentity;
  /** The articles table the release reads and builds from. */
  readonly table: ITable;
  readonly feedBucket: IBucket;
  readonly alarms: WartaAlarms;
  /** The function that creates, moves and deletes releases as articles change (the feed builder). */
  readonly scheduler: WartaFunction;
  /** Directory holding the handler entry files. @default the repository's `functions/` */
  readonly functionsDir?: string;
  /** Entries per public feed file. @default 50 */
  readonly feedItemLimit?: number;
  /** Cache-Control max-age of the files the release publishes. @default 300 */
  readonly feedMaxAgeSeconds?: number;
  /** WebSub hubs told of the feeds a release changed. @default none */
  readonly websubHubs?: readonly string[];
}

/**
 * Scheduled stories (docs/feeds.md, docs/deploy.md): an EventBridge Scheduler group holding one one-time
 * schedule per article scheduled for later (created, moved and deleted by the feed builder, deleted by the
 * scheduler once it ran), the release function those schedules invoke (the related and feed builds for one
 * article), and the role the scheduler invokes it with, allowed nothing else.
 */
export class WartaEmbargo extends Concern {
  readonly scheduleGroup: ScheduleGroup;
  readonly release: WartaFunction;
  readonly schedulerRole: Role;

  constructor(scope: Construct, id: string, props: WartaEmbargoProps) {
    super(scope, id);
    const { alarms } = props;
    // Holds only pending one-time schedules, each recreated from the article when missing (warta rebuild ID):
    // nothing in it outlives the stack.
    this.scheduleGroup = new ScheduleGroup(this, 'ReleaseSchedules', { removalPolicy: RemovalPolicy.DESTROY });

    const releaseFailures = alarms.deadLetterQueue(this, 'EmbargoReleaseDlq', 'article releases');
    this.release = new WartaFunction(this, 'EmbargoRelease', {
      name: 'EmbargoRelease',
      failureHandling:
        'Invoked asynchronously by EventBridge Scheduler; failed invocations go to the on-failure destination EmbargoReleaseDlq (alarmed) after Lambda\'s retries, and the schedule itself retries failed deliveries for a day.',
      functionsDir: props.functionsDir,
      description: 'Publishes an article scheduled for later at its publication time (related lists, feeds, sitemaps, partner outputs)',
      memorySize: 1024,
      timeout: Duration.seconds(180),
    });
    alarms.watchFunction(this.release);
    this.release
      .setSite(props.site)
      // What the feed and related builders read and write, since a release runs both builds.
      .bindArticlesTable(props.table, ['Query', 'GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'])
      .bindBucket(ENV.feedBucketName, props.feedBucket, {
        prefixes: ['feeds/', 'sitemaps/', `${PARTNER_PREFIX}/`, 'related/', 'stories/'],
        keys: DISCOVERY_KEYS,
        access: ['read', 'write', 'delete'],
        list: true,
      })
      .setEnvironment(ENV.feedItemLimit, String(props.feedItemLimit ?? 50))
      .setEnvironment(ENV.feedMaxAgeSeconds, String(props.feedMaxAgeSeconds ?? 300));
    if ((props.websubHubs ?? []).length > 0) this.release.setEnvironment(ENV.websubHubs, (props.websubHubs ?? []).join(','));
    this.release.function.configureAsyncInvoke({ onFailure: new SqsDestination(releaseFailures), retryAttempts: 2 });

    // The scheduler's role may invoke the release function and nothing else, and only for this account's schedules.
    this.schedulerRole = new Role(this, 'ReleaseSchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'Assumed by EventBridge Scheduler to invoke the Warta release function at an article\'s publication time',
    });
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions: ['lambda:InvokeFunction'], resources: [this.release.function.functionArn] }),
    );
    alarms.alarmOn(
      this,
      'ReleasesDroppedAlarm',
      this.scheduleGroup.metricDropped({ period: Duration.minutes(5) }),
      1,
      'A scheduled article release was dropped after every retry: the article stays unpublished until it is rebuilt (warta rebuild ID)',
    );

    // The scheduling function: schedules in this group only, passing this role only, to the scheduler only.
    const scheduling = props.scheduler;
    this.scheduleGroup.grants.writeSchedules(scheduling.role);
    this.scheduleGroup.grants.deleteSchedules(scheduling.role);
    scheduling.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    scheduling
      .setEnvironment(ENV.releaseScheduleGroup, this.scheduleGroup.scheduleGroupName)
      .setEnvironment(ENV.releaseFunctionArn, this.release.function.functionArn)
      .setEnvironment(ENV.releaseSchedulerRoleArn, this.schedulerRole.roleArn);
    Validations.of(scheduling.role).acknowledge({
      // CDK names the group at synth time (stack, path and a hash), so the finding names it literally.
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${String(Stack.of(this).resolve(this.scheduleGroup.scheduleGroupName))}/*]`,
      reason: 'Release schedules are named after article ids, known only at run time; the grant is every schedule of the release group and no other group.',
    });
  }
}
