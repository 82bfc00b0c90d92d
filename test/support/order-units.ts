import { EventCancellation } from '../../shared/domain/event-cancellation.js';
import { OrderLifecycle } from '../../shared/domain/order-lifecycle.js';
import type { OrderDeps } from '../../shared/domain/order-ports.js';
import { OrderQueries } from '../../shared/domain/order-queries.js';
import { OrderSweep } from '../../shared/domain/order-sweep.js';

/**
 * The four order units wired as the composition wires them, with their entry points
 * gathered in one object, so a test drives a scenario across them (hold, pay, sweep,
 * cancel the event) through one name.
 */
export function orderUnits(deps: OrderDeps) {
  const lifecycle = new OrderLifecycle(deps);
  const queries = new OrderQueries(deps);
  const sweep = new OrderSweep(deps, lifecycle);
  const cancellation = new EventCancellation(deps, lifecycle);
  return {
    hold: lifecycle.hold.bind(lifecycle),
    pay: lifecycle.pay.bind(lifecycle),
    cancel: lifecycle.cancel.bind(lifecycle),
    expire: lifecycle.expire.bind(lifecycle),
    get: queries.get.bind(queries),
    listMine: queries.listMine.bind(queries),
    listOrders: queries.listOrders.bind(queries),
    sweep: sweep.sweep.bind(sweep),
    cancelEvent: cancellation.cancelEvent.bind(cancellation),
    finishCancellations: cancellation.finishCancellations.bind(cancellation),
  };
}

export type OrderUnits = ReturnType<typeof orderUnits>;
