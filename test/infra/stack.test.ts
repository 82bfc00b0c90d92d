import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterQueue } from '../../lib/constructs/dead-letter-queue.js';
import { ProjectFunction } from '../../lib/constructs/project-function.js';
import type { TicketingStack } from '../../lib/ticketing-stack.js';
import { liveRoutes } from '../../shared/api/live-routes.js';
import { READ_THROTTLE, routeKeyOf } from '../../shared/api/route-record.js';
import { AUDIT_STREAM_FILTERS } from '../../shared/db/entities/audit-changes.js';
import { LIVE_STREAM_FILTERS } from '../../shared/db/entities/live.js';
import { readinessProbeKey, table } from '../../shared/db/table.js';
import { projectionOf } from '../../shared/db/table-inputs.js';
import { routes } from '../../shared/routes.js';
import { synthesizeStack } from '../support/stack.js';

type Resource = { Type: string; Properties: Record<string, any> };

/**
 * The authorizer, hold expiry, sweep, email sender and audit recorder, besides one
 * function per route.
 */
const JOB_FUNCTIONS = 5;
/** One per WebSocket route, and the broadcaster on the table's stream. */
const LIVE_FUNCTIONS = liveRoutes.length + 1;

let template: Template;
let stack: TicketingStack;
let cleanup: () => void;

beforeAll(() => {
  ({ template, stack, cleanup } = synthesizeStack());
});
afterAll(() => cleanup());

const resourcesOf = (type: string): Record<string, Resource> =>
  template.findResources(type) as Record<string, Resource>;

function logicalIdOf(construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

/** The routes (or stages) of one API: the HTTP API's or the WebSocket API's. */
function ofApi(type: string, api: { node: { defaultChild?: unknown } }): Resource[] {
  const apiId = logicalIdOf(api);
  return Object.values(resourcesOf(type)).filter(
    (resource) => resource.Properties.ApiId?.Ref === apiId,
  );
}

const httpRoutes = () => ofApi('AWS::ApiGatewayV2::Route', stack.api.api);

/** Every IAM action granted to a function's role, from all policies attached to it. */
/** What a route's function may do, besides counting its callers (pinned on its own below). */
function actionsOf(routeId: string): string[] {
  const fn = stack.api.functions.get(routeId);
  if (!fn) throw new Error(`no function for ${routeId}`);
  const roleId = stack.getLogicalId(fn.role?.node.defaultChild as never);
  return Object.values(resourcesOf('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .filter((statement: { Condition?: unknown }) => !isRateLimitGrant(statement))
    .flatMap((statement: { Action: string | string[] }) => [statement.Action].flat());
}

describe('table', () => {
  it('takes its keys and indexes from the key-design module', () => {
    const gsis = Object.values(table.globalSecondaryIndexes);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: table.partitionKey, KeyType: 'HASH' },
        { AttributeName: table.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: table.timeToLiveAttribute, Enabled: true },
      StreamSpecification: { StreamViewType: table.streamViewType },
      GlobalSecondaryIndexes: gsis.map((gsi) =>
        Match.objectLike({
          IndexName: gsi.indexName,
          KeySchema: [
            { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
          ],
          Projection: projectionOf(gsi),
        }),
      ),
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });

  it('projects only what the hot due work is read by into its sharded index', () => {
    // Pinned: a projection cannot change in place, so widening it means a new index.
    const [tableResource] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as {
      Properties: { GlobalSecondaryIndexes: { IndexName: string; Projection: unknown }[] };
    }[];
    expect(
      tableResource?.Properties.GlobalSecondaryIndexes.map(({ IndexName, Projection }) => ({
        IndexName,
        Projection,
      })),
    ).toEqual([
      { IndexName: 'gsi1', Projection: { ProjectionType: 'ALL' } },
      { IndexName: 'gsi2', Projection: { ProjectionType: 'ALL' } },
      { IndexName: 'gsi3', Projection: { ProjectionType: 'ALL' } },
      { IndexName: 'gsi4', Projection: { ProjectionType: 'ALL' } },
      {
        IndexName: 'gsi5',
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['eventId', 'orderId', 'kind'] },
      },
    ]);
  });

  it('is retained when the stack is deleted', () => {
    const [tableResource] = Object.values(template.findResources('AWS::DynamoDB::GlobalTable')) as {
      DeletionPolicy?: string;
    }[];
    expect(tableResource?.DeletionPolicy).toBe('Retain');
  });
});

describe('functions', () => {
  it('builds one Lambda per route, the authorizer, four jobs and the live functions, Node 22 on arm64 with tracing, source maps not loaded at start', () => {
    const functions = Object.values(resourcesOf('AWS::Lambda::Function'));
    expect(functions).toHaveLength(routes.length + JOB_FUNCTIONS + LIVE_FUNCTIONS);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
      });
      // --enable-source-maps would parse the bundle's map at every cold start.
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBeUndefined();
    }
  });

  it('gives each function a log group with retention', () => {
    for (const route of routes) {
      const fn = stack.api.functions.get(route.id);
      const fnResource = template.toJSON().Resources[logicalIdOf(fn as never)] as Resource;
      const logGroupId = fnResource.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBe(30);
    }
  });

  it.each(routes)('$id names the table only when it may use it', (route) => {
    const fn = stack.api.functions.get(route.id);
    const variables = (template.toJSON().Resources[logicalIdOf(fn as never)] as Resource).Properties
      .Environment.Variables as Record<string, unknown>;
    expect(variables.SERVICE_VERSION).toBe('1.2.3');
    if (route.table) expect(variables.TABLE_NAME).toBeDefined();
    else expect(variables.TABLE_NAME).toBeUndefined();
  });

  it.each(routes)('$id is granted exactly its declared table access', (route) => {
    const actions = actionsOf(route.id);
    const writes = actions.filter((action) =>
      /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(action),
    );
    const reads = actions.filter((action) =>
      /^dynamodb:(GetItem|Query|BatchGetItem)$/.test(action),
    );
    expect(actions.some((action) => action.endsWith('*'))).toBe(false);
    if (route.table === 'write') {
      expect(writes.length).toBeGreaterThan(0);
      expect(reads.length).toBeGreaterThan(0);
    } else if (route.table === 'read') {
      expect(writes).toEqual([]);
      expect(reads.length).toBeGreaterThan(0);
    } else if (route.table === 'probe') {
      expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual([
        'dynamodb:GetItem',
      ]);
    } else {
      expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual([]);
    }
  });
});

