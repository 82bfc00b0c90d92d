import { ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { ENV } from '../../shared/env.js';
import { DeadLetterQueue } from './dead-letter-queue.js';

/**
 * Where the one-time hold-expiry schedules live: their group, the role EventBridge
 * Scheduler assumes to invoke the expiry function, and the DLQ for invocations that
 * fail after the retry policy.
 */
export class ExpiryScheduling extends Construct {
  readonly group: ScheduleGroup;
  readonly invokeRole: Role;
  readonly deadLetterQueue: DeadLetterQueue;
  private expiryFunctionArn: string | undefined;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.group = new ScheduleGroup(this, 'Group');
    // The expiry schedules name it at run time (CreateSchedule), not in the template.
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetters');
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

  /**
   * The function the schedules invoke, by its fixed name (`functionName` of its props): the Scheduler role may invoke
   * it, nothing else. Its ARN is built from the name, not read from the function, so the
   * function itself can create schedules (its waitlist offers) without a circular
   * reference to its own ARN.
   */
  target(functionName: string): void {
    const arn = Stack.of(this).formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: functionName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // The function itself only: grantInvoke would add its versions and aliases (`:*`).
    this.invokeRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [arn] }),
    );
    this.expiryFunctionArn = arn;
  }

  /** Lets a function create hold-expiry schedules in this group, aimed at the target. */
  bindCreator(fn: LambdaFunction): void {
    if (!this.expiryFunctionArn) throw new Error('Set the expiry target before binding creators');
    fn.addEnvironment(ENV.scheduleGroupName, this.group.scheduleGroupName);
    fn.addEnvironment(ENV.expiryFunctionArn, this.expiryFunctionArn);
    fn.addEnvironment(ENV.schedulerRoleArn, this.invokeRole.roleArn);
    fn.addEnvironment(ENV.schedulerDeadLetterArn, this.deadLetterQueue.queueArn);
    this.group.grantWriteSchedules(fn);
    // CreateSchedule hands the invoke role to the Scheduler service.
    this.invokeRole.grantPassRole(fn.grantPrincipal);
    if (fn.role) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${this.group.scheduleGroupName}/*]`,
        reason: 'One schedule per hold, named after the order: scoped to this group only.',
      });
    }
  }
}
