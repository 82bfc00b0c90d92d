import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  DEFAULT_THROTTLE,
  type RouteDefinition,
  routeKeyOf,
} from '../../shared/api/route-record.js';
import type { RateLimitConfig } from '../../shared/domain/rate-limits.js';
import { ENV } from '../../shared/env.js';
import type { DataTable } from './data-table.js';
import type { Identity } from './identity.js';
import type { OrderMachinery } from './order-machinery.js';
import { ProjectFunction } from './project-function.js';

export interface TicketingApiProps {
  routes: readonly RouteDefinition[];
  data: DataTable;
  identity: Identity;
  orders: OrderMachinery;
  serviceVersion: string;
  rateLimits: RateLimitConfig;
}

const rateLimitEnvironment = (limits: RateLimitConfig): Record<string, string> => ({
  [ENV.rateLimitAnon]: String(limits.anonymousPerMinute),
  [ENV.rateLimitUser]: String(limits.userPerMinute),
  [ENV.rateLimitHolds]: String(limits.holdsPerMinute),
  [ENV.rateLimitLoginFailures]: String(limits.loginFailuresPer15Minutes),
});

/** The HTTP API and one Lambda per route, all taken from the route table. */
export class TicketingApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly functions = new Map<string, ProjectFunction>();
  readonly authorizerFunction: ProjectFunction;

  constructor(scope: Construct, id: string, props: TicketingApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'Ticketing API',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [CorsHttpMethod.ANY],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
      },
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: DEFAULT_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });

    // Every route that needs a token. No identity source and no cache: it runs on each
    // request (a missing token gets the one problem+json 401, not API Gateway's own), so a
    // logout or role change applies to the very next call.
    this.authorizerFunction = new ProjectFunction(this, 'Authorizer', {
      handler: 'authorizer',
      description: 'Lambda authorizer: verifies access tokens, reads denylist and roles',
    });
    props.data.bind(this.authorizerFunction, 'read');
    props.identity.bindVerifier(this.authorizerFunction);
    const authorizer = new HttpLambdaAuthorizer('TokenAuthorizer', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0),
    });

    const stageResource = this.stage.node.defaultChild as CfnStage;
    for (const route of props.routes) {
      const fn = new ProjectFunction(this, route.id, {
        handler: route.handler,
        description: `${route.method} ${route.path}`,
        environment: { [ENV.serviceVersion]: props.serviceVersion },
      });
      if (route.table) props.data.bind(fn, route.table);
      if (route.perClientLimit !== false) {
        props.data.bindRateLimits(fn);
        for (const [name, value] of Object.entries(rateLimitEnvironment(props.rateLimits))) {
          fn.addEnvironment(name, value);
        }
      }
      if (route.identity) props.identity.bind(fn, route.identity);
      if (route.uses) props.orders.bind(fn, route.uses);
      this.functions.set(route.id, fn);

      // Public routes go without the authorizer: their function checks a token if sent.
      const isPublic = route.access === 'public';
      if (route.identifiesCaller) props.identity.bindVerifier(fn);
      const [apiRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, fn),
        ...(!isPublic && { authorizer }),
      });
      if (isPublic && apiRoute) {
        Validations.of(apiRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'Public by SPEC; the function itself verifies a bearer token when one is sent (identifyPublicCaller), so anonymous calls cost no authorizer invocation.',
        });
      }
      // A dot in the override path separates levels; `/openapi.json` has one of its own.
      const routeKey = routeKeyOf(route).replaceAll('.', '\\.');
      stageResource.addPropertyOverride(`RouteSettings.${routeKey}`, {
        ThrottlingRateLimit: route.throttle.rateLimit,
        ThrottlingBurstLimit: route.throttle.burstLimit,
      });
    }
  }
}
