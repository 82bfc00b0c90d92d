import { type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AttributeType,
  Billing,
  ProjectionType,
  StreamViewType,
  TableV2,
} from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  auditKeys,
  idempotencyTable,
  rateLimitKeys,
  readinessProbeKey,
  table,
} from '../../shared/db/table.js';
import { projectionOf } from '../../shared/db/table-inputs.js';
import { ENV } from '../../shared/env.js';

/** What the functions do with the table: keyed reads, Queries of its indexes, and writes. */
const TABLE_READS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
] as const;
const TABLE_WRITES = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/** The single table, shaped by the key-design module in shared/db/table.ts. */
export class DataTable extends Construct {
  readonly table: TableV2;
  readonly idempotency: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: table.partitionKey, type: AttributeType.STRING },
      sortKey: { name: table.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: table.timeToLiveAttribute,
      dynamoStream: StreamViewType[table.streamViewType],
      deletionProtection: true,
      // Paid orders live here: never delete the data with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: Object.values(table.globalSecondaryIndexes).map((gsi) => {
        const projection = projectionOf(gsi);
        return {
          indexName: gsi.indexName,
          partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
          sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
          projectionType: ProjectionType[projection.ProjectionType],
          ...(projection.NonKeyAttributes && { nonKeyAttributes: projection.NonKeyAttributes }),
        };
      }),
    });
    this.idempotency = new TableV2(this, 'Idempotency', {
      partitionKey: { name: idempotencyTable.partitionKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      timeToLiveAttribute: idempotencyTable.timeToLiveAttribute,
      // A restore after a bad write keeps replays answering as before within their 24 hours.
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Only replays of the last 24 hours live here; losing them costs no order.
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /** Lets a function keep Idempotency-Key records (Powertools' schema, TTL 24 h). */
  bindIdempotency(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.idempotencyTableName, this.idempotency.tableName);
    this.idempotency.grant(
      fn,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
  }

  /**
   * Lets a function count its callers' requests in the rate-limit windows: GetItem and
   * UpdateItem of `RATE#…` partitions only, whatever else it may do with the table.
   */
  bindRateLimits(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.tableName, this.table.tableName);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [this.table.tableArn],
        conditions: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': [`${rateLimitKeys.partitionPrefix}*`],
          },
        },
      }),
    );
  }

  /**
   * The audit consumer's access: PutItem of audit records and GetItem of deletion markers,
   * each on its own key prefix alone (no index, no other item, no update or delete).
   */
  bindAuditRecorder(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.tableName, this.table.tableName);
    for (const [action, prefix] of [
      ['dynamodb:PutItem', auditKeys.recordPrefix],
      ['dynamodb:GetItem', auditKeys.deletionPrefix],
    ] as const) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: [action],
          resources: [this.table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${prefix}*`] } },
        }),
      );
    }
  }

  /**
   * Names the table to the function and grants exactly the access it declares. `probe`
   * is GetItem of the readiness probe key alone (no index, no other partition).
   */
  bind(fn: LambdaFunction, access: 'probe' | 'read' | 'write'): void {
    fn.addEnvironment(ENV.tableName, this.table.tableName);
    if (access === 'probe') {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:GetItem'],
          resources: [this.table.tableArn],
          conditions: {
            'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [readinessProbeKey.pk] },
          },
        }),
      );
      return;
    }
    // No Scan (nothing here scans) and no stream reads (the stream consumers' own grants).
    this.table.grant(fn, ...TABLE_READS, ...(access === 'write' ? TABLE_WRITES : []));
    if (fn.role) {
      const tableId = Stack.of(this).getLogicalId(this.table.node.defaultChild as CfnElement);
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        reason: "Queries on this table's own GSIs; scoped to the table.",
      });
    }
  }
}
