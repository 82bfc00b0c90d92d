import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { emailKeys } from '../db/table.js';
import type { EmailKind } from '../domain/email-model.js';
import type { EmailLease, SentEmailLog } from '../domain/email-ports.js';

/**
 * The `SENT#<orderId>#<kind>` marker: SENDING with a lease while one delivery sends the
 * email, SENT (with the mail service's message id) for good once it has. Markers are
 * kept, so a message redriven from the DLQ days later still finds SENT.
 */
export class DynamoEmailLog implements SentEmailLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(
    orderId: string,
    kind: EmailKind,
    lease: EmailLease,
  ): Promise<'claimed' | 'sent' | 'in-flight'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...emailKeys.sent(orderId, kind),
            entity: 'SentEmail',
            orderId,
            kind,
            status: 'SENDING',
            leaseId: lease.id,
            claimedAt: lease.claimedAt,
            leaseExpiresAt: lease.expiresAt,
          },
          // ISO times of one format compare correctly as strings.
          ConditionExpression:
            'attribute_not_exists(pk) OR (#status = :sending AND #leaseExpiresAt <= :now)',
          ExpressionAttributeNames: { '#status': 'status', '#leaseExpiresAt': 'leaseExpiresAt' },
          ExpressionAttributeValues: { ':sending': 'SENDING', ':now': lease.claimedAt },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The failed condition hands back raw attribute values, not a document.
      const current = error.Item
        ? unmarshall(error.Item as Record<string, AttributeValue>)
        : undefined;
      // No item back should not happen; a live lease is the answer that is safe to retry.
      return current?.status === 'SENT' ? 'sent' : 'in-flight';
    }
  }

  async markSent(
    orderId: string,
    kind: EmailKind,
    leaseId: string,
    sent: { messageId: string; sentAt: string },
  ): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: emailKeys.sent(orderId, kind),
          UpdateExpression:
            'SET #status = :sent, #sentAt = :sentAt, #messageId = :messageId REMOVE #leaseExpiresAt',
          ConditionExpression: '#status = :sending AND #leaseId = :leaseId',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#sentAt': 'sentAt',
            '#messageId': 'messageId',
            '#leaseExpiresAt': 'leaseExpiresAt',
            '#leaseId': 'leaseId',
          },
          ExpressionAttributeValues: {
            ':sent': 'SENT',
            ':sending': 'SENDING',
            ':sentAt': sent.sentAt,
            ':messageId': sent.messageId,
            ':leaseId': leaseId,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async release(orderId: string, kind: EmailKind, leaseId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: emailKeys.sent(orderId, kind),
          ConditionExpression: '#status = :sending AND #leaseId = :leaseId',
          ExpressionAttributeNames: { '#status': 'status', '#leaseId': 'leaseId' },
          ExpressionAttributeValues: { ':sending': 'SENDING', ':leaseId': leaseId },
        }),
      );
    } catch (error) {
      // Someone else's lease now, or already gone: nothing of ours to give up.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
