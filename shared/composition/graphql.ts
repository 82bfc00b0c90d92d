import { createGraphQLServer } from '../graphql/server.js';
import { eventService } from './events.js';
import { placeHold } from './idempotent-hold.js';
import { orderQueries } from './orders.js';
import { admitHold } from './rate-limits.js';
import { users } from './users.js';

/** Built once per container, on the very services the REST handlers use. */
export const graphqlServices = {
  events: eventService,
  orderQueries,
  placeHold,
  admitHold,
  users,
};

export const graphqlServer = createGraphQLServer(graphqlServices);
