import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

/*
 * `GET /graphql` on the local gateway: GraphiQL over the API's own `POST /graphql`. The
 * page comes whole from `@graphql-yoga/render-graphiql`, its scripts inlined, so it works
 * offline and loads nothing from a CDN. Deployed, the API serves only `POST /graphql`.
 */

export const GRAPHIQL_PATH = '/graphql';

let page: string | undefined;

export function graphiqlResponse(path: string) {
  if (path !== GRAPHIQL_PATH) return null;
  page ??= renderGraphiQL({
    endpoint: GRAPHIQL_PATH,
    title: 'Ticketing API · GraphQL',
    defaultQuery:
      '{\n  events(limit: 5) {\n    items { id name startsAt ticketTypes { name available } }\n  }\n}\n',
  });
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: page,
  };
}