/**
 * Each route's table access, pinned here rather than read from the route table, so that
 * widening a route's grant in `shared/routes.ts` fails this test. Keyed by the API route
 * key, and checked on the function the synthesized API route really invokes.
 */
const PINNED_TABLE_ACCESS: Readonly<Record<string, 'probe' | 'read' | 'write' | 'none'>> = {
  'GET /health': 'none',
  // GetItem of the readiness probe key only (checked in 'readiness' below).
  'GET /health/ready': 'probe',
  'POST /v1/auth/register': 'write',
  'POST /v1/auth/login': 'read',
  'POST /v1/auth/logout': 'write',
  'POST /v1/auth/verify-email': 'write',
  'POST /v1/auth/verify-email/resend': 'write',
  'GET /v1/me': 'read',
  'PATCH /v1/me': 'write',
  'GET /v1/users': 'read',
  'GET /v1/users/{userId}': 'read',
  'PUT /v1/users/{userId}/roles': 'write',
  'DELETE /v1/users/{userId}': 'write',
  'POST /v1/events': 'write',
  'GET /v1/events': 'read',
  'GET /v1/events/{eventId}': 'read',
  'GET /v1/events/{eventId}/seats': 'read',
  'PATCH /v1/events/{eventId}': 'write',
  'DELETE /v1/events/{eventId}': 'write',
  'POST /v1/events/{eventId}/publish': 'write',
  'POST /v1/events/{eventId}/cancel': 'write',
  'POST /v1/events/{eventId}/orders': 'write',
  'GET /v1/orders': 'read',
  'GET /v1/me/orders': 'read',
  'POST /v1/events/{eventId}/waitlist': 'write',
  'GET /v1/me/waitlist': 'read',
  'DELETE /v1/waitlist/{entryId}': 'write',
  'POST /graphql': 'write',
  'GET /v1/orders/{orderId}': 'read',
  'POST /v1/orders/{orderId}/pay': 'write',
  'POST /v1/orders/{orderId}/cancel': 'write',
  'GET /openapi.json': 'none',
  'GET /v1/events/{eventId}/stats': 'read',
  'GET /v1/admin/analytics': 'read',
  'GET /v1/users/{userId}/relevant-events': 'read',
  'GET /v1/admin/audit': 'read',
};

/** The Lambda function resource that the synthesized API route `routeKey` invokes. */
function functionBehind(routeKey: string): Resource {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const route = httpRoutes().find((resource) => resource.Properties.RouteKey === routeKey);
  if (!route) throw new Error(`no API route ${routeKey}`);
  // Target: { 'Fn::Join': ['', ['integrations/', { Ref: <integration> }]] }
  const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref as string;
  const functionId = resources[integrationId]?.Properties.IntegrationUri['Fn::GetAtt'][0] as string;
  const fn = resources[functionId];
  if (fn?.Type !== 'AWS::Lambda::Function') throw new Error(`no function behind ${routeKey}`);
  return fn;
}

/** What a function's role may do on the data table (its indexes included). */
function tableAccessOf(fn: Resource): { reads: boolean; writes: boolean; actions: string[] } {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  const tableId = logicalIdOf(stack.data.table);
  const actions = Object.values(resourcesOf('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .filter((statement: { Resource: unknown }) =>
      JSON.stringify(statement.Resource).includes(`"${tableId}"`),
    )
    // The per-client limiter's own grant, pinned in 'per-client rate limits' below.
    .filter((statement: { Condition?: unknown }) => !isRateLimitGrant(statement))
    .flatMap((statement: { Action: string | string[] }) => [statement.Action].flat());
  return {
    reads: actions.some((action) => /^dynamodb:(GetItem|Query|BatchGetItem)$/.test(action)),
    writes: actions.some((action) =>
      /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)$/.test(action),
    ),
    actions,
  };
}

