import { GraphQL } from '../shared/api/routes/graphql.js';
import { authenticator } from '../shared/composition/authenticator.js';
import { graphqlServer, graphqlServices } from '../shared/composition/graphql.js';
import { eventLoaderFor, type GraphQLContext } from '../shared/graphql/resolvers.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(
  GraphQL,
  async ({ principal, body, headers, context }) => {
    const requestContext: GraphQLContext = {
      principal,
      idempotencyKey: headers['idempotency-key'],
      lambdaContext: context,
      eventLoader: eventLoaderFor(graphqlServices.events, principal),
    };
    return graphqlServer.execute(body, requestContext);
  },
  { authenticator },
);
