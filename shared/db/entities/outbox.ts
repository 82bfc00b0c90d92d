import type { EmailKind } from '../../domain/email-model.js';
import type { Order } from '../../domain/order-model.js';
import { emailKeys, table } from '../table.js';
import type { PutWrite } from './writes.js';

/**
 * `OUTBOX#<orderId>#<kind>`: the email a change commits with it, until the relay has
 * handed it to the queue; in its order's shard of the due index by creation, for the sweep
 * to resend.
 */
export const outboxWrites = {
  insert: (order: Order, kind: EmailKind, now: string): PutWrite => {
    const { dueSharded } = table.globalSecondaryIndexes;
    return {
      Item: {
        ...emailKeys.outbox(order.id, kind),
        entity: 'OutboxMessage',
        orderId: order.id,
        kind,
        createdAt: now,
        [dueSharded.partitionKey]: emailKeys.outboxShards.of(order.id),
        [dueSharded.sortKey]: emailKeys.createdAtSort(now, `${order.id}#${kind}`),
      },
    };
  },
};
