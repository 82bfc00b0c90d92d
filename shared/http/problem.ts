import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, type FieldError } from '../domain/errors.js';
import { logger } from '../observability.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldError[];
}

const problemType = (code: string) =>
  `https://ticketing.example/problems/${code.toLowerCase().replaceAll('_', '-')}`;

function problemOf(error: unknown): Problem {
  if (error instanceof DomainError) {
    return {
      type: problemType(error.code),
      title: error.title,
      status: error.status,
      detail: error.message,
      code: error.code,
      ...(error.errors && { errors: error.errors }),
    };
  }
  if (isMalformedBody(error)) {
    return {
      type: problemType('VALIDATION_FAILED'),
      title: 'The request is not valid',
      status: 400,
      detail: 'The request body must be a JSON document',
      code: 'VALIDATION_FAILED',
      errors: [{ path: '', message: 'malformed or missing JSON body' }],
    };
  }
  // Nothing about an unexpected failure reaches the client; the log has it all.
  logger.error('Unhandled error', error as Error);
  return {
    type: problemType('INTERNAL'),
    title: 'Internal error',
    status: 500,
    detail: 'Something went wrong on our side; the request may be retried',
    code: 'INTERNAL',
  };
}

/** middy's JSON body parser signals malformed or missing JSON as an HttpError (415/422). */
function isMalformedBody(error: unknown): boolean {
  const cause = (error as { cause?: { package?: string } } | null)?.cause;
  return cause?.package === '@middy/http-json-body-parser';
}

export function problemResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  const problem = problemOf(error);
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify(problem),
  };
}
