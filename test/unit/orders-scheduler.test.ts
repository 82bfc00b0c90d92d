import {
  ConflictException,
  CreateScheduleCommand,
  SchedulerClient,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeExpiryScheduler } from '../../shared/adapters/eventbridge-expiry-scheduler.js';

const scheduler = mockClient(SchedulerClient);
const metadata = { $metadata: {} };
const config = {
  groupName: 'holds',
  targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:expire-hold',
  roleArn: 'arn:aws:iam::000000000000:role/scheduler-invoke',
  deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:scheduler-dlq',
};
const adapter = () =>
  new EventBridgeExpiryScheduler(new SchedulerClient({ region: 'us-east-1' }), config);

beforeEach(() => {
  scheduler.reset();
});

describe('EventBridgeExpiryScheduler', () => {
  it('creates one self-deleting one-time schedule at the expiry, aimed at the expiry function', async () => {
    // Prepare
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule', ...metadata });

    // Act
    await adapter().scheduleExpiry('01ORDER', '2030-05-01T19:30:12.345Z');

    // Assess
    expect(scheduler).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: 'hold-01ORDER',
      GroupName: 'holds',
      ScheduleExpression: 'at(2030-05-01T19:30:12)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: {
        Arn: config.targetArn,
        RoleArn: config.roleArn,
        Input: JSON.stringify({ orderId: '01ORDER' }),
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: config.deadLetterArn },
      },
    });
  });

  it('treats a schedule that already exists (a retried request) as created, and reports other errors', async () => {
    // Prepare
    scheduler
      .on(CreateScheduleCommand)
      .rejectsOnce(new ConflictException({ message: 'exists', Message: 'exists', ...metadata }))
      .rejectsOnce(new ValidationException({ message: 'bad', Message: 'bad', ...metadata }));

    // Act / Assess
    await expect(
      adapter().scheduleExpiry('01A', '2030-01-01T00:00:00.000Z'),
    ).resolves.toBeUndefined();
    await expect(
      adapter().scheduleExpiry('01B', '2030-01-01T00:00:00.000Z'),
    ).rejects.toBeInstanceOf(ValidationException);
  });
});
