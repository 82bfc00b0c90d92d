import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { GraphQLError } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { DomainError } from '../domain/errors.js';
import { logger } from '../observability.js';
import type { GraphQLRequest } from './request.js';
import { createResolvers, type GraphQLContext, type GraphQLServices } from './resolvers.js';
import { typeDefs } from './type-defs.js';

/**
 * The bounds every operation is checked against before any resolver runs. Depth 7 is
 * `me { orders { items { event { ticketTypes { id } } } } }` with room for one more
 * level; aliases and tokens bound what one request can fan out to. Cost counts fields
 * (graphql-armor's weights): a page of events with every field costs about 130, so 1,000
 * allows several such lists in one request but not fifteen aliases of them.
 */
export const GRAPHQL_LIMITS = {
  depth: 7,
  cost: 1000,
  aliases: 15,
  directives: 20,
  tokens: 2000,
} as const;

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

const tooComplexError = (error: GraphQLError) =>
  new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
    extensions: { code: QUERY_TOO_COMPLEX },
  });

/** Reports a limit as a validation error of its own code: the operation never executes. */
const tooComplex: GraphQLArmorRejectCallback = (context, error) => {
  context?.reportError(tooComplexError(error));
};
const rejection = { onReject: [tooComplex], propagateOnRejection: false, exposeLimits: true };
/**
 * The token limit is checked while parsing, where there is no context to report to: the
 * error is thrown, with the status Yoga should answer (else it takes it for a crash).
 */
const tokensRejection = {
  onReject: [
    (_: unknown, error: GraphQLError) => {
      throw new GraphQLError(tooComplexError(error).message, {
        extensions: { code: QUERY_TOO_COMPLEX, http: { status: 400 } },
      });
    },
  ],
  exposeLimits: true,
};

/** What GraphQL itself calls the caller's mistakes; REST calls them VALIDATION_FAILED. */
const CALLER_MISTAKES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
]);

/**
 * A resolver's error as REST words it: a domain error keeps its code (and its field
 * errors) in `extensions`; anything else is INTERNAL, with no message or stack of its
 * own. By shape, not class: the executor may load another copy of graphql-js.
 */
function maskError(error: unknown): Error {
  const original = (error as { originalError?: unknown }).originalError;
  const path = (error as { path?: readonly (string | number)[] }).path;
  // A limit refusing the document while it is parsed reaches here too: it is no crash.
  const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
  if (code === QUERY_TOO_COMPLEX && error instanceof Error) return error;
  if (original instanceof DomainError) {
    return new GraphQLError(original.message, {
      ...(path && { path }),
      extensions: {
        code: original.code,
        status: original.status,
        ...(original.errors && { errors: original.errors }),
      },
    });
  }
  // The one error worth a log line: the client gets nothing of it.
  logger.error('GraphQL resolver failed', { error: original ?? error, path });
  return new GraphQLError('Something went wrong on our side', {
    ...(path && { path }),
    extensions: { code: 'INTERNAL' },
  });
}

interface GraphQLResult {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: unknown } }[];
}

/**
 * One Yoga instance per container, on the services the REST handlers use; `execute` runs
 * one request and words every error with the codes REST uses.
 */
export function createGraphQLServer(services: GraphQLServices) {
  const yoga = createYoga<GraphQLContext>({
    schema: createSchema<GraphQLContext>({ typeDefs, resolvers: createResolvers(services) }),
    graphqlEndpoint: '/graphql',
    graphiql: false,
    landingPage: false,
    // Callers' mistakes and refusals are answers, not incidents; `maskError` logs the rest.
    logging: false,
    // An array of operations in one request would multiply every limit below.
    batching: false,
    maskedErrors: { maskError: (error) => maskError(error) },
    plugins: [
      maxDepthPlugin({ n: GRAPHQL_LIMITS.depth, ...rejection }),
      costLimitPlugin({ maxCost: GRAPHQL_LIMITS.cost, ...rejection }),
      maxAliasesPlugin({ n: GRAPHQL_LIMITS.aliases, ...rejection }),
      maxDirectivesPlugin({ n: GRAPHQL_LIMITS.directives, ...rejection }),
      maxTokensPlugin({ n: GRAPHQL_LIMITS.tokens, ...tokensRejection }),
    ],
  });
  return {
    async execute(
      request: GraphQLRequest,
      context: GraphQLContext,
    ): Promise<{ status: number; body: GraphQLResult }> {
      const response = await yoga.fetch(
        'http://lambda/graphql',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(request),
        },
        context,
      );
      const body = (await response.json()) as GraphQLResult;
      for (const error of body.errors ?? []) {
        // Yoga's note of the HTTP status it chose; the status says as much.
        const { http: _, ...extensions } = (error.extensions ?? {}) as Record<string, unknown>;
        const code = extensions.code;
        error.extensions =
          typeof code !== 'string' || CALLER_MISTAKES.has(code)
            ? { ...extensions, code: 'VALIDATION_FAILED' }
            : extensions;
      }
      return { status: response.status, body };
    },
  };
}
