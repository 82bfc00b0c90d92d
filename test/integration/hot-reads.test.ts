import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createEvent, createPublishedEvent, documentClient } from '../support/events-api.js';
import { customerContext, organizerContext } from '../support/events-fixtures.js';
import { expectProblem, invoke } from '../support/invoke.js';
import { hold } from '../support/orders-api.js';

// README "Hot reads". Set before the first handler loads the events' composition: a
// window long enough that a test's few calls all land inside it on a busy machine.
const WINDOW_MS = 2_000;
process.env.EVENT_READ_MEMO_MS = String(WINDOW_MS);

const anonymousGet = (path: string) => invoke('GET', path, { headers: {} });

/** The DynamoDB commands the app sends while `act` runs. */
async function commandsDuring(act: () => Promise<unknown>): Promise<string[]> {
  const commands: string[] = [];
  const name = 'count-hot-read-calls';
  documentClient.middlewareStack.add(
    (next, context) => (args) => {
      commands.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    await act();
  } finally {
    documentClient.middlewareStack.remove(name);
  }
  return commands.sort();
}

describe('Cache-Control of the public event reads', () => {
  it('lets any cache keep an anonymous answer for a second, and no cache a signed-in one', async () => {
    // Prepare
    const organizer = organizerContext();
    const event = await createPublishedEvent(organizer);
    const paths = [`/v1/events/${event.id}`, `/v1/events/${event.id}/seats`, '/v1/events'];

    for (const path of paths) {
      // Act
      const anonymous = await anonymousGet(path);
      const customer = await invoke('GET', path, { as: customerContext() });
      const withToken = await invoke('GET', path, {
        headers: { authorization: 'Bearer not-a-token' },
      });

      // Assess
      expect(anonymous.status, path).toBe(200);
      expect(anonymous.headers['cache-control'], path).toBe('public, max-age=1');
      expect(anonymous.headers.vary, path).toBe('authorization');
      expect(customer.status, path).toBe(200);
      expect(customer.headers['cache-control'], path).toBe('private, no-store');
      expect(withToken.headers['cache-control'], path).toBe('private, no-store');
    }
  });

  it('keeps no cache from holding on to an error', async () => {
    const draft = await createEvent(organizerContext());

    const missing = await anonymousGet(`/v1/events/${draft.id}`);

    expectProblem(missing, 404, 'NOT_FOUND');
    expect(missing.headers['cache-control']).toBe('private, no-store');
  });
});

describe('the per-container memo of event reads', () => {
  it('serves a second anonymous GET within the window without reading the event, and reads again after it', async () => {
    // Prepare
    const event = await createPublishedEvent(organizerContext());
    const path = `/v1/events/${event.id}`;

    // Act
    const first = await commandsDuring(() => anonymousGet(path));
    const second = await commandsDuring(() => anonymousGet(path));
    await sleep(WINDOW_MS);
    const afterWindow = await commandsDuring(() => anonymousGet(path));

    // Assess: the caller's rate-limit count always; the event's two items only on a miss.
    expect(first).toEqual(['BatchGetItemCommand', 'UpdateItemCommand']);
    expect(second).toEqual(['UpdateItemCommand']);
    expect(afterWindow).toEqual(['BatchGetItemCommand', 'UpdateItemCommand']);
  });

  it('shows a publish, a capacity change and a cancellation at most a window late; the organizer sees each at once', async () => {
    // Prepare
    const organizer = organizerContext();
    const draft = await createEvent(organizer);
    const path = `/v1/events/${draft.id}`;
    expect((await anonymousGet(path)).status).toBe(404);

    // Act + Assess: published
    await invoke('POST', `${path}/publish`, { as: organizer });
    await sleep(WINDOW_MS);
    const published = await anonymousGet(path);
    expect(published.status).toBe(200);
    expect(published.body.status).toBe('PUBLISHED');

    // capacity raised: the organizer's own read is exact at once
    const ticketType = draft.ticketTypes[0];
    await invoke('PATCH', path, {
      as: organizer,
      body: { ticketTypes: [{ id: ticketType.id, capacity: ticketType.capacity + 50 }] },
    });
    const ownRead = await invoke('GET', path, { as: organizer });
    expect(ownRead.body.ticketTypes[0].capacity).toBe(ticketType.capacity + 50);
    await sleep(WINDOW_MS);
    const raised = await anonymousGet(path);
    expect(raised.body.ticketTypes[0]).toMatchObject({
      capacity: ticketType.capacity + 50,
      available: ticketType.capacity + 50,
    });

    // cancelled
    await invoke('POST', `${path}/cancel`, { as: organizer });
    await sleep(WINDOW_MS);
    expect((await anonymousGet(path)).body.status).toBe('CANCELLED');
  });

  it('never answers a hold from the memo: the last ticket sold, a hold is SOLD_OUT while the page still shows one', async () => {
    // Prepare
    const event = await createPublishedEvent(organizerContext(), {
      ticketTypes: [{ name: 'GA', priceCents: 5000, capacity: 1 }],
    });
    const ticketTypeId = event.ticketTypes[0].id;
    const path = `/v1/events/${event.id}`;
    expect((await anonymousGet(path)).body.ticketTypes[0].available).toBe(1);

    // Act
    const last = await hold(customerContext(), event.id, [{ ticketTypeId, quantity: 1 }]);
    const page = await anonymousGet(path);
    const late = await hold(customerContext(), event.id, [{ ticketTypeId, quantity: 1 }]);

    // Assess
    expect(last.status).toBe(201);
    expect(page.body.ticketTypes[0].available).toBe(1);
    expectProblem(late, 409, 'SOLD_OUT');
    await sleep(WINDOW_MS);
    expect((await anonymousGet(path)).body.ticketTypes[0].available).toBe(0);
  });
});