/** GetItem and UpdateItem of `RATE#…` partitions only: the per-client limiter's windows. */
const RATE_LIMIT_GRANT = {
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['RATE#*'] },
};
const isRateLimitGrant = (statement: { Condition?: unknown }) =>
  JSON.stringify(statement.Condition) === JSON.stringify(RATE_LIMIT_GRANT);

describe('per-client rate limits', () => {
  const statementsOf = (fn: Resource) => {
    const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
    return Object.values(resourcesOf('AWS::IAM::Policy'))
      .filter((policy) =>
        (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  };

  it.each(routes)('$id counts its callers in RATE# windows only, with the limits set', (route) => {
    const fn = functionBehind(routeKeyOf(route));
    const grants = statementsOf(fn).filter(isRateLimitGrant);
    const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
    if (route.perClientLimit === false) {
      expect(grants).toEqual([]);
      expect(variables.RATE_LIMIT_ANON).toBeUndefined();
      return;
    }
    expect(grants).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
      }),
    ]);
    expect(variables).toMatchObject({
      RATE_LIMIT_ANON: '600',
      RATE_LIMIT_USER: '1200',
      RATE_LIMIT_HOLDS: '30',
      RATE_LIMIT_LOGIN_FAILURES: '10',
    });
  });

  it('exempts only liveness, readiness and the document', () => {
    const exempt = routes.filter((route) => route.perClientLimit === false).map((r) => r.id);
    expect(exempt.sort()).toEqual(['Health', 'HealthReady', 'OpenApi']);
  });
});

describe('table access pinned per route', () => {
  it('pins exactly the routes the API has', () => {
    const routeKeys = httpRoutes().map((resource) => resource.Properties.RouteKey as string);
    expect(Object.keys(PINNED_TABLE_ACCESS).sort()).toEqual(routeKeys.sort());
  });

  it.each(Object.entries(PINNED_TABLE_ACCESS))(
    '%s has table access %s, no more and no less',
    (routeKey, pinned) => {
      // Prepare
      const fn = functionBehind(routeKey);

      // Act
      const access = tableAccessOf(fn);

      // Assess
      expect(access.actions.some((action) => action.includes('*'))).toBe(false);
      expect({ reads: access.reads, writes: access.writes }).toEqual({
        reads: pinned !== 'none',
        writes: pinned === 'write',
      });
      if (pinned === 'none') expect(access.actions).toEqual([]);
      const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
      expect(variables.TABLE_NAME !== undefined).toBe(pinned !== 'none');
    },
  );
});

describe('alarms', () => {
  const alarms = () => Object.values(resourcesOf('AWS::CloudWatch::Alarm'));
  const topicRef = () => ({ Ref: logicalIdOf(stack.alarms.topic) });

  it('every alarm notifies the one topic, which is an output', () => {
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) expect(alarm.Properties.AlarmActions).toEqual([topicRef()]);
    template.hasOutput('AlarmTopicArn', { Value: topicRef() });
  });

  it('watches every dead-letter queue for a message, and every function for errors and throttles', () => {
    const queues = stack.node.findAll().filter((node) => node instanceof DeadLetterQueue);
    expect(queues.length).toBeGreaterThanOrEqual(6);
    for (const queue of queues) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(queue), 'QueueName'] } },
        ],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
    const functions = stack.node.findAll().filter((node) => node instanceof ProjectFunction);
    for (const fn of functions) {
      for (const metric of ['Errors', 'Throttles']) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metric,
          Namespace: 'AWS/Lambda',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalIdOf(fn) } }],
        });
      }
    }
  });

  it('watches the API 5xx share and DynamoDB throttling; one dashboard', () => {
    const expressions = alarms()
      .flatMap((alarm) => alarm.Properties.Metrics ?? [])
      .map((metric: { Expression?: string }) => metric.Expression)
      .filter(Boolean);
    expect(expressions).toEqual(
      expect.arrayContaining(['IF(requests > 0, errors / requests, 0)', 'reads + writes']),
    );
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('fires when the sweep reports a hold more than 5 minutes overdue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Ticketing',
      MetricName: 'OverdueHoldAge',
      Dimensions: [{ Name: 'service', Value: 'ticketing' }],
      Statistic: 'Maximum',
      Threshold: 300,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('watches the bounce and complaint rates of the emails sent in the configuration set', () => {
    const setName = { Ref: logicalIdOf(stack.emailEvents.configurationSet) };
    const rateAlarms = alarms().filter((alarm) =>
      (alarm.Properties.Metrics ?? []).some((metric: { Expression?: string }) =>
        /IF\(sends > 0, (bounces|complaints) \/ sends, 0\)/.test(metric.Expression ?? ''),
      ),
    );
    expect(rateAlarms.map((alarm) => alarm.Properties.Threshold).sort()).toEqual([0.001, 0.05]);
    for (const alarm of rateAlarms) {
      const watched = alarm.Properties.Metrics.flatMap(
        (metric: { MetricStat?: { Metric: unknown } }) => metric.MetricStat?.Metric ?? [],
      );
      for (const metric of watched) {
        expect(metric).toMatchObject({
          Namespace: 'AWS/SES',
          Dimensions: [{ Name: 'ses:configuration-set', Value: setName }],
        });
      }
    }
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: setName,
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ['send', 'bounce', 'complaint'],
        CloudWatchDestination: Match.anyValue(),
      }),
    });
  });
});

