import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * Every dead-letter queue of the project, with its settings fixed in one place:
 * fourteen days to look at what failed, SQS-managed encryption, TLS only.
 * A Queue itself rather than a wrapper, so it sits at the caller's path and its
 * logical id is the one a plain Queue with the same id would have.
 */
export class DeadLetterQueue extends Queue {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'It is a DLQ itself. cdk-nag only sees DLQs that SQS queues and Lambda functions name, not those of Scheduler schedules or rule targets.',
    });
  }
}
