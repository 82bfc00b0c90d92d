import { randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  Context,
  SQSRecord,
} from 'aws-lambda';
import type { RouteDefinition } from '../shared/api/route-record.js';
import type { ApiEvent, AuthorizerContext } from '../shared/http/principal.js';

export interface HttpRequest {
  method: string;
  /** Path without query string, e.g. `/v1/events/01J…`. */
  path: string;
  query?: URLSearchParams;
  headers?: Record<string, string>;
  body?: string;
  authorizer?: AuthorizerContext;
  /** The peer's address, as API Gateway reports the caller's; default loopback. */
  sourceIp?: string;
}

export type ApiHandler = (event: ApiEvent, context: Context) => Promise<unknown>;

/** Turns an API Gateway path template into a matcher that yields its path parameters. */
export function matchPath(template: string, path: string): Record<string, string> | null {
  const names: string[] = [];
  const pattern = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  const match = new RegExp(`^${pattern}$`).exec(path);
  if (!match) return null;
  return Object.fromEntries(
    names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
  );
}

/** The payload-format-2.0 event API Gateway sends a Lambda for this request and route. */
export function toApiEvent(
  request: HttpRequest,
  route: RouteDefinition,
  pathParameters: Record<string, string>,
): ApiEvent {
  const headers = Object.fromEntries(
    Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const query = request.query && [...request.query.keys()].length > 0 ? request.query : undefined;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: request.path,
    rawQueryString: query?.toString() ?? '',
    headers,
    ...(query && {
      // API Gateway joins repeated query parameters with commas.
      queryStringParameters: Object.fromEntries(
        [...new Set(query.keys())].map((key) => [key, query.getAll(key).join(',')]),
      ),
    }),
    ...(headers.cookie !== undefined && { cookies: headers.cookie.split(/;\s*/) }),
    ...(Object.keys(pathParameters).length > 0 && { pathParameters }),
    ...(request.body !== undefined && request.body !== '' && { body: request.body }),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method,
        path: request.path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: request.authorizer ? { lambda: request.authorizer } : undefined,
    },
  } as ApiEvent;
}

/** A Lambda context good enough for handlers run in-process. */
export function localContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Normalises a handler's answer the way API Gateway does for payload format 2.0. */
export function toHttpResponse(
  result: unknown,
): Required<Pick<APIGatewayProxyStructuredResultV2, 'statusCode'>> &
  APIGatewayProxyStructuredResultV2 {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    return result as APIGatewayProxyStructuredResultV2 & { statusCode: number };
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(result),
  };
}

/** The payload-2.0 REQUEST authorizer event API Gateway sends before invoking a route. */
export function toAuthorizerEvent(event: ApiEvent): APIGatewayRequestAuthorizerEventV2 {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:local:000000000000:local/$default/${event.routeKey.replace(' ', '')}`,
    identitySource: [],
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    headers: event.headers as Record<string, string>,
    ...(event.cookies && { cookies: event.cookies }),
    ...(event.queryStringParameters && {
      queryStringParameters: event.queryStringParameters as Record<string, string>,
    }),
    ...(event.pathParameters && { pathParameters: event.pathParameters as Record<string, string> }),
    requestContext: event.requestContext,
  } as APIGatewayRequestAuthorizerEventV2;
}

/** One record of the SQS event Lambda receives from the email queue. */
export function sqsRecord(
  body: string,
  options: { messageId?: string; receiveCount?: number } = {},
): SQSRecord {
  const messageId = options.messageId ?? randomUUID();
  const now = String(Date.now());
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: now,
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:emails',
    awsRegion: 'local',
  };
}
