import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { queryDueShards } from '../db/due-shards.js';
import { emailKeys } from '../db/table.js';
import type { EmailKind } from '../domain/email-model.js';
import type { EmailQueue } from '../domain/email-ports.js';
import type { OutboxRelay } from '../domain/order-ports.js';

/**
 * Moves committed outbox messages to the email queue, then deletes them. Crashing in
 * between sends a message twice, which the email handler's per-(order, kind) marker
 * absorbs; a message that could not be sent stays for `relayPending`.
 */
export class DynamoOutboxRelay implements OutboxRelay {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly queue: EmailQueue,
    private readonly onError: (message: string, error: unknown) => void,
  ) {}

  async relay(orderId: string, kind: EmailKind): Promise<void> {
    try {
      await this.queue.send({ orderId, kind });
      await this.client.send(
        new DeleteCommand({ TableName: this.tableName, Key: emailKeys.outbox(orderId, kind) }),
      );
    } catch (error) {
      // The change is committed and its email is in the outbox: the sweep sends it later.
      this.onError('Could not hand an email to the queue', error);
    }
  }

  async relayPending(before: string, limit: number): Promise<number> {
    const due = await queryDueShards(this.client, this.tableName, emailKeys.outboxShards.all, {
      before,
      limit,
    });
    const pending = due.slice(0, limit);
    for (const message of pending) {
      await this.relay(message.orderId as string, message.kind as EmailKind);
    }
    return pending.length;
  }
}
