/**
 * `RATE#<policy>#<client>` / `WINDOW#<start>`: one client's count in one fixed window.
 * The one place that knows its attributes; the limiter's adapter composes these.
 */
import { ItemExpression } from '../expression.js';
import { rateLimitKeys, table } from '../table.js';
import type { UpdateWrite } from './writes.js';

export const COUNT = 'hits';

export const rateWindowWrites = {
  /** One more hit, only while the window holds fewer than `quota`: the check and the count in one write. */
  hitBelow: (
    policy: string,
    client: string,
    windowStart: number,
    quota: number,
    expiresAt: number,
  ): UpdateWrite => {
    const update = new ItemExpression()
      .add(COUNT, 1)
      .set(table.timeToLiveAttribute, expiresAt)
      .set('entity', 'RateWindow');
    update.when(
      `attribute_not_exists(${update.path(COUNT)}) OR ${update.path(COUNT)} < ${update.value(quota)}`,
    );
    return { Key: rateLimitKeys.window(policy, client, windowStart), ...update.toUpdate() };
  },

  /** One more hit, unconditionally. */
  hit: (policy: string, client: string, windowStart: number, expiresAt: number): UpdateWrite => ({
    Key: rateLimitKeys.window(policy, client, windowStart),
    ...new ItemExpression()
      .add(COUNT, 1)
      .set(table.timeToLiveAttribute, expiresAt)
      .set('entity', 'RateWindow')
      .toUpdate(),
  }),
};
