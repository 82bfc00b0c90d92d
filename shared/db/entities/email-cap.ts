/**
 * `EMAIL_CAP#<address hash>` / `<window start>`: how many emails went to one address in
 * one fixed window. One conditional ADD counts an email only while under the limit.
 */
import { ItemExpression } from '../expression.js';
import { emailKeys, table } from '../table.js';
import type { UpdateWrite } from './writes.js';

export const emailCapWrites = {
  /** One more email in the window, unless `limit` are counted already; TTL when it is over. */
  take: (address: string, window: { start: Date; end: Date }, limit: number): UpdateWrite => {
    const take = new ItemExpression();
    take.when(
      `attribute_not_exists(${take.path('sent')}) OR ${take.path('sent')} < ${take.value(limit)}`,
    );
    return {
      Key: emailKeys.recipientWindow(address, window.start.toISOString()),
      ...take
        .add('sent', 1)
        .set(table.timeToLiveAttribute, Math.ceil(window.end.getTime() / 1000))
        .toUpdate(),
    };
  },
};