describe('async failures', () => {
  it('sends runs of the sweep and the expiry function that fail inside to a queue of their own', () => {
    for (const [fn, queue] of [
      [stack.orders.sweep, stack.orders.sweepFailures],
      [stack.orders.expireHold, stack.orders.expiryFailures],
    ] as const) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: logicalIdOf(fn) },
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [logicalIdOf(queue), 'Arn'] } },
        },
      });
    }
  });

  it('keeps the email consumer to two batches in flight', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stack.orders.sendEmail) },
      ScalingConfig: { MaximumConcurrency: 2 },
    });
  });
});

describe('identity', () => {
  it('has a Cognito user pool with email sign-in and the organizer and admin groups', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
    const groups = Object.values(resourcesOf('AWS::Cognito::UserPoolGroup')).map(
      (group) => group.Properties.GroupName,
    );
    expect(groups.sort()).toEqual(['admin', 'organizer']);
    // The API mails and checks verification codes itself: Cognito sends none of its own.
    const [pool] = Object.values(resourcesOf('AWS::Cognito::UserPool'));
    expect(pool?.Properties.AutoVerifiedAttributes ?? []).toEqual([]);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_ADMIN_USER_PASSWORD_AUTH']),
      GenerateSecret: false,
    });
  });

  it.each(routes)(
    '$id may call exactly the Cognito actions of its identity operations',
    (route) => {
      const cognito = actionsOf(route.id).filter((action) => action.startsWith('cognito-idp:'));
      const expected: Record<string, string[]> = {
        createUser: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminSetUserPassword'],
        authenticate: ['cognito-idp:AdminInitiateAuth'],
        setRoles: [
          'cognito-idp:AdminListGroupsForUser',
          'cognito-idp:AdminAddUserToGroup',
          'cognito-idp:AdminRemoveUserFromGroup',
        ],
        deleteUser: ['cognito-idp:AdminDeleteUser'],
        markEmailVerified: ['cognito-idp:AdminUpdateUserAttributes'],
      };
      const wanted = (route.identity ?? []).flatMap((operation) => expected[operation] ?? []);
      expect(cognito.sort()).toEqual(wanted.sort());
    },
  );

  it('runs the authorizer on every request to a route that needs a token: no identity source, no cache', () => {
    const [authorizer] = Object.values(resourcesOf('AWS::ApiGatewayV2::Authorizer'));
    expect(authorizer?.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: [],
      AuthorizerResultTtlInSeconds: 0,
    });
    const authorizerId = Object.keys(resourcesOf('AWS::ApiGatewayV2::Authorizer'))[0];
    for (const route of routes.filter((r) => r.access !== 'public')) {
      const [apiRoute] = httpRoutes().filter(
        (resource) => resource.Properties.RouteKey === routeKeyOf(route),
      );
      expect(apiRoute?.Properties).toMatchObject({
        AuthorizationType: 'CUSTOM',
        AuthorizerId: { Ref: authorizerId },
      });
    }
  });

  it.each(routes.filter((route) => route.access === 'public'))(
    '$id (public) runs no authorizer; its function checks a sent token itself',
    (route) => {
      const [apiRoute] = httpRoutes().filter(
        (resource) => resource.Properties.RouteKey === routeKeyOf(route),
      );
      expect(apiRoute?.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
      expect(apiRoute?.Properties.AuthorizerId).toBeUndefined();
      const variables = functionBehind(routeKeyOf(route)).Properties.Environment.Variables;
      // The others serve every caller alike: no verifier at all.
      if (route.identifiesCaller) expect(variables).toHaveProperty('TOKEN_JWKS_URI');
      else expect(variables.TOKEN_JWKS_URI).toBeUndefined();
    },
  );

  it('gives the authorizer read access, token settings, and nothing else', () => {
    const fn = stack.api.authorizerFunction;
    const variables = (template.toJSON().Resources[logicalIdOf(fn)] as Resource).Properties
      .Environment.Variables as Record<string, unknown>;
    expect(Object.keys(variables).sort()).toEqual(
      [
        'ASYNC_RUNTIME',
        'POWERTOOLS_SERVICE_NAME',
        'TABLE_NAME',
        'TOKEN_ISSUER',
        'TOKEN_JWKS_URI',
        'USER_POOL_CLIENT_ID',
      ].sort(),
    );
    const roleId = stack.getLogicalId(fn.role?.node.defaultChild as never);
    const actions = Object.values(resourcesOf('AWS::IAM::Policy'))
      .filter((policy) =>
        (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .flatMap((statement: { Action: string | string[] }) => [statement.Action].flat());
    expect(
      actions.filter((action) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(action)),
    ).toEqual([]);
    expect(actions).toContain('dynamodb:BatchGetItem');
    expect(actions.some((action) => action.startsWith('cognito-idp:'))).toBe(false);
  });

  it('keeps revoked tokens only until they expire (table TTL)', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });
});

