import { maxHeaderSize, STATUS_CODES } from 'node:http';
import { problem } from '../../shared/http/problem.js';

/** What the gateway answers, before it is written to the client. */
export interface GatewayResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body?: string | Buffer;
}

export function problemResponse(
  status: number,
  code: string,
  title: string,
  detail: string,
  headers: Record<string, string> = {},
): GatewayResponse {
  return {
    status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify(problem(status, code, title, detail)),
  };
}

/** As in AWS, the client learns nothing of what failed; the terminal gets everything. */
export function internalError(requestId: string): GatewayResponse {
  const response = problemResponse(
    500,
    'INTERNAL',
    'Internal error',
    'Something went wrong on our side; the request may be retried',
  );
  response.headers['apigw-requestid'] = requestId;
  return response;
}

/**
 * What Node's HTTP parser could not turn into a request. Node's own answer to those is a
 * bare status line with no body; the API's clients get a problem like everywhere else.
 */
export function clientErrorResponse(error: NodeJS.ErrnoException): GatewayResponse {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return problemResponse(
        431,
        'REQUEST_HEADER_FIELDS_TOO_LARGE',
        'Request header fields too large',
        `The request line and headers must not exceed ${maxHeaderSize} bytes`,
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problemResponse(
        408,
        'REQUEST_TIMEOUT',
        'Request timeout',
        'The request did not arrive in time; it may be retried',
      );
    default:
      return problemResponse(
        400,
        'VALIDATION_FAILED',
        'The request is not valid',
        'The request is not well-formed HTTP/1.1',
      );
  }
}

/** The response as raw HTTP/1.1, for a socket that has no ServerResponse to write it. */
export function serialise(response: GatewayResponse): string {
  const body = response.body?.toString() ?? '';
  const headers = {
    ...response.headers,
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  return [
    `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    '',
    body,
  ].join('\r\n');
}
