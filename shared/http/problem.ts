import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, type FieldError, RateLimited } from '../domain/errors.js';
import { logger } from '../observability.js';
import { rateLimitHeaders } from './client-limits.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
}

/** Builds an RFC 9457 problem; every error body of the API, the local gateway's too, comes from here. */
export function problem(
  status: number,
  code: string,
  title: string,
  detail: string,
  errors?: FieldError[],
): Problem {
  return {
    type: `https://ticketing.example/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title,
    status,
    detail,
    code,
    ...(errors && { errors }),
  };
}

function problemOf(error: unknown): Problem {
  if (error instanceof DomainError) {
    return problem(error.status, error.code, error.title, error.message, error.errors);
  }
  if (isMalformedBody(error)) {
    return problem(
      400,
      'VALIDATION_FAILED',
      'The request is not valid',
      'The request body must be a JSON document',
      [{ path: 'body', message: 'malformed or missing JSON body' }],
    );
  }
  // Nothing about an unexpected failure reaches the client; the log has it all.
  logger.error('Unhandled error', error as Error);
  return problem(
    500,
    'INTERNAL',
    'Internal error',
    'Something went wrong on our side; the request may be retried',
  );
}

/** middy's JSON body parser signals malformed or missing JSON as an HttpError (422). */
function isMalformedBody(error: unknown): boolean {
  const cause = (error as { cause?: { package?: string } } | null)?.cause;
  return cause?.package === '@middy/http-json-body-parser';
}

export function problemResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  const problem = problemOf(error);
  return {
    statusCode: problem.status,
    headers: {
      'content-type': 'application/problem+json',
      ...(error instanceof RateLimited && rateLimitHeaders(error.limit, true)),
    },
    body: JSON.stringify(problem),
  };
}