describe('HTTP API', () => {
  it('has exactly the routes of the route table, each on its own function', () => {
    const routeKeys = httpRoutes().map((resource) => resource.Properties.RouteKey);
    expect(routeKeys.sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('throttles every route as the route table says', () => {
    const [stage] = ofApi('AWS::ApiGatewayV2::Stage', stack.api.api);
    const settings = stage?.Properties.RouteSettings as Record<string, any>;
    for (const route of routes) {
      expect(settings[`${route.method} ${route.path}`]).toEqual({
        ThrottlingRateLimit: route.throttle.rateLimit,
        ThrottlingBurstLimit: route.throttle.burstLimit,
      });
    }
    expect(stage?.Properties.AccessLogSettings.DestinationArn).toBeDefined();
  });

  it('publishes the API URL as a stack output', () => {
    template.hasOutput('ApiUrl', {});
  });

  it('publishes where the OpenAPI document is served, on the route that serves it', () => {
    const output = template.toJSON().Outputs.OpenApiUrl;
    expect(JSON.stringify(output.Value)).toMatch(/\/openapi\.json"/);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /openapi.json',
    });
  });
});

describe('email queue', () => {
  it('dead-letters after 5 receives, with visibility six times the sender timeout', () => {
    const queues = resourcesOf('AWS::SQS::Queue');
    const emailQueueId = logicalIdOf(stack.emails.queue);
    const dlqId = logicalIdOf(stack.emails.deadLetterQueue);
    expect(queues[emailQueueId]?.Properties).toMatchObject({
      VisibilityTimeout: 180,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
  });
});

describe('expiry scheduling', () => {
  it('has a schedule group and a role only EventBridge Scheduler of this account can assume', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    const role = resourcesOf('AWS::IAM::Role')[logicalIdOf(stack.expiry.invokeRole)];
    const [statement] = role?.Properties.AssumeRolePolicyDocument.Statement ?? [];
    expect(statement.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
    expect(statement.Condition.StringEquals['aws:SourceAccount']).toBeDefined();
    expect(statement.Condition.ArnLike['aws:SourceArn']).toBeDefined();
  });

  it('lets the scheduler role invoke the expiry function and dead-letter, and nothing broader', () => {
    const roleId = logicalIdOf(stack.expiry.invokeRole);
    const statements = Object.values(resourcesOf('AWS::IAM::Policy'))
      .filter((policy) =>
        policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    const expireId = logicalIdOf(stack.orders.expireHold);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': [logicalIdOf(stack.expiry.deadLetterQueue), 'Arn'] },
        }),
        expect.objectContaining({ Action: 'lambda:InvokeFunction' }),
      ]),
    );
    expect(statements).toHaveLength(2);
    const invoke = statements.find(
      (statement: { Action: string }) => statement.Action === 'lambda:InvokeFunction',
    );
    // By the function's fixed name, which it carries, rather than a reference to it.
    const expireName = template.toJSON().Resources[expireId].Properties.FunctionName;
    expect(expireName).toMatch(/-expire-hold$/);
    expect(JSON.stringify(invoke.Resource)).toContain(`function:${expireName}`);
  });
});

describe('email identity', () => {
  it('verifies the sender address from context', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'tickets@example.com',
    });
  });
});

describe('identity', () => {
  it('lets the Cognito client sign in only as the API does: admin password auth, no OAuth', () => {
    const clients = Object.values(resourcesOf('AWS::Cognito::UserPoolClient'));
    expect(clients).toHaveLength(1);
    const client = clients[0]?.Properties ?? {};
    expect([...client.ExplicitAuthFlows].sort()).toEqual([
      'ALLOW_ADMIN_USER_PASSWORD_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
    ]);
    expect(client.AllowedOAuthFlowsUserPoolClient).toBe(false);
    expect(client.AllowedOAuthFlows).toBeUndefined();
    expect(client.CallbackURLs).toBeUndefined();
  });
});

