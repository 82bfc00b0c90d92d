import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AuthorizerContext } from '../../shared/http/principal.js';
import { routes } from '../../shared/routes.js';
import { customerContext, eventBody, organizerContext } from '../support/events-fixtures.js';
import { invoke } from '../support/invoke.js';

// Each mocks every instance, including those the composition modules build at import.
const ddb = mockClient(DynamoDBDocumentClient);
const cognito = mockClient(CognitoIdentityProviderClient);
// Registration queues the verification code's mail.
const sqs = mockClient(SQSClient);

beforeEach(() => {
  sqs.reset();
  ddb.reset();
  cognito.reset();
});

/** Every free-text field of every request, with the request that carries `value` in it. */
interface FreeTextField {
  /** Where the error points, as the client sees it. */
  path: string;
  method: 'GET' | 'POST' | 'PATCH';
  target: string;
  /** The route's handler module, whose own request schemas the control below parses with. */
  handler: string;
  as?: AuthorizerContext;
  location: 'body' | 'query';
  input: (value: string) => Record<string, unknown>;
  multiline?: true;
  /** Tells apart two requests that reach the same field. */
  variant?: string;
}

const place = { latitude: 52.5, longitude: 13.4 };
const createEvent = (
  path: string,
  input: FreeTextField['input'],
  multiline?: true,
): FreeTextField => ({
  path,
  method: 'POST',
  target: '/v1/events',
  handler: 'create-event',
  as: organizerContext(),
  location: 'body',
  input,
  ...(multiline && { multiline }),
});
const updateEvent = (
  path: string,
  input: FreeTextField['input'],
  multiline?: true,
): FreeTextField => ({
  path,
  method: 'PATCH',
  target: '/v1/events/ev-1',
  handler: 'update-event',
  as: organizerContext('org-1'),
  location: 'body',
  input,
  ...(multiline && { multiline }),
});

const FIELDS: FreeTextField[] = [
  createEvent('body.name', (name) => eventBody({ name })),
  createEvent('body.description', (description) => eventBody({ description }), true),
  createEvent('body.venue.name', (name) => eventBody({ venue: { name, ...place } })),
  createEvent('body.venue.address', (address) =>
    eventBody({ venue: { name: 'Hall', address, ...place } }),
  ),
  createEvent('body.venue.city', (city) => eventBody({ venue: { name: 'Hall', city, ...place } })),
  createEvent('body.venue.country', (country) =>
    eventBody({ venue: { name: 'Hall', country, ...place } }),
  ),
  createEvent('body.ticketTypes.0.name', (name) =>
    eventBody({ ticketTypes: [{ name, priceCents: 100, capacity: 1 }] }),
  ),
  updateEvent('body.name', (name) => ({ name })),
  updateEvent('body.description', (description) => ({ description }), true),
  updateEvent('body.venue.name', (name) => ({ venue: { name } })),
  updateEvent('body.venue.address', (address) => ({ venue: { address } })),
  updateEvent('body.venue.city', (city) => ({ venue: { city } })),
  updateEvent('body.venue.country', (country) => ({ venue: { country } })),
  {
    ...updateEvent('body.ticketTypes.0.name', (name) => ({ ticketTypes: [{ id: 'tt-ga', name }] })),
    variant: 'of a changed ticket type',
  },
  {
    ...updateEvent('body.ticketTypes.0.name', (name) => ({
      ticketTypes: [{ name, priceCents: 100, capacity: 1 }],
    })),
    variant: 'of an added ticket type',
  },
  {
    path: 'body.name',
    method: 'POST',
    target: '/v1/auth/register',
    handler: 'register',
    location: 'body',
    input: (name) => ({ email: 'ann@example.com', password: 'correct horse battery', name }),
  },
  {
    path: 'body.name',
    method: 'PATCH',
    target: '/v1/me',
    handler: 'update-me',
    as: customerContext(),
    location: 'body',
    input: (name) => ({ name }),
  },
  {
    path: 'query.q',
    method: 'GET',
    target: '/v1/events',
    handler: 'list-events',
    as: customerContext(),
    location: 'query',
    input: (q) => ({ q }),
  },
];

const REFUSED: [string, string][] = [
  ['U+202E RIGHT-TO-LEFT OVERRIDE', '\u202E'],
  ['U+2067 RIGHT-TO-LEFT ISOLATE', '\u2067'],
  ['U+200F RIGHT-TO-LEFT MARK', '\u200F'],
  ['U+061C ARABIC LETTER MARK', '\u061C'],
  ['U+0000 NULL', '\u0000'],
  ['U+001B ESCAPE', '\u001B'],
  ['U+007F DELETE', '\u007F'],
  ['U+0085 NEXT LINE', '\u0085'],
  ['U+2028 LINE SEPARATOR', '\u2028'],
  ['U+FEFF ZERO WIDTH NO-BREAK SPACE', '\uFEFF'],
  ['U+200B ZERO WIDTH SPACE', '\u200B'],
];
const LINE_BREAKS: [string, string][] = [
  ['U+000A LINE FEED', '\n'],
  ['U+000D CARRIAGE RETURN', '\r'],
  ['U+0009 TAB', '\t'],
];

