/** Stream records and WebSocket events as Lambda receives them, for the live unit tests. */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyWebsocketEventV2, DynamoDBRecord } from 'aws-lambda';
import { eventKeys, seatKeys } from '../../shared/db/table.js';

let sequence = 0;

type Image = Record<string, unknown>;

/** A record of the table's stream, with a fresh sequence number. */
export function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { old?: Image; new?: Image },
): DynamoDBRecord {
  sequence += 1;
  const key = images.new ?? images.old ?? {};
  const image = (item: Image) =>
    marshall(item, { removeUndefinedValues: true }) as Record<string, never>;
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026',
    dynamodb: {
      Keys: image({ pk: key.pk, sk: key.sk }),
      ...(images.old && { OldImage: image(images.old) }),
      ...(images.new && { NewImage: image(images.new) }),
      SequenceNumber: String(sequence).padStart(21, '0'),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** An INVENTORY item with these ticket types' `available`, in this order. */
export function inventoryItem(
  eventId: string,
  available: Record<string, number>,
  status = 'PUBLISHED',
): Image {
  return {
    ...eventKeys.inventory(eventId),
    entity: 'EventInventory',
    eventId,
    status,
    ticketTypes: Object.fromEntries(
      Object.entries(available).map(([id, left], position) => [
        id,
        {
          name: id,
          priceCents: 1000,
          capacity: 100,
          available: left,
          held: 100 - left,
          sold: 0,
          position,
        },
      ]),
    ),
  };
}

/** The INVENTORY record of a change from one availability to another. */
export const inventoryChange = (
  eventId: string,
  before: Record<string, number>,
  after: Record<string, number>,
) =>
  streamRecord('MODIFY', {
    old: inventoryItem(eventId, before),
    new: inventoryItem(eventId, after),
  });

/** A taken seat's item (`Main-A-<number>`). */
export function seatItem(eventId: string, number: number, status: string): Image {
  return {
    ...seatKeys.seat(eventId, 'Main', 'A', number),
    entity: 'Seat',
    eventId,
    seatId: `Main-A-${number}`,
    ...(status !== 'RESERVED' && { orderId: 'o-1' }),
    status,
  };
}

/** The event API Gateway sends a WebSocket route's Lambda. */
export function websocketEvent(
  routeKey: string,
  body?: string,
  connectionId = 'conn-1=',
): APIGatewayProxyWebsocketEventV2 {
  return {
    requestContext: {
      routeKey,
      messageId: 'm-1',
      eventType:
        routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
      extendedRequestId: 'x-1',
      requestTime: new Date().toUTCString(),
      messageDirection: 'IN',
      stage: 'live',
      connectedAt: Date.now(),
      requestTimeEpoch: Date.now(),
      requestId: 'r-1',
      domainName: 'live-unit.execute-api.us-east-1.amazonaws.com',
      connectionId,
      apiId: 'live-unit',
    },
    ...(body !== undefined && { body }),
    isBase64Encoded: false,
  };
}
