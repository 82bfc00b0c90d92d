import { IdempotencyInProgress, IdempotencyKeyReused } from '../../domain/errors.js';
import { holdHeadersSchema } from '../../domain/order-model.js';
import { graphqlRequestSchema } from '../../graphql/request.js';
import { graphqlResponseSchema } from '../responses.js';
import { DEFAULT_THROTTLE, defineRoute } from '../route-record.js';

export const GraphQL = defineRoute({
  id: 'GraphQL',
  method: 'POST',
  path: '/graphql',
  handler: 'graphql',
  // Anonymous callers may read what REST shows them; each field checks as REST does.
  access: 'public',
  identifiesCaller: true,
  table: 'write',
  uses: ['expirySchedule', 'idempotency'],
  throttle: DEFAULT_THROTTLE,
  tag: 'GraphQL',
  summary: 'GraphQL over HTTP: the same data, rules and auth as REST',
  description:
    'Queries `events`, `event`, `orders`, `order`, `me` (with `orders`); mutation ' +
    '`createOrder`, which honours `Idempotency-Key` like the hold route. Errors carry the ' +
    'REST code in `extensions.code`; `event` and `order` are null where REST answers 404. ' +
    `An operation too deep or too costly is refused before any resolver runs ` +
    '(`QUERY_TOO_COMPLEX`). The schema is served by introspection; locally, ' +
    '[GET /graphql](/graphql) opens GraphiQL.',
  request: { body: graphqlRequestSchema, headers: holdHeadersSchema },
  example: {
    body: {
      query: 'query ($id: ID!) { event(id: $id) { name ticketTypes { id available } } }',
      variables: { id: 'ev_01J9Z3Q4M5N6P7R8S9T0V1W2X3' },
    },
    headers: {},
  },
  success: { status: 200, description: 'data and/or errors', schema: graphqlResponseSchema },
  errors: [IdempotencyInProgress, IdempotencyKeyReused],
});