const ORDINARY = [
  'Café Müller – Straße',
  '東京ドーム 公演',
  'Jazz 🎷 Night',
  // Emoji sequences and Persian need the zero-width (non-)joiners.
  'Family day 👩\u200D👩\u200D👧',
  'می\u200Cخواهم',
  'مسرح الليل',
  'תיאטרון הבימה',
  'Zoë\u00A0& Björk',
];

function send(field: FreeTextField, value: string) {
  const input = field.input(value);
  if (field.location === 'query') {
    const search = new URLSearchParams(input as Record<string, string>);
    return invoke(field.method, `${field.target}?${search}`, { ...(field.as && { as: field.as }) });
  }
  return invoke(field.method, field.target, { body: input, ...(field.as && { as: field.as }) });
}

const name = (field: FreeTextField) =>
  [field.method, field.target, field.path, field.variant].filter(Boolean).join(' ');
const refusals = FIELDS.flatMap((field) =>
  [...REFUSED, ...(field.multiline ? [] : LINE_BREAKS)].map(
    ([character, value]) => [name(field), character, field, value] as const,
  ),
);

describe('free-text fields refuse control, bidirectional and invisible formatting characters', () => {
  it.each(refusals)(
    '%s refuses %s with 400 at that field, touching nothing',
    async (_name, _label, field, character) => {
      const response = await send(field, `Jazz${character}Night`);

      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(response.body.errors).toEqual([
        {
          path: field.path,
          message: expect.stringContaining(
            'must not contain control, bidirectional or invisible formatting characters',
          ),
        },
      ]);
      expect(ddb).not.toHaveReceivedAnyCommand();
      expect(cognito).not.toHaveReceivedAnyCommand();
    },
  );

  it('names the refused character by its code point', async () => {
    const response = await invoke('POST', '/v1/events', {
      body: eventBody({ name: 'Jazz\u202ENight' }),
      as: organizerContext(),
    });

    expect(response.body.errors[0].message).toContain('U+202E');
  });

  /** The field's value in what the handler's own schema made of the request. */
  async function parsed(field: FreeTextField, value: string): Promise<unknown> {
    const module = (await import(`../../functions/${field.handler}.ts`)) as {
      handler: { route: { request: Record<string, z.ZodType | undefined> } };
    };
    const schema = module.handler.route.request[field.location];
    if (!schema) throw new Error(`${field.handler} has no ${field.location} schema`);
    const result = schema.safeParse(field.input(value));
    expect(result.error?.issues, `${name(field)} ${JSON.stringify(value)}`).toBeUndefined();
    return field.path
      .split('.')
      .slice(1)
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], result.data);
  }

  it.each(FIELDS.map((field) => [name(field), field] as const))(
    'CONTROL: %s accepts ordinary text in any script, emoji included, unchanged',
    async (_, field) => {
      for (const text of ORDINARY) {
        expect(await parsed(field, text)).toBe(text);
      }
    },
  );

  it.each(FIELDS.filter((field) => field.multiline).map((field) => [name(field), field] as const))(
    'CONTROL: %s keeps tabs and line breaks',
    async (_, field) => {
      const text = 'Doors open at 19:00.\r\n\tSupport act:\nThe Testers';

      expect(await parsed(field, text)).toBe(text);
    },
  );
});

describe('a new free-text field cannot slip past the rule', () => {
  /** Strings a request takes that are not free text: ids, cursors, secrets, checked days. */
  const NOT_FREE_TEXT = [
    'AdminAnalytics query.from',
    'AdminAnalytics query.to',
    'AdminAudit query.actorId',
    'AdminAudit query.cursor',
    'AdminAudit query.entityId',
    'GetSeats query.cursor',
    // A GraphQL document and the name of one of its operations: parsed, never stored or shown.
    'GraphQL body.operationName',
    'GraphQL body.query',
    'HoldTickets body.bestAvailable.ticketTypeId',
    'HoldTickets body.items.ticketTypeId',
    'JoinWaitlist body.ticketTypeId',
    'ListEvents query.cursor',
    'ListEvents query.organizerId',
    'ListMyOrders query.cursor',
    'ListOrders query.cursor',
    'ListOrders query.eventId',
    'ListUsers query.cursor',
    'Login body.password',
    'PayOrder body.paymentToken',
    'Register body.password',
    'RelevantEvents query.cursor',
    'UpdateEvent body.ticketTypes.id',
  ];

  /** Every string in the JSON Schema without a pattern, format or enum of its own. */
  function unconstrainedStrings(node: Record<string, any>, path: string): string[] {
    const own = node.type === 'string' && !node.pattern && !node.format && !node.enum ? [path] : [];
    return [
      ...own,
      ...Object.entries(node.properties ?? {}).flatMap(([key, child]) =>
        unconstrainedStrings(child as Record<string, any>, `${path}.${key}`),
      ),
      ...(node.items ? unconstrainedStrings(node.items, path) : []),
      ...[...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])].flatMap((child) =>
        unconstrainedStrings(child, path),
      ),
    ];
  }

  it('takes no string in a query or body that is neither plain text nor known not to be free text', () => {
    const found = routes.flatMap(({ id: routeId, request }) =>
      (['query', 'body'] as const).flatMap((part) => {
        const schema = request[part];
        if (!schema) return [];
        const jsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
        return unconstrainedStrings(jsonSchema, `${routeId} ${part}`);
      }),
    );

    expect([...new Set(found)].sort()).toEqual(NOT_FREE_TEXT);
  });
});
