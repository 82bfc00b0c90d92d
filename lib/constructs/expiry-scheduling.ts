import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Where the one-time hold-expiry schedules live: their group, the role EventBridge
 * Scheduler assumes to invoke the expiry function, and the DLQ for invocations that
 * fail after the retry policy.
 */
export class ExpiryScheduling extends Construct {
  readonly group: ScheduleGroup;
  readonly invokeRole: Role;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.group = new ScheduleGroup(this, 'Group');
    this.deadLetterQueue = new Queue(this, 'DeadLetters', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'It is the DLQ of the expiry schedules, which name it at run time.',
    });
    const stack = Stack.of(this);
    const schedulesOfGroup = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.group.scheduleGroupName}/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.invokeRole = new Role(this, 'InvokeRole', {
      description: 'Assumed by EventBridge Scheduler to run hold-expiry schedules',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        // Only schedules of this account and this group may use the role (confused-deputy guard).
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': schedulesOfGroup },
        },
      }),
    });
    // Scheduler only sends to its DLQ; grantSendMessages would add queue-attribute reads.
    this.deadLetterQueue.grant(this.invokeRole, 'sqs:SendMessage');
  }
}
