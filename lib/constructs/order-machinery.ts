import { Duration, Stack } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { EmailIdentity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { AsyncResource } from '../../shared/api/route-record.js';
import { ENV } from '../../shared/env.js';
import type { DataTable } from './data-table.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import type { EmailEvents } from './email-events.js';
import { EMAIL_SENDER_TIMEOUT, type EmailQueue } from './email-queue.js';
import type { ExpiryScheduling } from './expiry-scheduling.js';
import { ProjectFunction } from './project-function.js';

export interface OrderMachineryProps {
  data: DataTable;
  emails: EmailQueue;
  expiry: ExpiryScheduling;
  sender: EmailIdentity;
  senderEmail: string;
  emailEvents: EmailEvents;
  /** Emails per recipient address per hour, over which they are dropped. */
  emailCapPerHour: number;
}

/**
 * The jobs behind the orders API: the expiry function the one-time schedules invoke,
 * the minute sweep that backs them up, and the email sender on the queue.
 */
export class OrderMachinery extends Construct {
  readonly expireHold: ProjectFunction;
  readonly sweep: ProjectFunction;
  readonly sendEmail: ProjectFunction;
  readonly sweepDeadLetters: DeadLetterQueue;
  readonly sweepFailures: DeadLetterQueue;
  readonly expiryFailures: DeadLetterQueue;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: OrderMachineryProps,
  ) {
    super(scope, id);
    const expireHoldName = `${Stack.of(this).stackName}-expire-hold`;
    this.expireHold = new ProjectFunction(this, 'ExpireHold', {
      handler: 'expire-hold',
      description: 'Expires one hold at its expiresAt (EventBridge Scheduler target)',
      functionName: expireHoldName,
    });
    props.data.bind(this.expireHold, 'write');
    props.emails.bindProducer(this.expireHold);
    props.expiry.target(expireHoldName);
    // A lapsed offer passes its tickets to the next in line: an offer whose expiry it schedules.
    props.expiry.bindCreator(this.expireHold);
    // Scheduler invokes it asynchronously: an expiry that fails inside the function (not
    // only one Scheduler cannot deliver) lands here after Lambda's retries, not nowhere.
    this.expiryFailures = new DeadLetterQueue(this, 'ExpiryFailures');
    this.expireHold.configureAsyncInvoke({
      onFailure: new SqsDestination(this.expiryFailures),
      retryAttempts: 2,
    });

    this.sweep = new ProjectFunction(this, 'Sweep', {
      handler: 'sweep',
      description:
        'Every minute: expires missed holds, finishes payments, resends emails, finishes event cancellations, unlists started events from near-me search',
      timeout: Duration.seconds(50),
    });
    props.data.bind(this.sweep, 'write');
    props.emails.bindProducer(this.sweep);
    props.expiry.bindCreator(this.sweep);
    this.sweepDeadLetters = new DeadLetterQueue(this, 'SweepDeadLetters');
    // The rule's DLQ takes events it cannot deliver; this one runs that failed inside.
    this.sweepFailures = new DeadLetterQueue(this, 'SweepFailures');
    this.sweep.configureAsyncInvoke({
      onFailure: new SqsDestination(this.sweepFailures),
      retryAttempts: 0,
    });
    new Rule(this, 'EveryMinute', {
      description:
        'Safety net behind the one-time hold-expiry schedules; keeps the nearby index to upcoming events',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [
        new LambdaTarget(this.sweep, {
          deadLetterQueue: this.sweepDeadLetters,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(2),
        }),
      ],
    });

    this.sendEmail = new ProjectFunction(this, 'SendEmail', {
      handler: 'send-email',
      description:
        'Sends emails through SES: once per order and kind or per verification code, capped per recipient',
      timeout: EMAIL_SENDER_TIMEOUT,
      environment: {
        [ENV.senderEmail]: props.senderEmail,
        [ENV.emailCapPerHour]: String(props.emailCapPerHour),
      },
    });
    props.data.bind(this.sendEmail, 'write');
    props.sender.grantSendEmail(this.sendEmail);
    props.emailEvents.bindSender(this.sendEmail);
    this.sendEmail.addEventSource(
      new SqsEventSource(props.emails.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        // At most two batches in flight (the least SQS sources allow): a burst of emails
        // waits in the queue instead of outrunning SES's send rate and failing there.
        maxConcurrency: 2,
      }),
    );
  }

  /** Gives a route's function the asynchronous machinery its route declares. */
  bind(fn: LambdaFunction, uses: readonly AsyncResource[]): void {
    for (const resource of uses) {
      if (resource === 'expirySchedule') this.props.expiry.bindCreator(fn);
      else if (resource === 'emailQueue') this.props.emails.bindProducer(fn);
      else if (resource === 'emailQueueProbe') this.props.emails.bindProbe(fn);
      else this.props.data.bindIdempotency(fn);
    }
  }
}
