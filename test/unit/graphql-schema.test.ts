import {
  buildSchema,
  type GraphQLArgument,
  GraphQLEnumType,
  type GraphQLField,
  type GraphQLInputField,
  GraphQLInputObjectType,
  type GraphQLInputType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  type GraphQLOutputType,
  GraphQLScalarType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  eventViewSchema,
  nearbyEventViewSchema,
  orderViewSchema,
  userSchema,
} from '../../shared/api/responses.js';
import { listEventsQuerySchema } from '../../shared/domain/event-model.js';
import {
  holdSchema,
  listOrdersQuerySchema,
  myOrdersQuerySchema,
} from '../../shared/domain/order-model.js';
import { typeDefs } from '../../shared/graphql/type-defs.js';

/*
 * The GraphQL schema is written by hand; REST's zod schemas validate every request and
 * describe every response. These tests read both and fail when they drift: a field or
 * argument on one side only, a different nullability, scalar kind or enum values.
 */

const schema = buildSchema(typeDefs);

/** Fields GraphQL adds on purpose, resolved from other reads: not in the REST bodies. */
const GRAPHQL_ONLY: Record<string, string[]> = {
  Order: ['event'],
  User: ['orders'],
};

type Zod = z.ZodType;
const def = (zod: Zod) => (zod as unknown as { _zod: { def: Record<string, any> } })._zod.def;

/** Through wrappers that change neither shape nor kind; `optional` says whether one was optional. */
function unwrap(zod: Zod): { inner: Zod; optional: boolean } {
  let current = zod;
  let optional = false;
  for (;;) {
    const d = def(current);
    if (
      d.type === 'optional' ||
      d.type === 'nullable' ||
      d.type === 'default' ||
      d.type === 'prefault'
    ) {
      if (d.type !== 'nullable') optional = true;
      current = d.innerType;
    } else if (d.type === 'pipe') {
      // preprocess (transform → schema) or schema → transform: the schema is the kind.
      current = def(d.in).type === 'transform' ? d.out : d.in;
    } else {
      return { inner: current, optional };
    }
  }
}

/** The kind of a zod leaf, in GraphQL's terms. */
function zodKind(zod: Zod): string {
  const d = def(zod);
  if (d.type === 'string') return 'String';
  if (d.type === 'boolean') return 'Boolean';
  if (d.type === 'number')
    return (zod as unknown as { format?: string }).format === 'safeint' ? 'Int' : 'Float';
  if (d.type === 'enum')
    return `enum:${Object.values(d.entries as Record<string, string>)
      .sort()
      .join('|')}`;
  if (d.type === 'array') return 'list';
  if (d.type === 'object') return 'object';
  return d.type;
}

function graphqlKind(type: GraphQLOutputType | GraphQLInputType): string {
  const named = type instanceof GraphQLNonNull ? type.ofType : type;
  if (named instanceof GraphQLList) return 'list';
  if (named instanceof GraphQLEnumType) {
    return `enum:${named
      .getValues()
      .map(({ value }) => String(value))
      .sort()
      .join('|')}`;
  }
  if (named instanceof GraphQLObjectType || named instanceof GraphQLInputObjectType)
    return 'object';
  // IDs, dates and cursors are strings on the wire, as REST sends them.
  if (named instanceof GraphQLScalarType && ['ID', 'DateTime', 'String'].includes(named.name)) {
    return 'String';
  }
  return (named as GraphQLScalarType).name;
}

type Member = GraphQLField<unknown, unknown> | GraphQLInputField | GraphQLArgument;

/** Every mismatch between GraphQL members and a zod object's shape, as readable lines. */
function drift(where: string, members: readonly Member[], shape: Record<string, Zod>): string[] {
  const faults: string[] = [];
  const names = new Set(members.map(({ name }) => name));
  for (const key of Object.keys(shape)) {
    if (!names.has(key)) faults.push(`${where}.${key}: in REST only`);
  }
  for (const member of members) {
    const zod = shape[member.name];
    if (!zod) {
      faults.push(`${where}.${member.name}: in GraphQL only`);
      continue;
    }
    faults.push(...compare(`${where}.${member.name}`, member.type, zod));
  }
  return faults;
}

