import { fileURLToPath } from 'node:url';
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../shared/env.js';
import { DEFAULT_THROTTLE, type RouteDefinition } from '../../shared/routes.js';
import type { DataTable } from './data-table.js';
import { ProjectFunction } from './project-function.js';

export interface TicketingApiProps {
  routes: readonly RouteDefinition[];
  data: DataTable;
  serviceVersion: string;
}

/** The HTTP API and one Lambda per route, all taken from the route table. */
export class TicketingApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly functions = new Map<string, ProjectFunction>();

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

    const stageResource = this.stage.node.defaultChild as CfnStage;
    for (const route of props.routes) {
      const fn = new ProjectFunction(this, route.id, {
        entry: fileURLToPath(new URL(`../../functions/${route.handler}.ts`, import.meta.url)),
        description: `${route.method} ${route.path}`,
        environment: { [ENV.serviceVersion]: props.serviceVersion },
      });
      if (route.table) props.data.bind(fn, route.table);
      this.functions.set(route.id, fn);

      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, fn),
      });
      if (httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            route.access === 'public'
              ? 'Public by contract: anonymous callers browse published events.'
              : 'Open until the identity work attaches the Lambda authorizer to non-public routes.',
        });
      }
      const routeKey = `${route.method} ${route.path}`;
      stageResource.addPropertyOverride(`RouteSettings.${routeKey}`, {
        ThrottlingRateLimit: route.throttle.rateLimit,
        ThrottlingBurstLimit: route.throttle.burstLimit,
      });
    }
  }
}
