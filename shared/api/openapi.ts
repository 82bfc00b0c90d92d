import * as z from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponsesObject,
} from 'zod-openapi';
import {
  Forbidden,
  NotReady,
  Unauthenticated,
  UnsupportedMediaType,
  ValidationFailed,
} from '../domain/errors.js';
import { problem } from '../http/problem.js';
import { routes as routeTable } from '../routes.js';
import { problemSchema } from './responses.js';
import {
  type DomainErrorClass,
  type HttpMethod,
  type ParameterSchema,
  type RouteDefinition,
  TAGS,
} from './route-record.js';

const PROBLEM_JSON = 'application/problem+json';
const JSON_TYPE = 'application/json';
const BEARER = 'bearerAuth';
const PROBLEM_REF = '#/components/schemas/Problem';

interface DocumentedError {
  status: number;
  code: string;
  title: string;
}

/** From the gateway and the HTTP wrapper rather than from any route's logic. */
const RATE_LIMITED: DocumentedError = {
  status: 429,
  code: 'RATE_LIMITED',
  title: 'Too many requests',
};
/** What a per-client refusal carries besides its body (draft-ietf-httpapi-ratelimit-headers). */
const RATE_LIMIT_HEADERS = z.object({
  'Retry-After': z
    .string()
    .max(10)
    .regex(/^\d+$/)
    .meta({ description: 'Seconds until the window resets' }),
  'RateLimit-Policy': z
    .string()
    .max(100)
    .regex(/^"[a-z]+";q=\d+;w=\d+$/)
    .meta({
      description: 'The client\'s limit, e.g. `"anon";q=600;w=60` (quota per window of seconds)',
    }),
  RateLimit: z
    .string()
    .max(100)
    .regex(/^"[a-z]+";r=\d+;t=\d+$/)
    .meta({
      description: 'What is left of it, e.g. `"anon";r=0;t=42` (remaining, seconds to reset)',
    }),
});
const INTERNAL: DocumentedError = { status: 500, code: 'INTERNAL', title: 'Internal error' };

export interface DocumentedResponse {
  description: string;
  /** Response headers besides `Content-Type`. */
  headers?: ParameterSchema;
  /** Absent when the response has no body (202, 204). */
  content?: {
    type: string;
    schema: z.ZodType;
    examples?: Record<string, { summary: string; value: unknown }>;
  };
}

/** The error classes carry status, code and title on instances only. */
function describe(error: DomainErrorClass): DocumentedError {
  const { status, code, title } = new error('');
  return { status, code, title };
}

/** Every failure the route can answer with, the route-independent ones included. */
function errorsOf(route: RouteDefinition): DocumentedError[] {
  const { params, query, body, headers } = route.request;
  const classes: DomainErrorClass[] = [
    ...(params || query || body || headers ? [ValidationFailed] : []),
    ...(body ? [UnsupportedMediaType] : []),
    ...(route.access === 'public' ? [] : [Unauthenticated]),
    ...(route.access === 'organizer' || route.access === 'admin' ? [Forbidden] : []),
    ...route.errors,
    // The authorizer could not check a presented token (the table did not answer).
    NotReady,
  ];
  const byCode = new Map<string, DocumentedError>();
  for (const error of [...classes.map(describe), RATE_LIMITED, INTERNAL]) {
    byCode.set(error.code, error);
  }
  return [...byCode.values()];
}

/** Status → what the route answers with it: the document's responses, and what contract tests parse. */
export function documentedResponses(route: RouteDefinition): Map<number, DocumentedResponse> {
  const { success } = route;
  const responses = new Map<number, DocumentedResponse>([
    [
      success.status,
      {
        description: success.description,
        ...('schema' in success && {
          content: { type: JSON_TYPE, schema: success.schema },
          ...(success.headers && { headers: success.headers }),
        }),
      },
    ],
  ]);
  const errors = errorsOf(route);
  const statuses = [...new Set(errors.map((error) => error.status))].sort((a, b) => a - b);
  for (const status of statuses) {
    const sharing = errors.filter((error) => error.status === status);
    responses.set(status, problemResponse(status, sharing));
  }
  for (const [status, response] of responses) {
    response.headers = withHeaders(response.headers, {
      ...CORS_HEADERS,
      // A counted request's answer says where its client stands, whatever the status
      // (absent only while the limiter can't be reached: it admits the request uncounted).
      ...(route.perClientLimit !== false && status !== 429 && status < 500 && COUNTED_HEADERS),
    });
  }
  return responses;
}

const COUNTED_HEADERS = {
  'RateLimit-Policy': RATE_LIMIT_HEADERS.shape['RateLimit-Policy'].optional(),
  RateLimit: RATE_LIMIT_HEADERS.shape.RateLimit.optional(),
};

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': z.literal('*').optional().meta({
    description:
      "Any origin may call the API (its tokens are bearer tokens, never cookies); API Gateway's CORS configuration adds it to an answer to a request with an Origin",
  }),
};

function withHeaders(
  headers: ParameterSchema | undefined,
  more: Record<string, z.ZodType>,
): ParameterSchema {
  if (headers === undefined) return z.object(more);
  if (headers instanceof z.ZodObject) return headers.extend(more);
  throw new Error('Response headers are documented as a zod object');
}

/**
 * The problem schema for one status: strict, and narrowed to the route's codes, so a
 * contract test fails on a code the route does not document. In the document it is
 * Problem plus the narrowing, rather than a copy of Problem in every response.
 */