function compare(where: string, type: GraphQLOutputType | GraphQLInputType, zod: Zod): string[] {
  const { inner, optional } = unwrap(zod);
  const nonNull = type instanceof GraphQLNonNull;
  const faults: string[] = [];
  if (nonNull === optional) {
    faults.push(`${where}: ${nonNull ? 'required' : 'optional'} in GraphQL, not in REST`);
  }
  const kind = zodKind(inner);
  if (graphqlKind(type) !== kind) faults.push(`${where}: ${graphqlKind(type)} vs ${kind}`);
  const named = nonNull ? type.ofType : type;
  if (kind === 'list' && named instanceof GraphQLList) {
    faults.push(...compare(`${where}[]`, named.ofType, def(inner).element));
  }
  if (
    kind === 'object' &&
    (named instanceof GraphQLObjectType || named instanceof GraphQLInputObjectType)
  ) {
    faults.push(
      ...objectDrift(named, (inner as unknown as { shape: Record<string, Zod> }).shape, where),
    );
  }
  return faults;
}

function objectDrift(
  type: GraphQLObjectType | GraphQLInputObjectType,
  shape: Record<string, Zod>,
  where = type.name,
): string[] {
  const extra = GRAPHQL_ONLY[type.name] ?? [];
  const members = Object.values(type.getFields()).filter(({ name }) => !extra.includes(name));
  return drift(where, members as Member[], shape);
}

const objectType = (name: string) => schema.getType(name) as GraphQLObjectType;
const shapeOf = (zod: Zod) => (zod as unknown as { shape: Record<string, Zod> }).shape;
const argsOf = (type: string, field: string) => objectType(type).getFields()[field]?.args ?? [];

describe('the GraphQL schema against the REST schemas', () => {
  it('Event, TicketType, Venue and Seating are the REST event body (distanceKm of near-me lists)', () => {
    // One Event type for both lists: the distance is there only in near-me searches.
    const either = eventViewSchema.extend({
      distanceKm: nearbyEventViewSchema.shape.distanceKm.optional(),
    });
    expect(objectDrift(objectType('Event'), shapeOf(either))).toEqual([]);
  });

  it('Order, OrderItem and Customer are the REST order body', () => {
    expect(objectDrift(objectType('Order'), shapeOf(orderViewSchema))).toEqual([]);
  });

  it('User and Location are the REST user body', () => {
    expect(objectDrift(objectType('User'), shapeOf(userSchema))).toEqual([]);
  });

  it('query arguments are the REST query parameters', () => {
    expect(
      drift('Query.events', argsOf('Query', 'events'), shapeOf(listEventsQuerySchema)),
    ).toEqual([]);
    expect(
      drift('Query.orders', argsOf('Query', 'orders'), shapeOf(listOrdersQuerySchema)),
    ).toEqual([]);
    expect(drift('User.orders', argsOf('User', 'orders'), shapeOf(myOrdersQuerySchema))).toEqual(
      [],
    );
  });

  it("createOrder's arguments are the hold body's forms, each optional, beside eventId", () => {
    const forms = def(holdSchema).options as Zod[];
    const fields: Record<string, Zod> = {};
    for (const form of forms) Object.assign(fields, shapeOf(unwrap(form).inner));
    const args = argsOf('Mutation', 'createOrder').filter(({ name }) => name !== 'eventId');
    // One form per order, so in GraphQL every form is optional.
    const asOptional = Object.fromEntries(
      Object.entries(fields).map(([key, zod]) => [key, (zod as z.ZodType).optional()]),
    );
    expect(drift('Mutation.createOrder', args, asOptional)).toEqual([]);
  });

  it('notices a drift: a REST field GraphQL lacks, and a nullability that differs', () => {
    const renamed = buildSchema(typeDefs.replace('eventName: String!', 'eventTitle: String'));
    const faults = objectDrift(
      renamed.getType('Order') as GraphQLObjectType,
      shapeOf(orderViewSchema),
    );
    expect(faults).toEqual(['Order.eventName: in REST only', 'Order.eventTitle: in GraphQL only']);
    const nullable = buildSchema(typeDefs.replace('amountCents: Int!', 'amountCents: Int'));
    expect(
      objectDrift(nullable.getType('Order') as GraphQLObjectType, shapeOf(orderViewSchema)),
    ).toEqual(['Order.amountCents: optional in GraphQL, not in REST']);
  });
});
