import {
  ConflictException,
  CreateScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { ExpiryScheduler } from '../domain/order-ports.js';

export interface ExpirySchedulerConfig {
  groupName: string;
  /** The expiry Lambda. */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  roleArn: string;
  /** Where invocations that keep failing end up. */
  deadLetterArn: string;
}

/**
 * One one-time schedule per hold, at its expiry, that deletes itself once it ran.
 * Retries with a DLQ cover a failing invocation; the periodic sweep covers the rest.
 */
export class EventBridgeExpiryScheduler implements ExpiryScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly config: ExpirySchedulerConfig,
  ) {}

  async scheduleExpiry(orderId: string, at: string): Promise<void> {
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: `hold-${orderId}`,
          GroupName: this.config.groupName,
          // at() takes local time without zone or fraction; the zone is set below.
          ScheduleExpression: `at(${at.slice(0, 19)})`,
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: this.config.targetArn,
            RoleArn: this.config.roleArn,
            Input: JSON.stringify({ orderId }),
            RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
            DeadLetterConfig: { Arn: this.config.deadLetterArn },
          },
        }),
      );
    } catch (error) {
      // A retried request already created it: the schedule exists, which is what counts.
      if (!(error instanceof ConflictException)) throw error;
    }
  }
}
