/**
 * Integration helpers for the events tests: calls through the real handlers, and direct
 * writes to the INVENTORY item that stand in for the order/hold path, which does not
 * exist yet. Only for the integration project (needs DynamoDB Local and its env).
 */
import {
  ConditionalCheckFailedException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { expect } from 'vitest';
import { DynamoEventRepository } from '../../shared/adapters/dynamo-event-repository.js';
import { documentClient, tableName } from '../../shared/composition/dynamodb.js';
import { eventKeys } from '../../shared/db/table.js';
import { createEventSchema } from '../../shared/domain/event-model.js';
import { EventService } from '../../shared/domain/events.js';
import type { AuthorizerContext } from '../../shared/http/principal.js';
import {
  type AuthenticatedContext,
  eventBody,
  organizerContext,
  principals,
} from './events-fixtures.js';
import { invoke } from './invoke.js';

export { documentClient, tableName };

export async function createEvent(
  as: AuthorizerContext,
  overrides: Record<string, unknown> = {},
): Promise<any> {
  const response = await invoke('POST', '/v1/events', { body: eventBody(overrides), as });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

export async function createPublishedEvent(
  as: AuthorizerContext,
  overrides: Record<string, unknown> = {},
): Promise<any> {
  const created = await createEvent(as, overrides);
  const published = await invoke('POST', `/v1/events/${created.id}/publish`, { as });
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  return published.body;
}

/**
 * A draft whose `startsAt` has passed, made the one way the API allows: created before
 * its start (here through the domain, on a clock an hour before it). `publish` publishes
 * it on that same early clock.
 */
export async function createStartedDraft(
  organizer: AuthenticatedContext,
  overrides: Record<string, unknown> & { startsAt: string },
): Promise<{ draft: any; publish: () => Promise<any> }> {
  const anHourBefore = new Date(Date.parse(overrides.startsAt) - 3_600_000);
  const service = new EventService(
    new DynamoEventRepository(documentClient, tableName),
    { now: () => anHourBefore },
    ulid,
  );
  const owner = principals.organizer(organizer.userId);
  const draft = await service.create(owner, createEventSchema.parse(eventBody(overrides)));
  return { draft, publish: () => service.publish(owner, draft.id) };
}

/** A published event whose `startsAt` has passed: published before it started. */
export async function createStartedEvent(
  organizer: AuthenticatedContext,
  overrides: Record<string, unknown> & { startsAt: string },
): Promise<any> {
  return (await createStartedDraft(organizer, overrides)).publish();
}

/** The event's META and INVENTORY items as stored, read strongly consistently. */
export async function readEventItems(eventId: string): Promise<Record<string, unknown>[]> {
  return Promise.all(
    [eventKeys.meta(eventId), eventKeys.inventory(eventId)].map(async (Key) => {
      const { Item } = await documentClient.send(
        new GetCommand({ TableName: tableName, Key, ConsistentRead: true }),
      );
      if (!Item) throw new Error(`no ${Key.sk} item for ${eventId}`);
      return Item;
    }),
  );
}

export interface StoredTicketType {
  capacity: number;
  available: number;
  held: number;
  sold: number;
}

/** The INVENTORY item, read strongly consistently from the table (never from a GSI). */
export async function readInventory(eventId: string): Promise<{
  orderCount: number;
  ticketTypes: Record<string, StoredTicketType>;
}> {
  const result = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: eventKeys.inventory(eventId),
      ConsistentRead: true,
    }),
  );
  if (!result.Item) throw new Error(`no INVENTORY item for ${eventId}`);
  return result.Item as { orderCount: number; ticketTypes: Record<string, StoredTicketType> };
}

export async function readTicketType(
  eventId: string,
  ticketTypeId: string,
): Promise<StoredTicketType> {
  const ticketType = (await readInventory(eventId)).ticketTypes[ticketTypeId];
  if (!ticketType) throw new Error(`no ticket type ${ticketTypeId} in ${eventId}`);
  return ticketType;
}

/**
 * A simulated hold, as the order path will do it: take `quantity` tickets atomically if
 * that many are still available. Resolves false when it lost (sold out or a conflicting
 * transaction), true when the tickets are held.
 */
export async function simulateHold(
  eventId: string,
  ticketTypeId: string,
  quantity: number,
): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: eventKeys.inventory(eventId),
        UpdateExpression:
          'SET ticketTypes.#t.available = ticketTypes.#t.available - :q, ticketTypes.#t.held = ticketTypes.#t.held + :q',
        ConditionExpression: 'ticketTypes.#t.available >= :q',
        ExpressionAttributeNames: { '#t': ticketTypeId },
        ExpressionAttributeValues: { ':q': quantity },
      }),
    );
    return true;
  } catch (error) {
    if (
      error instanceof ConditionalCheckFailedException ||
      error instanceof TransactionConflictException
    ) {
      return false;
    }
    throw error;
  }
}

/** Marks an event as having orders, as the order path will when it places one. */
export async function setOrderCount(eventId: string, orderCount: number): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: eventKeys.inventory(eventId),
      UpdateExpression: 'SET orderCount = :n',
      ExpressionAttributeValues: { ':n': orderCount },
    }),
  );
}

/** capacity − available = held + sold and available ≥ 0, the stock invariant. */
export function invariantHolds(ticketType: StoredTicketType): boolean {
  return (
    ticketType.capacity - ticketType.available === ticketType.held + ticketType.sold &&
    ticketType.available >= 0
  );
}

/** Rows A, B, … of a section, with these seat counts front to back. */
export const seatRows = (...seats: number[]) =>
  seats.map((count, index) => ({ label: String.fromCharCode(65 + index), seats: count }));

/**
 * A published event selling GA by count beside two seated types, Stalls (sections Main
 * and Side) and Box (section Box), each section's rows as given.
 */
export async function createSeatedEvent(
  layout: { main: number[]; side: number[]; box: number[] },
  overrides: Record<string, unknown> = {},
) {
  const organizer = organizerContext();
  const event = await createPublishedEvent(
    organizer,
    eventBody({
      ticketTypes: [
        { name: 'GA', priceCents: 2000, capacity: 50 },
        { name: 'Stalls', priceCents: 6000 },
        { name: 'Box', priceCents: 15000 },
      ],
      seating: {
        sections: [
          { name: 'Main', ticketType: 'Stalls', rows: seatRows(...layout.main) },
          { name: 'Side', ticketType: 'Stalls', rows: seatRows(...layout.side) },
          { name: 'Box', ticketType: 'Box', rows: seatRows(...layout.box) },
        ],
      },
      ...overrides,
    }),
  );
  const typeId = (name: string): string =>
    event.ticketTypes.find((type: { name: string }) => type.name === name).id;
  return { organizer, event, ga: typeId('GA'), stalls: typeId('Stalls'), box: typeId('Box') };
}
