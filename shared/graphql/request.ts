import * as z from 'zod';

/**
 * One GraphQL operation per request (no batches). The document's size is bounded here,
 * before it is parsed; its depth, cost, aliases and tokens by the server's limits.
 */
export const graphqlRequestSchema = z.strictObject({
  query: z.string().min(1).max(20_000).meta({ description: 'The GraphQL document' }),
  variables: z.record(z.string(), z.unknown()).nullable().optional(),
  operationName: z.string().min(1).max(200).nullable().optional(),
  extensions: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type GraphQLRequest = z.infer<typeof graphqlRequestSchema>;
