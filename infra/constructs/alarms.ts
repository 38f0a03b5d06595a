import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { Concern } from './concern.js';
import type { WartaFunction } from './warta-function.js';

export interface WartaAlarmsProps {
  /** Where alarm notifications are e-mailed. @default no subscription: alarms are seen in CloudWatch only */
  readonly alarmEmail?: string;
}

/**
 * The alarm topic and the three kinds of alarm every other concern uses: a metric over a
 * threshold, a dead-letter queue that is not empty, and errors of a function. Each concern
 * creates its alarms in its own scope through these methods, so every alarm notifies the topic.
 */
export class WartaAlarms extends Concern {
  readonly topic: Topic;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: WartaAlarmsProps = {}) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'Warta alarms', enforceSSL: true });
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason: 'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and alarm messages carry no article data.',
    });
    if (props.alarmEmail !== undefined) {
      const subscription = this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason: 'An undeliverable alarm e-mail needs no queue: the alarm state and history stay in CloudWatch, where the alarm is seen either way.',
      });
    }
    this.action = new SnsAction(this.topic);
  }

  /** An alarm when `metric` reaches `threshold` in one period; missing data is not a breach. */
  alarmOn(scope: Construct, id: string, metric: IMetric, threshold: number, description: string): Alarm {
    const alarm = new Alarm(scope, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }

  /** An encrypted dead-letter queue kept 14 days, with an alarm (`<id>Alarm`) as soon as one message waits. */
  deadLetterQueue(scope: Construct, id: string, purpose: string): Queue {
    const queue = new Queue(scope, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const reason = `This queue is itself the dead-letter destination for ${purpose}; a queue for its failures would only move the problem.`;
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason }, { id: 'Serverless-SQSRedrivePolicy', reason });
    this.alarmOn(scope, `${id}Alarm`, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }), 1, `Failed ${purpose} are waiting in ${id}`);
    return queue;
  }

  /** An alarm (`<function id>ErrorsAlarm`, beside the function) on any error in five minutes. */
  watchFunction(fn: WartaFunction): Alarm {
    const scope = fn.node.scope;
    if (scope === undefined) throw new Error(`function ${fn.node.id} has no scope`);
    return this.alarmOn(
      scope,
      `${fn.node.id}ErrorsAlarm`,
      fn.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      1,
      `The ${fn.node.id} function reported errors`,
    );
  }
}
