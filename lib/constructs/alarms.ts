import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.js';
import type { EmailEvents } from './email-events.js';
import { ProjectFunction } from './project-function.js';

export interface AlarmsProps {
  stage: HttpStage;
  table: TableV2;
  emailEvents: EmailEvents;
}

/** API 5xx answers above this share of requests (over 5 minutes) page the operator. */
const API_5XX_RATE = 0.01;
/** The sweep runs every minute; a hold this much overdue means it is not keeping up. */
const OVERDUE_HOLD_SECONDS = 5 * 60;
/** Half of what SES reviews an account at (10 % bounces, 0.5 % complaints), per hour. */
const EMAIL_BOUNCE_RATE = 0.05;
const EMAIL_COMPLAINT_RATE = 0.001;

/**
 * What pages the operator, on one SNS topic (stack output `AlarmTopicArn`): anything in
 * a dead-letter queue, the API answering 5xx, a function failing or being throttled,
 * DynamoDB throttling. Built last, from the stack's own dead-letter queues and functions,
 * so a queue or function added later is watched without being listed here. One
 * dashboard shows the same signals. The README's runbook says what each alarm means.
 */
export class Alarms extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: 'Ticketing alarms',
      enforceSSL: true,
      masterKey: new Key(this, 'TopicKey', {
        description: 'Encrypts the alarm topic',
        enableKeyRotation: true,
      }),
    });
    const notify = new SnsAction(this.topic);
    const alarm = (name: string, metric: IMetric, threshold: number, what: string) => {
      const created = new Alarm(this, name, {
        alarmDescription: what,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(notify);
      return created;
    };

    const stack = Stack.of(this);
    const queues = stack.node.findAll().filter((node) => node instanceof DeadLetterQueue);
    for (const queue of queues) {
      alarm(
        `${queue.node.path.replaceAll('/', '')}Depth`,
        queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
        0,
        `Messages waiting in dead-letter queue ${queue.node.path}: something failed for good`,
      );
    }

    const requests = props.stage.metricCount({ period: Duration.minutes(5) });
    const serverErrors = props.stage.metricServerError({ period: Duration.minutes(5) });
    alarm(
      'Api5xxRate',
      new MathExpression({
        expression: 'IF(requests > 0, errors / requests, 0)',
        usingMetrics: { errors: serverErrors, requests },
        period: Duration.minutes(5),
        label: 'API 5xx share',
      }),
      API_5XX_RATE,
      `More than ${API_5XX_RATE * 100} % of API requests answered 5xx over 5 minutes`,
    );

    const functions = stack.node.findAll().filter((node) => node instanceof ProjectFunction);
    for (const fn of functions) {
      const name = fn.node.path.replaceAll('/', '');
      alarm(
        `${name}Errors`,
        fn.metricErrors({ period: Duration.minutes(5) }),
        0,
        `${fn.node.path} failed (an unhandled error or a timeout)`,
      );
      alarm(
        `${name}Throttles`,
        fn.metricThrottles({ period: Duration.minutes(5) }),
        0,
        `${fn.node.path} was throttled: account or reserved concurrency reached`,
      );
    }

    // The table's own read and write throttle events (its indexes' come with their name).
    const throttled = new MathExpression({
      expression: 'reads + writes',
      usingMetrics: {
        reads: props.table.metric('ReadThrottleEvents', { statistic: 'Sum' }),
        writes: props.table.metric('WriteThrottleEvents', { statistic: 'Sum' }),
      },
      period: Duration.minutes(5),
      label: 'Throttle events',
    });
    alarm(
      'TableThrottled',
      throttled,
      0,
      'DynamoDB throttled the table: a hot partition or an account limit',
    );

    // The sweep's own measure (business metric), 0 while it keeps up; missing = not running,
    // which its Errors alarm and the function's invocations cover.
    const overdueHoldAge = new Metric({
      namespace: 'Ticketing',
      metricName: 'OverdueHoldAge',
      dimensionsMap: { service: 'ticketing' },
      statistic: 'Maximum',
      period: Duration.minutes(5),
    });
    alarm(
      'OverdueHolds',
      overdueHoldAge,
      OVERDUE_HOLD_SECONDS,
      `A hold is over ${OVERDUE_HOLD_SECONDS / 60} minutes past its expiry: neither its schedule nor the sweep released it`,
    );

    const { emailEvents } = props;
    const emailRate = (event: 'Bounce' | 'Complaint', label: string) =>
      new MathExpression({
        expression: `IF(sends > 0, ${event.toLowerCase()}s / sends, 0)`,
        usingMetrics: {
          sends: emailEvents.metric('Send'),
          [`${event.toLowerCase()}s`]: emailEvents.metric(event),
        },
        period: Duration.hours(1),
        label,
      });
    const bounceRate = emailRate('Bounce', 'Email bounce rate');
    const complaintRate = emailRate('Complaint', 'Email complaint rate');
    alarm(
      'EmailBounceRate',
      bounceRate,
      EMAIL_BOUNCE_RATE,
      `More than ${EMAIL_BOUNCE_RATE * 100} % of order emails bounced over an hour`,
    );
    alarm(
      'EmailComplaintRate',
      complaintRate,
      EMAIL_COMPLAINT_RATE,
      `More than ${EMAIL_COMPLAINT_RATE * 100} % of order emails were marked as spam over an hour`,
    );

    this.dashboard = new Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new GraphWidget({
            title: 'API requests and 5xx',
            left: [requests],
            right: [serverErrors],
          }),
          new GraphWidget({
            title: 'Function errors',
            left: functions.map((fn) => fn.metricErrors({ period: Duration.minutes(5) })),
          }),
        ],
        [
          new GraphWidget({
            title: 'Dead-letter queues',
            left: queues.map((queue) => queue.metricApproximateNumberOfMessagesVisible()),
          }),
          new GraphWidget({ title: 'DynamoDB throttled requests', left: [throttled] }),
        ],
        [
          new GraphWidget({ title: 'Oldest overdue hold (s)', left: [overdueHoldAge] }),
          new GraphWidget({
            title: 'Email bounces and complaints',
            left: [bounceRate, complaintRate],
          }),
        ],
      ],
    });
  }
}
