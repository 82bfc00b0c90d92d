/**
 * 1b. The same N holds against a second hot event, through OrderLifecycle.hold in this
 * process: the event read and the transaction, no HTTP and no authorizer. It splits the
 * gap between a hold and a raw update in two, and has its own oversell check.
 */

import { SoldOut } from '../../shared/domain/errors.js';
import type { OrderLifecycle } from '../../shared/domain/order-lifecycle.js';
import { createEvent } from '../api.js';
import type { BenchContext } from '../context.js';
import { type CpuReport, cpuLine } from '../cpu.js';
import { measureCpu, otherKinds, type Phase, type PhaseSummary, phaseSummary } from '../measure.js';
import { type OversellCheck, oversellCheck, verdict } from '../oversell.js';
import { fmt, fmtLatency } from '../stats.js';
import { withClient } from '../stop.js';
import type { Actor } from '../users.js';

export interface InProcessHolds {
  phase: Phase;
  summary: PhaseSummary;
  cpu: CpuReport;
  check: OversellCheck;
}

export async function inProcessHolds(
  ctx: BenchContext,
  orders: Pick<OrderLifecycle, 'hold'>,
  organizerToken: string,
  customers: readonly Actor[],
): Promise<InProcessHolds> {
  const { options } = ctx;
  console.log(
    `\n1b. ${options.buyers} holds through OrderLifecycle.hold in-process (no HTTP, no authorizer)`,
  );
  const event = await withClient(ctx.apiUrl, 1, (http) =>
    createEvent(http, organizerToken, 'Bench hot event, in-process', options.capacity),
  );
  const { phase, cpu } = await measureCpu(
    ctx.measure,
    ctx.javaPid,
    'in-process holds',
    options.buyers,
    async (index) => {
      const customer = customers[index] as Actor;
      try {
        await orders.hold(
          {
            userId: customer.id,
            email: customer.email,
            name: `Buyer ${index}`,
            roles: ['customer'],
          },
          event.eventId,
          { items: [{ ticketTypeId: event.ticketTypeId, quantity: 1 }] },
        );
        return { outcome: 'held' };
      } catch (error) {
        if (error instanceof SoldOut) return { outcome: 'soldOut' };
        throw error;
      }
    },
  );
  const summary = phaseSummary(phase);
  const check = await oversellCheck(ctx.client, ctx.tableName, event, options, phase.counts.held);
  return { phase, summary, cpu, check };
}

export function inProcessHoldsLines({ phase, summary, cpu, check }: InProcessHolds): string[] {
  return [
    '1b. IN-PROCESS holds: OrderLifecycle.hold (event read + the 3-item transaction); no HTTP, no authorizer',
    `   answers: held ${phase.counts.held} | SoldOut ${phase.counts.soldOut} | other ${phase.counts.other}${otherKinds(phase)}`,
    `   holds/s ${fmt(summary.successesPerSecond)} | latency held: ${fmtLatency(summary.latencyMs.success)} | sold out: ${fmtLatency(summary.latencyMs.rejected)}`,
    `   ${cpuLine(cpu, phase.samples.length)}`,
    `   oversell check: available ${check.found.available}, held ${check.found.held}, orders ${check.found.ordersInTable} → ${verdict(check)}`,
  ];
}
