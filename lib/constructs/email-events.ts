import { Duration, Stack } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  CloudWatchDimensionSource,
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { ENV } from '../../shared/env.js';

/** SES tags every email with its configuration set under this name. */
const SET_DIMENSION = 'ses:configuration-set';

/**
 * The SES configuration set the order emails go out in: SES counts their sends, bounces
 * and complaints in CloudWatch (AWS/SES, by configuration set), which the alarms watch,
 * and keeps addresses that bounced or complained on the account's suppression list so
 * they are not mailed again. SES pauses an account whose bounce or complaint rate stays
 * high; the alarms fire well before that.
 */
export class EmailEvents extends Construct {
  readonly configurationSet: ConfigurationSet;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'Set', {
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('CloudWatch', {
      destination: EventDestination.cloudWatchDimensions([
        {
          name: SET_DIMENSION,
          source: CloudWatchDimensionSource.MESSAGE_TAG,
          defaultValue: this.configurationSet.configurationSetName,
        },
      ]),
      events: [EmailSendingEvent.SEND, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
  }

  /** Lets a function send in this configuration set (SES authorizes the set as well as the sender). */
  bindSender(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.sesConfigurationSet, this.configurationSet.configurationSetName);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
      }),
    );
  }

  /** `Send`, `Bounce` or `Complaint` emails of this configuration set, summed per period. */
  metric(event: 'Send' | 'Bounce' | 'Complaint', period: Duration = Duration.hours(1)): Metric {
    return new Metric({
      namespace: 'AWS/SES',
      metricName: event,
      dimensionsMap: { [SET_DIMENSION]: this.configurationSet.configurationSetName },
      statistic: 'Sum',
      period,
    });
  }
}
