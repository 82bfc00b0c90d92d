/**
 * `RATE#<policy>#<client>` / `WINDOW#<start>`: one client's counts in one fixed window,
 * one attribute per counter (a signed-in caller's window counts requests and holds on the
 * same item, so a hold request pays one write for both). The one place that knows its
 * attributes; the limiter's adapter composes these.
 */
import { ItemExpression } from '../expression.js';
import { rateLimitKeys, table } from '../table.js';
import type { UpdateWrite } from './writes.js';

export interface WindowRef {
  policy: string;
  client: string;
  /** Epoch seconds. */
  windowStart: number;
}

const counting = (expiresAt: number) =>
  new ItemExpression().set(table.timeToLiveAttribute, expiresAt).set('entity', 'RateWindow');

export const rateWindowWrites = {
  /**
   * One more of each counter, only while every one of them is below its quota: the check
   * and the count in one write, all or nothing.
   */
  hitBelow: (window: WindowRef, quotas: Record<string, number>, expiresAt: number): UpdateWrite => {
    const update = counting(expiresAt);
    for (const [counter, quota] of Object.entries(quotas)) {
      const path = update.add(counter, 1).path(counter);
      update.when(`(attribute_not_exists(${path}) OR ${path} < ${update.value(quota)})`);
    }
    return {
      Key: rateLimitKeys.window(window.policy, window.client, window.windowStart),
      ...update.toUpdate(),
    };
  },

  /** One more of `counter`, unconditionally. */
  hit: (window: WindowRef, counter: string, expiresAt: number): UpdateWrite => ({
    Key: rateLimitKeys.window(window.policy, window.client, window.windowStart),
    ...counting(expiresAt).add(counter, 1).toUpdate(),
  }),
};