describe('table access', () => {
  it('grants no function Scan: every read is by key or by Query', () => {
    const actions = Object.values(resourcesOf('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .flatMap((statement: { Action: string | string[] }) => [statement.Action].flat());
    expect(actions).toContain('dynamodb:Query');
    expect(actions).not.toContain('dynamodb:Scan');
  });

  it('keeps point-in-time recovery on both tables', () => {
    const tables = Object.values(resourcesOf('AWS::DynamoDB::GlobalTable'));
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      expect(table.Properties.Replicas[0].PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
    }
  });
});

describe('security checks', () => {
  it('passes cdk-nag AWS Solutions checks at synth', () => {
    const { app, cleanup: remove } = synthesizeStack();
    try {
      expect(() => app.synth()).not.toThrow();
    } finally {
      remove();
    }
  });

  it('gives no function role a managed policy, and logs access only to its own log group', () => {
    const functions = [
      ...stack.api.functions.values(),
      ...stack.live.functions.values(),
      stack.live.broadcaster,
    ];
    for (const fn of functions) {
      const roleId = stack.getLogicalId(fn.role?.node.defaultChild as never);
      const role = resourcesOf('AWS::IAM::Role')[roleId];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
    }
    const logStatements = Object.values(resourcesOf('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .filter((statement: { Action: string | string[] }) =>
        [statement.Action].flat().some((action) => action.startsWith('logs:')),
      );
    expect(logStatements.length).toBe(routes.length + JOB_FUNCTIONS + LIVE_FUNCTIONS);
    for (const statement of logStatements) {
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Logs/), 'Arn'] });
    }
  });

  it('rejects a sender address that is not an email', async () => {
    const { buildApp } = await import('../../lib/app.js');
    expect(() =>
      buildApp(
        {
          context: { senderEmail: 'not-an-email', payments: 'test', 'aws:cdk:bundling-stacks': [] },
        },
        '1',
      ),
    ).toThrow(/senderEmail/);
  });

  it('refuses to synthesize unless the deploy names the test payment gateway', async () => {
    const { buildApp } = await import('../../lib/app.js');
    const context = { senderEmail: 'tickets@example.com', 'aws:cdk:bundling-stacks': [] };
    expect(() => buildApp({ context }, '1')).toThrow(/-c payments=test.*PaymentGateway/s);
    expect(() => buildApp({ context: { ...context, payments: 'stripe' } }, '1')).toThrow(
      /payments/,
    );
  });

  it('takes each per-client limit and the email cap from context, and refuses one that is not a count', async () => {
    const { buildApp } = await import('../../lib/app.js');
    const context = {
      senderEmail: 'tickets@example.com',
      payments: 'test',
      'aws:cdk:bundling-stacks': [],
    };
    const { stack: tuned } = buildApp({ context: { ...context, rateLimitHolds: '5' } }, '1');
    const hold = tuned.api.functions.get('HoldTickets');
    const variables = (
      tuned.resolve((hold?.node.defaultChild as { environment?: unknown })?.environment) as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(variables).toMatchObject({ RATE_LIMIT_HOLDS: '5', RATE_LIMIT_ANON: '600' });
    const { stack: capped } = buildApp({ context: { ...context, emailCapPerHour: '7' } }, '1');
    const sender = capped.resolve(
      (capped.orders.sendEmail.node.defaultChild as { environment?: unknown }).environment,
    ) as { variables: Record<string, string> };
    expect(sender.variables.EMAIL_CAP_PER_HOUR).toBe('7');
    expect(() => buildApp({ context: { ...context, emailCapPerHour: '-1' } }, '1')).toThrow(
      /emailCapPerHour/,
    );
    expect(() => buildApp({ context: { ...context, rateLimitAnon: 'lots' } }, '1')).toThrow(
      /rateLimitAnon/,
    );
    expect(() => buildApp({ context: { ...context, rateLimitUser: '0' } }, '1')).toThrow(
      /rateLimitUser/,
    );
  });

  it('deploys a stage beside another: its name in the stack and in the fixed function name', () => {
    const prod = synthesizeStack({ stage: 'prod' });
    try {
      expect(prod.stack.stackName).toBe('Ticketing-prod');
      expect(stack.stackName).toBe('Ticketing-dev');
      const names = (built: ReturnType<typeof synthesizeStack>) =>
        Object.values(built.template.toJSON().Resources as Record<string, Resource>)
          .map((resource) => resource.Properties?.FunctionName)
          .filter((name): name is string => typeof name === 'string');
      expect(names(prod)).toEqual(['Ticketing-prod-expire-hold']);
      expect(() => synthesizeStack({ stage: 'Prod!' })).toThrow(/stage/);
    } finally {
      prod.cleanup();
    }
  });
});

describe('readiness', () => {
  /** Every statement of the HealthReady function's role. */
  function statementsOfReadiness(): {
    Action: string | string[];
    Resource: unknown;
    Condition?: unknown;
  }[] {
    const fn = stack.api.functions.get('HealthReady');
    if (!fn) throw new Error('no HealthReady function');
    const roleId = stack.getLogicalId(fn.role?.node.defaultChild as never);
    return Object.values(resourcesOf('AWS::IAM::Policy'))
      .filter((policy) =>
        (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  }

  it('may only GetItem the probe key on the table: no other key, no index, no write', () => {
    const dynamo = statementsOfReadiness().filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('dynamodb:')),
    );
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: { 'Fn::GetAtt': [logicalIdOf(stack.data.table), 'Arn'] },
        Condition: {
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [readinessProbeKey.pk] },
        },
      },
    ]);
  });

  it('may only GetQueueAttributes on the email queue, and sends nothing', () => {
    const sqs = statementsOfReadiness().filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith('sqs:')),
    );
    expect(sqs).toEqual([
      {
        Effect: 'Allow',
        Action: 'sqs:GetQueueAttributes',
        Resource: { 'Fn::GetAtt': [logicalIdOf(stack.emails.queue), 'Arn'] },
      },
    ]);
    const fn = stack.api.functions.get('HealthReady');
    const variables = (template.toJSON().Resources[logicalIdOf(fn as never)] as Resource).Properties
      .Environment.Variables as Record<string, unknown>;
    expect(variables.EMAIL_QUEUE_URL).toEqual({ Ref: logicalIdOf(stack.emails.queue) });
  });
});

