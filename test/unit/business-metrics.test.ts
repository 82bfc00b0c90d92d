import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler as expireHold } from '../../functions/expire-hold.js';
import type { BusinessMetrics } from '../../shared/domain/metrics-port.js';
import type { OrderLifecycle } from '../../shared/domain/order-lifecycle.js';
import { OrderSweep } from '../../shared/domain/order-sweep.js';
import { customerContext } from '../support/events-fixtures.js';
import { expectProblem, invoke } from '../support/invoke.js';
import {
  domainOrder,
  storedEventItems,
  storedOrderItem,
  transactionCanceled,
} from '../support/orders-fixtures.js';

/*
 * What the functions write for CloudWatch: EMF lines on stdout, one per invocation that
 * counted something, read back here as CloudWatch would parse them.
 */

// Before the handlers' modules load: unit-setup turns metrics off for every other file.
vi.hoisted(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
});

const ddb = mockClient(DynamoDBDocumentClient);
const scheduler = mockClient(SchedulerClient);
const sqs = mockClient(SQSClient);
const TABLE = 'unit-test-table';

interface EmfLine {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
  };
  [key: string]: unknown;
}

let written: string[] = [];
beforeEach(() => {
  ddb.reset();
  scheduler.reset();
  sqs.reset();
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  written = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** The EMF lines written, parsed. */
const emitted = (): EmfLine[] =>
  written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfLine);

/** Each metric's values across the lines written: `{ HoldsCreated: [1] }`. */
function metricValues(): Record<string, unknown[]> {
  const values: Record<string, unknown[]> = {};
  for (const line of emitted()) {
    for (const { Name } of line._aws.CloudWatchMetrics.flatMap((set) => set.Metrics)) {
      values[Name] = [...(values[Name] ?? []), line[Name]];
    }
  }
  return values;
}

function onSale() {
  const event = storedEventItems();
  ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [event.meta, event.inventory] } });
  return () =>
    invoke('POST', `/v1/events/${event.id}/orders`, {
      as: customerContext(),
      body: { items: [{ ticketTypeId: 'tt-ga', quantity: 2 }] },
    });
}

describe('business metrics of an API request', () => {
  it('a hold writes one line: HoldsCreated 1, namespace Ticketing, by service', async () => {
    const send = onSale();
    ddb.on(TransactWriteCommand).resolves({});

    expect((await send()).status).toBe(201);

    const [line, ...more] = emitted();
    expect(more).toEqual([]);
    expect(line?._aws.CloudWatchMetrics).toEqual([
      {
        Namespace: 'Ticketing',
        Dimensions: [['service']],
        Metrics: [expect.objectContaining({ Name: 'HoldsCreated', Unit: 'Count' })],
      },
    ]);
    expect(line).toMatchObject({ service: 'ticketing', HoldsCreated: 1 });
  });

  it('a sold-out answer (409) counts SoldOut and no hold', async () => {
    const send = onSale();
    ddb
      .on(TransactWriteCommand)
      .rejects(
        transactionCanceled(
          { Code: 'ConditionalCheckFailed', Item: { status: { S: 'PUBLISHED' } } },
          'None',
          'None',
        ),
      );

    expectProblem(await send(), 409, 'SOLD_OUT');

    expect(metricValues()).toEqual({ SoldOut: [1] });
  });

  it('a hold that keeps losing to other buyers (409 CONCURRENT_MODIFICATION) counts a conflict', async () => {
    const send = onSale();
    ddb
      .on(TransactWriteCommand)
      .rejects(transactionCanceled('TransactionConflict', 'None', 'None'));

    expectProblem(await send(), 409, 'CONCURRENT_MODIFICATION');

    expect(metricValues()).toEqual({ Conflicts: [1] });
  });

  it('a request that counts nothing writes nothing', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });

    expectProblem(await invoke('GET', '/v1/events/01J0000000000000000000000A'), 404, 'NOT_FOUND');

    expect(written.join('')).toBe('');
  });
});

describe('business metrics of a job', () => {
  it('an expiry counts HoldsExpired, flushed when the invocation ends', async () => {
    const order = storedOrderItem({ status: 'HELD', expiresAt: '2020-01-01T00:10:00.000Z' });
    ddb.on(GetCommand).resolves({ Item: order });
    const event = storedEventItems({ id: order.eventId as string });
    ddb.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [event.meta, event.inventory] } });
    ddb.on(TransactWriteCommand).resolves({});

    expect(await expireHold({ orderId: order.id })).toEqual({ expired: true });

    expect(metricValues()).toEqual({ HoldsExpired: [1] });
  });
});

describe('the sweep', () => {
  const recorded: { event: string; value: number }[] = [];
  const metrics: BusinessMetrics = {
    count: (event, times = 1) => recorded.push({ event, value: times }),
    seconds: (event, value) => recorded.push({ event, value }),
  };
  const now = new Date('2030-01-01T12:00:00.000Z');

  function sweepOver(due: ReturnType<typeof domainOrder>[]) {
    recorded.length = 0;
    const lifecycle = {
      expireHold: async () => true,
      handover: { handOverDue: async () => 0 },
    } as unknown as OrderLifecycle;
    const orders = { dueForExpiry: async () => due };
    const outbox = { relayPending: async () => 0 };
    return new OrderSweep(
      { orders, outbox, clock: { now: () => now }, onRecoverableError: () => {}, metrics } as never,
      lifecycle,
    ).sweep();
  }

  it('reports the age of the oldest overdue hold it finds, in seconds', async () => {
    await sweepOver([
      domainOrder({ status: 'HELD', expiresAt: '2030-01-01T11:53:00.000Z' }),
      domainOrder({ status: 'PAYING', expiresAt: '2030-01-01T11:00:00.000Z' }),
      domainOrder({ status: 'HELD', expiresAt: '2030-01-01T11:59:30.000Z' }),
    ]);

    expect(recorded).toContainEqual({ event: 'OverdueHoldAge', value: 420 });
  });

  it('reports 0 when no hold is overdue, so the alarm sees the sweep is keeping up', async () => {
    await sweepOver([]);

    expect(recorded).toEqual([{ event: 'OverdueHoldAge', value: 0 }]);
  });
});
