import { Duration } from 'aws-cdk-lib';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/env.js';
import { DeadLetterQueue } from './dead-letter-queue.js';

/** SQS guidance: visibility at least six times the consumer's timeout. */
export const EMAIL_SENDER_TIMEOUT = Duration.seconds(30);
export const EMAIL_MAX_RECEIVES = 5;

/** The queue between committed order changes and the email Lambda, with its DLQ. */
export class EmailQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetters');
    this.queue = new Queue(this, 'Queue', {
      visibilityTimeout: Duration.seconds(EMAIL_SENDER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: EMAIL_MAX_RECEIVES },
    });
  }

  /** Lets a function hand emails to the queue. */
  bindProducer(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.emailQueueUrl, this.queue.queueUrl);
    this.queue.grantSendMessages(fn);
  }

  /** Lets a function check the queue answers (readiness): its attributes, nothing sent. */
  bindProbe(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.emailQueueUrl, this.queue.queueUrl);
    this.queue.grant(fn, 'sqs:GetQueueAttributes');
  }
}
