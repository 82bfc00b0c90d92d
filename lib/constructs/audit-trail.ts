import { Duration } from 'aws-cdk-lib';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { AUDIT_STREAM_FILTERS } from '../../shared/db/entities/audit-changes.js';
import type { DataTable } from './data-table.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { ProjectFunction } from './project-function.js';

/**
 * The audit consumer on the table's stream: one record per change of an event, order,
 * waitlist entry or user, written off the hot path. Its own event source mapping, so
 * neither it nor the live broadcaster waits for the other.
 */
export class AuditTrail extends Construct {
  readonly recorder: ProjectFunction;
  readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: { data: DataTable }) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'AuditDeadLetters');
    this.recorder = new ProjectFunction(this, 'Recorder', {
      handler: 'audit-record',
      description:
        'Records each change of an event, order, waitlist entry or user from the table stream',
      timeout: Duration.seconds(30),
    });
    props.data.bindAuditRecorder(this.recorder);
    this.recorder.addEventSource(
      new DynamoEventSource(props.data.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        filters: AUDIT_STREAM_FILTERS.map((pattern) => FilterCriteria.filter(pattern)),
        batchSize: 100,
        // A second of batching: records may lag that much, and a busy sale takes far
        // fewer invocations.
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        // Every change must be recorded: retried until the stream's 24 hours run out, then
        // the batch's position goes to the DLQ for a replay.
        retryAttempts: 10,
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
  }
}
