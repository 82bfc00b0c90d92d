import * as z from 'zod';
import type { Clock } from './clock.js';
import { LocationRequired } from './errors.js';
import { type NearbyEventView, pageLimitSchema, toNearbyEventView } from './event-model.js';
import type { EventRepository } from './event-ports.js';
import { RADIUS_KM, radiusKmSchema } from './geo.js';
import type { Page } from './page.js';
import type { Principal } from './principal.js';
import type { Users } from './users.js';

export const relevantEventsQuerySchema = z.strictObject({
  radiusKm: radiusKmSchema.prefault(RADIUS_KM.default),
  limit: pageLimitSchema,
  cursor: z.string().min(1).max(2048).optional(),
});
export type RelevantEventsQuery = z.infer<typeof relevantEventsQuerySchema>;

/** Events worth suggesting to a user: published, not started yet, near where they are. */
export class RelevantEvents {
  constructor(
    private readonly users: Users,
    private readonly events: EventRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * Within `radiusKm` of the user's stored location, nearest first. Whose list it is
   * follows GET /v1/users/{userId}: the user themself or an admin; anyone else, 404.
   */
  async list(
    principal: Principal,
    userId: string,
    query: RelevantEventsQuery,
  ): Promise<Page<NearbyEventView>> {
    const { location } = await this.users.get(principal, userId);
    if (!location) {
      throw new LocationRequired(
        `User ${userId} has no location; set one with PATCH /v1/me { location }`,
      );
    }
    const page = await this.events.listNear({
      index: 'byStatus',
      status: 'PUBLISHED',
      startsAfter: this.clock.now().toISOString(),
      near: { centre: location, radiusKm: query.radiusKm },
      limit: query.limit,
      ...(query.cursor !== undefined && { cursor: query.cursor }),
    });
    return { items: page.items.map(toNearbyEventView), nextCursor: page.nextCursor };
  }
}
