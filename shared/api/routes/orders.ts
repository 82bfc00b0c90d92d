import {
  ConcurrentModification,
  EventNotOnSale,
  Forbidden,
  IdempotencyInProgress,
  IdempotencyKeyReused,
  LimitExceeded,
  NotFound,
  OrderNotPayable,
  PaymentDeclined,
  SeatUnavailable,
  SoldOut,
} from '../../domain/errors.js';
import { eventIdParamsSchema } from '../../domain/event-model.js';
import {
  holdHeadersSchema,
  holdSchema,
  listOrdersQuerySchema,
  myOrdersQuerySchema,
  orderIdParamsSchema,
  payBodySchema,
} from '../../domain/order-model.js';
import { EVENT_ID, ORDER_ID, TICKET_TYPE_ID } from '../examples.js';
import { orderPageSchema, orderViewSchema } from '../responses.js';
import { DEFAULT_THROTTLE, defineRoute, READ_THROTTLE } from '../route-record.js';

// Holds, payments, cancellations and order reads. Each record is all there is to know of a route: how it is deployed
// and guarded, what it takes and answers, and an example.

export const HoldTickets = defineRoute({
  id: 'HoldTickets',
  method: 'POST',
  path: '/v1/events/{eventId}/orders',
  handler: 'hold-tickets',
  access: 'customer',
  countsAsHold: true,
  table: 'write',
  uses: ['expirySchedule', 'idempotency'],
  throttle: { rateLimit: 500, burstLimit: 1000 },
  tag: 'Orders',
  summary: 'Hold tickets: a HELD order that expires after the event’s `holdSeconds`',
  description:
    'Tickets of unseated types by `items`, seats by `seatIds`, or `bestAvailable` seats of ' +
    'one seated type (one form per order). By `seatIds` the order takes exactly those seats ' +
    'or none (409 SEAT_UNAVAILABLE). By `bestAvailable` the server picks `quantity` seats ' +
    'side by side in the best row that has them (front rows first, sections in layout ' +
    'order), leaving no single orphan seat where another choice avoids it, else across the ' +
    'fewest rows; when a concurrent buyer takes some of them first it reads and picks ' +
    'again, up to 12 attempts (then 409 CONCURRENT_MODIFICATION); none left: 409 SOLD_OUT. ' +
    'Either way the order lists its seats in `items[].seatIds`. ' +
    'Inventory is taken atomically; it is never oversold. With an `Idempotency-Key`, a ' +
    'repeat of the same request returns the first response again.',
  request: { params: eventIdParamsSchema, body: holdSchema, headers: holdHeadersSchema },
  example: {
    params: { eventId: EVENT_ID },
    body: { items: [{ ticketTypeId: TICKET_TYPE_ID, quantity: 2 }] },
    headers: { 'idempotency-key': '6f1c2a4e-hold-1' },
  },
  success: { status: 201, description: 'The HELD order', schema: orderViewSchema },
  errors: [
    NotFound,
    LimitExceeded,
    SoldOut,
    SeatUnavailable,
    EventNotOnSale,
    ConcurrentModification,
    IdempotencyInProgress,
    IdempotencyKeyReused,
  ],
});

export const ListOrders = defineRoute({
  id: 'ListOrders',
  method: 'GET',
  path: '/v1/orders',
  handler: 'list-orders',
  access: 'organizer',
  table: 'read',
  throttle: DEFAULT_THROTTLE,
  tag: 'Orders',
  summary: "An event's orders, or a customer's across events, newest first",
  description:
    "Give `eventId`, `customerEmail` or both. With `eventId`: that event's orders, for its " +
    "organizer or an admin. With `customerEmail` alone: that customer's orders across " +
    'events, all of them for an admin, only those on their own events for an organizer; ' +
    'an unknown email gives an empty page. There is no listing of all orders at once.',
  request: { query: listOrdersQuerySchema },
  example: { query: { eventId: EVENT_ID, status: 'CONFIRMED', limit: 50 } },
  success: { status: 200, description: 'One page of orders', schema: orderPageSchema },
  errors: [NotFound],
});

export const ListMyOrders = defineRoute({
  id: 'ListMyOrders',
  method: 'GET',
  path: '/v1/me/orders',
  handler: 'list-my-orders',
  access: 'customer',
  table: 'read',
  throttle: READ_THROTTLE,
  tag: 'Orders',
  summary: "The caller's orders, newest first",
  request: { query: myOrdersQuerySchema },
  example: { query: { status: 'HELD' } },
  success: { status: 200, description: 'One page of orders', schema: orderPageSchema },
  errors: [],
});

export const GetOrder = defineRoute({
  id: 'GetOrder',
  method: 'GET',
  path: '/v1/orders/{orderId}',
  handler: 'get-order',
  access: 'customer',
  table: 'read',
  throttle: READ_THROTTLE,
  tag: 'Orders',
  summary: 'An order, for its customer, the event’s organizer or an admin',
  description: 'Anyone else gets 404.',
  request: { params: orderIdParamsSchema },
  example: { params: { orderId: ORDER_ID } },
  success: { status: 200, description: 'The order', schema: orderViewSchema },
  errors: [NotFound],
});

export const PayOrder = defineRoute({
  id: 'PayOrder',
  method: 'POST',
  path: '/v1/orders/{orderId}/pay',
  handler: 'pay-order',
  access: 'customer',
  table: 'write',
  uses: ['emailQueue'],
  throttle: DEFAULT_THROTTLE,
  tag: 'Orders',
  summary: 'Pay a HELD order (its customer only)',
  description:
    'Paying a CONFIRMED order again returns it, with no second charge. A hold on a cancelled ' +
    'event is not payable (409), even before the cancellation has released it. Test gateway ' +
    'tokens: `tok_visa` succeeds, `tok_declined` is declined.',
  request: { params: orderIdParamsSchema, body: payBodySchema },
  example: { params: { orderId: ORDER_ID }, body: { paymentToken: 'tok_visa' } },
  success: { status: 200, description: 'The CONFIRMED order', schema: orderViewSchema },
  errors: [NotFound, Forbidden, PaymentDeclined, OrderNotPayable, ConcurrentModification],
});

export const CancelOrder = defineRoute({
  id: 'CancelOrder',
  method: 'POST',
  path: '/v1/orders/{orderId}/cancel',
  handler: 'cancel-order',
  access: 'customer',
  table: 'write',
  // A release offers the tickets to the waitlist: an order whose expiry it schedules.
  uses: ['emailQueue', 'expirySchedule'],
  throttle: DEFAULT_THROTTLE,
  tag: 'Orders',
  summary: 'Cancel an order: HELD → CANCELLED, CONFIRMED → REFUNDED',
  description:
    'The tickets go back on sale. An order already over is returned as it is. For the ' +
    'customer who holds it and admins; the event’s organizer sees the order but gets 403 ' +
    '(they cancel the whole event instead), anyone else 404. A paid order is refunded ' +
    'once however many cancels race: while one refund is under way, the others get 409 ' +
    '`CONCURRENT_MODIFICATION` and the order reads as CONFIRMED until the money is back.',
  request: { params: orderIdParamsSchema },
  example: { params: { orderId: ORDER_ID } },
  success: { status: 200, description: 'The order', schema: orderViewSchema },
  errors: [Forbidden, NotFound, ConcurrentModification],
});
