import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ENV } from '../../shared/config/env-names.js';
import type { WartaAlarms } from './alarms.js';
import { Concern } from './concern.js';
import { WartaFunction, type SiteIdentity } from './warta-function.js';

export interface WartaWordPressSyncProps {
  readonly site: SiteIdentity;
  readonly table: ITable;
  readonly alarms: WartaAlarms;
  /** The WordPress site whose posts are pulled (`wordpressSyncUrl` context value). */
  readonly wordpressUrl: string;
  /** Name of a Secrets Manager secret with `{"user": …, "applicationPassword": …}`; without it the site is read anonymously. */
  readonly credentialsSecretName?: string;
  /** Minutes between runs. */
  readonly everyMinutes: number;
  readonly functionsDir?: string;
}

/**
 * The scheduled `warta sync` (docs/wordpress.md, "Sync in AWS"): an EventBridge rule runs the
 * WordPressSync function every few minutes; it pulls the site's changed posts through the REST API,
 * ingests and withdraws through the ingest use case, and keeps its position in the articles table.
 * Created only when the `wordpressSyncUrl` context value is set.
 */
export class WartaWordPressSync extends Concern {
  readonly function: WartaFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: WartaWordPressSyncProps) {
    super(scope, id);
    // A run never outlasts the interval, so two runs do not overlap; it stops taking pages a minute before.
    const timeout = Duration.minutes(Math.min(15, Math.max(2, props.everyMinutes - 1)));
    this.function = new WartaFunction(this, 'WordPressSync', {
      name: 'WordPressSync',
      description: 'Pulls changed WordPress posts through the REST API on a schedule and ingests or withdraws them',
      functionsDir: props.functionsDir,
      timeout,
      failureHandling:
        'Invoked by a schedule with no event worth keeping: a failed run leaves its saved position in the table, the next scheduled run resumes from it, and the error alarm reports the failure.',
    });
    props.alarms.watchFunction(this.function);
    this.function
      .setSite(props.site)
      // Ingest (GetItem/PutItem of articles) and the sync position (GetItem/PutItem of its state item).
      .bindArticlesTable(props.table, ['GetItem', 'PutItem'])
      .setEnvironment(ENV.wordpressSyncUrl, props.wordpressUrl);
    if (props.credentialsSecretName !== undefined) {
      const secret = Secret.fromSecretNameV2(this, 'WordPressCredentials', props.credentialsSecretName);
      secret.grantRead(this.function.role);
      this.function.setEnvironment(ENV.wordpressSyncSecretArn, secret.secretArn);
    }

    this.rule = new Rule(this, 'WordPressSyncSchedule', {
      description: `Runs the WordPress sync of ${props.wordpressUrl} every ${props.everyMinutes} minute(s)`,
      schedule: Schedule.rate(Duration.minutes(props.everyMinutes)),
    });
    // No retries of a failed run: the next scheduled run does the same work from the saved position.
    this.rule.addTarget(new LambdaFunction(this.function.function, { retryAttempts: 0, maxEventAge: Duration.minutes(props.everyMinutes) }));
    Validations.of(this.rule).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason: 'A scheduled event carries nothing: a run that could not be delivered is replaced by the next scheduled one, which resumes from the saved position.',
    });
  }
}