describe('order machinery', () => {
  const routeWith = (resource: string) =>
    routes.filter((route) => route.uses?.includes(resource as never));

  it.each(routes)(
    '$id may create schedules and pass the scheduler role only if it holds',
    (route) => {
      const actions = actionsOf(route.id);
      const schedules = route.uses?.includes('expirySchedule') ?? false;
      expect(actions.includes('scheduler:CreateSchedule')).toBe(schedules);
      expect(actions.includes('iam:PassRole')).toBe(schedules);
      const fn = stack.api.functions.get(route.id);
      const variables = (template.toJSON().Resources[logicalIdOf(fn as never)] as Resource)
        .Properties.Environment.Variables as Record<string, unknown>;
      expect(variables.EXPIRY_FUNCTION_ARN !== undefined).toBe(schedules);
      expect(variables.ASYNC_RUNTIME).toBe('aws');
    },
  );

  it.each(routes)('$id may send to the email queue only if it declares so', (route) => {
    const sends = actionsOf(route.id).includes('sqs:SendMessage');
    expect(sends).toBe(route.uses?.includes('emailQueue') ?? false);
  });

  it('keeps Idempotency-Key records only for the routes that hold tickets, with a TTL', () => {
    expect(routeWith('idempotency').map((route) => route.id)).toEqual(['HoldTickets', 'GraphQL']);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
    expect(actionsOf('HoldTickets')).toEqual(expect.arrayContaining(['dynamodb:PutItem']));
  });

  it('feeds the email sender from the queue with partial batch responses, and lets it send mail', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stack.orders.sendEmail) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
    const fnResource = template.toJSON().Resources[logicalIdOf(stack.orders.sendEmail)] as Resource;
    expect(fnResource.Properties.Timeout).toBe(30);
    expect(fnResource.Properties.Environment.Variables.SENDER_EMAIL).toBe('tickets@example.com');
    expect(fnResource.Properties.Environment.Variables.SES_CONFIGURATION_SET).toEqual({
      Ref: logicalIdOf(stack.emailEvents.configurationSet),
    });
    const roleId = stack.getLogicalId(stack.orders.sendEmail.role?.node.defaultChild as never);
    const actions = Object.values(resourcesOf('AWS::IAM::Policy'))
      .filter((policy) =>
        policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .flatMap((statement: { Action: string | string[] }) => [statement.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['ses:SendEmail', 'sqs:ReceiveMessage']));
  });

  it('runs the sweep every minute, with retries and a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalIdOf(stack.orders.sweep), 'Arn'] },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [logicalIdOf(stack.orders.sweepDeadLetters), 'Arn'] },
          },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
        }),
      ],
    });
  });
});

/** Every statement of every IAM policy, with the role it is attached to. */
function statementsByRole(): { roleId: string; statement: any }[] {
  return Object.values(resourcesOf('AWS::IAM::Policy')).flatMap((policy) =>
    (policy.Properties.Roles as { Ref: string }[]).flatMap((role) =>
      (policy.Properties.PolicyDocument.Statement as unknown[]).map((statement) => ({
        roleId: role.Ref,
        statement,
      })),
    ),
  );
}

const roleIdOf = (fn: { role?: { node: { defaultChild?: unknown } } }) =>
  logicalIdOf(fn.role as never);

