import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { LogGroupLogDestination, WebSocketApi, WebSocketStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LIVE_ROUTE_SELECTION, liveRoutes } from '../../shared/api/live-routes.js';
import { READ_THROTTLE } from '../../shared/api/route-record.js';
import { LIVE_STREAM_FILTERS } from '../../shared/db/entities/live.js';
import { ENV } from '../../shared/env.js';
import type { DataTable } from './data-table.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { ProjectFunction } from './project-function.js';

export interface LiveApiProps {
  data: DataTable;
}

/** The stage clients connect to: `wss://…/live`. */
const STAGE_NAME = 'live';

/**
 * Live availability on AWS: the WebSocket API with one Lambda per route of the live
 * route table, and the broadcaster that reads the table's stream and posts each change
 * to the followers of its event through the stage's management API.
 */
export class LiveApi extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly functions = new Map<string, ProjectFunction>();
  readonly broadcaster: ProjectFunction;
  readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: LiveApiProps) {
    super(scope, id);
    this.api = new WebSocketApi(this, 'WebSocketApi', {
      description: 'Live availability of published events',
      routeSelectionExpression: LIVE_ROUTE_SELECTION,
    });
    for (const route of liveRoutes) {
      const fn = new ProjectFunction(this, route.id, {
        handler: route.handler,
        description: route.description,
      });
      if (route.table) props.data.bind(fn, route.table);
      this.functions.set(route.id, fn);
      const created = this.api.addRoute(route.routeKey, {
        integration: new WebSocketLambdaIntegration(`${route.id}Integration`, fn),
        returnResponse: route.replies,
      });
      Validations.of(created).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'SPEC: anonymous clients may follow published events, the only thing this API offers. A WebSocket API can only authorize $connect.',
      });
    }

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: STAGE_NAME,
      autoDeploy: true,
      throttle: READ_THROTTLE,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
    });

    this.deadLetterQueue = new DeadLetterQueue(this, 'BroadcastDeadLetters');
    this.broadcaster = new ProjectFunction(this, 'Broadcaster', {
      handler: 'live-broadcast',
      description:
        'Pushes availability and seat changes from the table stream to WebSocket followers',
      timeout: Duration.seconds(30),
      environment: { [ENV.liveConnectionsEndpoint]: this.stage.callbackUrl },
    });
    props.data.bind(this.broadcaster, 'write');
    // PostToConnection only: POST on this stage's @connections.
    const connections = Stack.of(this).formatArn({
      service: 'execute-api',
      resource: this.api.apiId,
      resourceName: `${STAGE_NAME}/POST/@connections/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.broadcaster.addToRolePolicy(
      new PolicyStatement({ actions: ['execute-api:ManageConnections'], resources: [connections] }),
    );
    this.broadcaster.addEventSource(
      new DynamoEventSource(props.data.table, {
        startingPosition: StartingPosition.LATEST,
        filters: LIVE_STREAM_FILTERS.map((pattern) => FilterCriteria.filter(pattern)),
        batchSize: 100,
        // No batching window (it can only be whole seconds, and 1 s would delay a lone
        // change by that much): a shard's batches run one at a time, so while a push waits
        // for its event's window the shard's next changes pile up into one batch, and the
        // push window does the batching only when changes come fast.
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: 3,
        // A push always sends the state at its own time, so an old record is worth nothing.
        maxRecordAge: Duration.minutes(5),
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
    if (this.broadcaster.role) {
      const apiId = Stack.of(this).getLogicalId(this.api.node.defaultChild as never);
      Validations.of(this.broadcaster.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/${STAGE_NAME}/POST/@connections/*]`,
        reason:
          'Connection ids exist only at run time: POST to the connections of this stage only.',
      });
    }
  }
}