function narrowedProblem(status: number, codes: string[]): z.ZodType {
  const narrowing = { status: { const: status }, code: { type: 'string' as const, enum: codes } };
  return problemSchema.extend({ status: z.literal(status), code: z.enum(codes) }).meta({
    override: ({ jsonSchema }) => {
      for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
      jsonSchema.allOf = [{ $ref: PROBLEM_REF }, { type: 'object', properties: narrowing }];
    },
  });
}

function problemResponse(status: number, errors: DocumentedError[]): DocumentedResponse {
  const codes = errors.map((error) => error.code);
  const lines = errors.map((error) => `\`${error.code}\`: ${error.title}`);
  if (status === 429) {
    lines.push(
      'The client went over one of its own limits (per user, per source address, holds per customer, failed logins per account); the headers say which and when to retry',
      "Behind AWS API Gateway, the stage's throttle (a capacity guard for all clients) answers with its own 429 body",
    );
  }
  return {
    description: lines.join('. '),
    ...(status === 429 && { headers: RATE_LIMIT_HEADERS }),
    content: {
      type: PROBLEM_JSON,
      schema: narrowedProblem(status, codes),
      examples: Object.fromEntries(
        errors.map(({ code, title }) => [
          code,
          {
            summary: title,
            value: problem(
              status,
              code,
              title,
              title,
              code === 'VALIDATION_FAILED'
                ? [
                    {
                      path: 'body.name',
                      message: 'Too small: expected string to have >=1 characters',
                    },
                  ]
                : undefined,
            ),
          },
        ]),
      ),
    },
  };
}

function accessOf(route: RouteDefinition): string {
  switch (route.access) {
    case 'public':
      return 'Public: no token needed. A valid token, if sent, identifies the caller; an invalid one counts as none.';
    case 'customer':
      return 'Needs a bearer token; any signed-in user may call it.';
    case 'organizer':
      return 'Needs a bearer token of an organizer or an admin.';
    case 'admin':
      return 'Needs a bearer token of an admin.';
  }
}

function operationOf(route: RouteDefinition): ZodOpenApiOperationObject {
  const { params, query, body, headers: requestHeaders } = route.request;
  const requestParams = {
    ...(params && { path: params }),
    ...(query && { query }),
    ...(requestHeaders && { header: requestHeaders }),
  };
  const responses: ZodOpenApiResponsesObject = Object.fromEntries(
    [...documentedResponses(route)].map(([status, { description, headers, content }]) => [
      status,
      {
        description,
        ...(headers && { headers }),
        ...(content && {
          content: {
            [content.type]: {
              schema: content.schema,
              ...(content.examples && { examples: content.examples }),
            },
          },
        }),
      },
    ]),
  );
  return {
    operationId: route.id,
    summary: route.summary,
    description: [route.description, accessOf(route)].filter(Boolean).join('\n\n'),
    tags: [route.tag],
    // Role names as requirements of a non-OAuth scheme are OpenAPI 3.1's way to say who may call.
    security: route.access === 'public' ? [{}, { [BEARER]: [] }] : [{ [BEARER]: [route.access] }],
    ...(Object.keys(requestParams).length > 0 && { requestParams }),
    ...(body && {
      requestBody: {
        required: true,
        content: { [JSON_TYPE]: { schema: body, example: route.example.body } },
      },
    }),
    responses,
  };
}

const methodKey = (method: HttpMethod) => method.toLowerCase() as Lowercase<HttpMethod>;

export interface DocumentOptions {
  /** The deployed version, as `/health` reports it. */
  version: string;
  /** Default: the whole route table. */
  routes?: readonly RouteDefinition[];
}

export type OpenApiDocument = ReturnType<typeof createDocument>;

/** The whole API, from the route table (paths, access) and the contract (schemas, errors). */
export function buildOpenApiDocument(options: DocumentOptions): OpenApiDocument {
  const table = options.routes ?? routeTable;
  const paths: ZodOpenApiPathsObject = {};
  for (const route of table) {
    paths[route.path] = {
      ...paths[route.path],
      [methodKey(route.method)]: operationOf(route),
    };
  }
  const document = createDocument({
    openapi: '3.1.1',
    info: {
      title: 'Ticketing API',
      version: options.version,
      description: [
        'JSON in and out. Money is an integer in minor units (`priceCents`, `amountCents`) with ',
        'an ISO 4217 `currency`; timestamps are ISO 8601 in UTC. Lists take `limit` (1–100, ',
        'default 20) and `cursor`, and return `{ items, nextCursor }`. Unknown fields in a ',
        'request are rejected. Every error is an RFC 9457 problem (`application/problem+json`) ',
        'with a stable `code`.',
      ].join(''),
    },
    // Relative: the document is served by the API it describes, whatever its domain.
    servers: [{ url: '/' }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      // Every problem response refers to it; see narrowedProblem.
      schemas: { Problem: problemSchema },
      securitySchemes: {
        [BEARER]: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The `accessToken` from `POST /v1/auth/login`.',
        },
      },
    },
  });
  for (const route of table) addParameterExamples(document, route);
  return document;
}

/** zod-openapi renders parameters from the handlers' own schemas, which carry no examples. */
function addParameterExamples(document: OpenApiDocument, route: RouteDefinition): void {
  const operation = document.paths?.[route.path]?.[methodKey(route.method)];
  const example = route.example as {
    params?: Record<string, unknown>;
    query?: Record<string, unknown>;
    headers?: Record<string, unknown>;
  };
  for (const parameter of operation?.parameters ?? []) {
    if ('$ref' in parameter) continue;
    const values = { path: example.params, query: example.query, header: example.headers }[
      parameter.in as string
    ];
    const value = values?.[parameter.name];
    if (value !== undefined) parameter.example = value;
  }
}