describe('live availability', () => {
  const functionResource = (fn: { node: { defaultChild?: unknown } }) =>
    template.toJSON().Resources[logicalIdOf(fn)] as Resource;

  it('has a WebSocket API routed by action, with exactly the live routes, each on its own function', () => {
    const apiId = logicalIdOf(stack.live.api);
    expect(resourcesOf('AWS::ApiGatewayV2::Api')[apiId]?.Properties).toMatchObject({
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: '$request.body.action',
    });
    const wsRoutes = ofApi('AWS::ApiGatewayV2::Route', stack.live.api);
    expect(wsRoutes.map((route) => route.Properties.RouteKey).sort()).toEqual(
      ['$connect', '$disconnect', '$default', 'subscribe', 'unsubscribe'].sort(),
    );
    const resources = template.toJSON().Resources as Record<string, Resource>;
    for (const route of liveRoutes) {
      const resource = wsRoutes.find(
        (candidate) => candidate.Properties.RouteKey === route.routeKey,
      );
      const integrationId = resource?.Properties.Target['Fn::Join'][1][1].Ref as string;
      const uri = JSON.stringify(resources[integrationId]?.Properties.IntegrationUri);
      expect(uri).toContain(logicalIdOf(stack.live.functions.get(route.id) as never));
      // A route that replies sends the handler's answer back to the client.
      expect(resource?.Properties.RouteResponseSelectionExpression !== undefined).toBe(
        route.replies,
      );
    }
    const responses = ofApi('AWS::ApiGatewayV2::RouteResponse', stack.live.api);
    expect(responses).toHaveLength(liveRoutes.filter((route) => route.replies).length);
  });

  it('throttles and access-logs its stage, and publishes its URL as LiveUrl', () => {
    const [stage] = ofApi('AWS::ApiGatewayV2::Stage', stack.live.api);
    expect(stage?.Properties).toMatchObject({
      StageName: 'live',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: READ_THROTTLE.rateLimit,
        ThrottlingBurstLimit: READ_THROTTLE.burstLimit,
      },
      AccessLogSettings: { DestinationArn: expect.anything() },
    });
    const url = JSON.stringify(template.toJSON().Outputs.LiveUrl.Value);
    expect(url).toContain('wss://');
    expect(url).toContain(logicalIdOf(stack.live.api));
    expect(url).toContain('/live');
  });

  it.each(liveRoutes.map((route) => [route.routeKey, route] as const))(
    '%s has table access exactly as its record says',
    (_, route) => {
      const access = tableAccessOf(functionResource(stack.live.functions.get(route.id) as never));
      expect(access.actions.some((action) => action.includes('*'))).toBe(false);
      expect({ reads: access.reads, writes: access.writes }).toEqual({
        reads: route.table !== undefined,
        writes: route.table === 'write',
      });
    },
  );

  it('feeds the broadcaster from the table stream, filtered, with partial failures, bisection and a DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stack.live.broadcaster) },
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(stack.data.table), 'StreamArn'] },
      StartingPosition: 'LATEST',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 300,
      FilterCriteria: {
        Filters: LIVE_STREAM_FILTERS.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
      },
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalIdOf(stack.live.deadLetterQueue), 'Arn'] },
        },
      },
    });
    expect(functionResource(stack.live.broadcaster).Properties.Timeout).toBe(30);
  });

  it('lets only the two stream consumers read the table stream', () => {
    const streamReaders = statementsByRole()
      .filter(({ statement }) => JSON.stringify(statement.Resource).includes('StreamArn'))
      .map(({ roleId }) => roleId);
    expect(new Set(streamReaders)).toEqual(
      new Set([roleIdOf(stack.live.broadcaster), roleIdOf(stack.audit.recorder)]),
    );
  });

  it('lets only the broadcaster post to connections, on this API and stage only', () => {
    const manage = statementsByRole().filter(({ statement }) =>
      [statement.Action].flat().some((action: string) => action.startsWith('execute-api:')),
    );
    expect(manage).toHaveLength(1);
    const [{ roleId, statement }] = manage as [{ roleId: string; statement: any }];
    expect(roleId).toBe(roleIdOf(stack.live.broadcaster));
    expect(statement.Action).toBe('execute-api:ManageConnections');
    const resource = JSON.stringify(statement.Resource);
    expect(resource).toContain(`{"Ref":"${logicalIdOf(stack.live.api)}"}`);
    expect(resource).toContain('/live/POST/@connections/*');
  });

  it('feeds the audit recorder from the table stream, filtered, retried, with partial failures and a DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalIdOf(stack.audit.recorder) },
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(stack.data.table), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FilterCriteria: {
        Filters: AUDIT_STREAM_FILTERS.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
      },
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalIdOf(stack.audit.deadLetterQueue), 'Arn'] },
        },
      },
    });
  });

  it('lets the audit recorder put audit records and read deletion markers, nothing else', () => {
    const tableId = logicalIdOf(stack.data.table);
    const onTable = statementsByRole().filter(
      ({ roleId, statement }) =>
        roleId === roleIdOf(stack.audit.recorder) &&
        JSON.stringify(statement.Resource).includes(tableId) &&
        !JSON.stringify(statement.Resource).includes('StreamArn'),
    );
    expect(
      onTable.map(({ statement }) => ({
        action: statement.Action,
        keys: statement.Condition['ForAllValues:StringLike']['dynamodb:LeadingKeys'],
        resource: statement.Resource,
      })),
    ).toEqual([
      {
        action: 'dynamodb:PutItem',
        keys: ['AUDIT#*'],
        resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
      {
        action: 'dynamodb:GetItem',
        keys: ['DELETED#*'],
        resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
    ]);
  });

  it('gives the management endpoint to the broadcaster alone', () => {
    const functions = Object.entries(resourcesOf('AWS::Lambda::Function'));
    const withEndpoint = functions
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.LIVE_CONNECTIONS_ENDPOINT)
      .map(([id]) => id);
    expect(withEndpoint).toEqual([logicalIdOf(stack.live.broadcaster)]);
    const endpoint = JSON.stringify(
      functionResource(stack.live.broadcaster).Properties.Environment.Variables
        .LIVE_CONNECTIONS_ENDPOINT,
    );
    expect(endpoint).toContain('https://');
    expect(endpoint).toContain(logicalIdOf(stack.live.api));
  });
});
