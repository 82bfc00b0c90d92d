import type { Context } from 'aws-lambda';
import DataLoader from 'dataloader';
import { GraphQLScalarType, Kind } from 'graphql';
import type { z } from 'zod';
import type { RouteDefinition } from '../api/route-record.js';
import { GetEvent, ListEvents } from '../api/routes/events.js';
import { GetOrder, HoldTickets, ListMyOrders, ListOrders } from '../api/routes/orders.js';
import type { placeHold } from '../composition/idempotent-hold.js';
import { NotFound } from '../domain/errors.js';
import { type EventView, listEventsQuerySchema } from '../domain/event-model.js';
import type { EventService } from '../domain/events.js';
import {
  holdSchema,
  listOrdersQuerySchema,
  myOrdersQuerySchema,
  type OrderView,
} from '../domain/order-model.js';
import type { OrderQueries } from '../domain/order-queries.js';
import type { Principal } from '../domain/principal.js';
import type { User } from '../domain/user-model.js';
import type { Users } from '../domain/users.js';
import { assertRouteAccess } from '../http/access.js';
import { validate } from '../http/validation.js';

/** What the resolvers call: the very services the REST handlers call. */
export interface GraphQLServices {
  events: Pick<EventService, 'list' | 'get' | 'getVisibleMany'>;
  orderQueries: Pick<OrderQueries, 'get' | 'listOrders' | 'listMine'>;
  placeHold: typeof placeHold;
  /** Counts a hold against the customer's hold limit (REST counts it with the request). */
  admitHold: (userId: string) => Promise<void>;
  users: Pick<Users, 'me'>;
}

export interface GraphQLContext {
  principal: Principal;
  /** The request's `Idempotency-Key` header, which `createOrder` honours like REST. */
  idempotencyKey: string | undefined;
  lambdaContext: Context;
  /** One per request: nested `event` fields of a page load in one batch. */
  eventLoader: DataLoader<string, EventView | null>;
}

type Args = Record<string, unknown>;

/**
 * Arguments through the REST schema of the same request. GraphQL sends an explicit
 * null for an argument given as null; REST's schemas know only absent ones.
 */
function parseArgs<S extends z.ZodType>(schema: S, args: Args): z.output<S> {
  const present = Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null));
  return validate(schema, present, 'args') as z.output<S>;
}

/** REST's 404 is GraphQL's null: the caller learns no more than over REST. */
async function orNull<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof NotFound) return null;
    throw error;
  }
}

const dateTime = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => value,
  parseValue: (value) => value,
  // Checked as REST checks it, by the zod schema the argument goes through.
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? ast.value : null),
});

export function eventLoaderFor(
  events: GraphQLServices['events'],
  principal: Principal,
): DataLoader<string, EventView | null> {
  return new DataLoader(async (ids) => {
    const visible = await events.getVisibleMany(principal, ids);
    return ids.map((id) => visible.get(id) ?? null);
  });
}

/**
 * Function-level access as the field's REST route has it (`access` in its record): a
 * customer asking for `orders` is refused as GET /v1/orders refuses them, before the
 * domain's object-level checks.
 */
function as(route: RouteDefinition, principal: Principal): Principal {
  assertRouteAccess(route, principal);
  return principal;
}

export function createResolvers(services: GraphQLServices) {
  return {
    DateTime: dateTime,
    Query: {
      events: (_: unknown, args: Args, { principal }: GraphQLContext) =>
        services.events.list(as(ListEvents, principal), parseArgs(listEventsQuerySchema, args)),
      event: (_: unknown, { id }: { id: string }, { principal }: GraphQLContext) =>
        orNull(() => services.events.get(as(GetEvent, principal), id)),
      orders: (_: unknown, args: Args, { principal }: GraphQLContext) =>
        services.orderQueries.listOrders(
          as(ListOrders, principal),
          parseArgs(listOrdersQuerySchema, args),
        ),
      order: (_: unknown, { id }: { id: string }, { principal }: GraphQLContext) =>
        orNull(() => services.orderQueries.get(as(GetOrder, principal), id)),
      // A token whose profile is gone reads as anonymous, as REST's /v1/me is 404.
      me: (_: unknown, __: Args, { principal }: GraphQLContext) =>
        principal.userId === null ? null : orNull(() => services.users.me(principal)),
    },
    Mutation: {
      createOrder: async (_: unknown, args: Args, context: GraphQLContext) => {
        const { eventId, ...form } = args as Args & { eventId: string };
        const principal = as(HoldTickets, context.principal);
        const body = parseArgs(holdSchema, form);
        if (principal.userId !== null) await services.admitHold(principal.userId);
        return services.placeHold({
          principal,
          eventId,
          body,
          idempotencyKey: context.idempotencyKey,
          context: context.lambdaContext,
        });
      },
    },
    Order: {
      event: (order: OrderView, _: Args, { eventLoader }: GraphQLContext) =>
        eventLoader.load(order.eventId),
    },
    User: {
      // Only `me` yields a User, so these are always the caller's own orders.
      orders: (_: User, args: Args, { principal }: GraphQLContext) =>
        services.orderQueries.listMine(
          as(ListMyOrders, principal),
          parseArgs(myOrdersQuerySchema, args),
        ),
    },
  };
}
