import { Forbidden, NotFound, ValidationFailed } from './errors.js';
import { canManage } from './events.js';
import { loadVisibleOrder, requireCustomer } from './order-access.js';
import {
  type ListOrdersQuery,
  type MyOrdersQuery,
  type Order,
  type OrderView,
  toOrderView,
} from './order-model.js';
import type { OrderDeps, OrderListQuery } from './order-ports.js';
import type { Page } from './page.js';
import { isAdmin, type Principal } from './principal.js';

/** Reads of orders, each as its caller may see it: one order, a customer's, an event's. */
export class OrderQueries {
  constructor(
    private readonly deps: Pick<OrderDeps, 'orders' | 'events' | 'customers' | 'clock'>,
  ) {}

  async get(principal: Principal, orderId: string): Promise<OrderView> {
    return toOrderView(
      await loadVisibleOrder(this.deps.orders, principal, orderId),
      this.deps.clock.now(),
    );
  }

  async listMine(principal: Principal, query: MyOrdersQuery): Promise<Page<OrderView>> {
    const customer = requireCustomer(principal);
    const now = this.deps.clock.now();
    const page = await this.deps.orders.listByCustomer(customer.userId, {
      ...query,
      now: now.toISOString(),
    });
    return {
      items: page.items.map((order) => toOrderView(order, now)),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * An event's orders, for its organizer and admins; or one customer's orders across
   * events: all of them for an admin, an organizer only those on their own events.
   */
  async listOrders(principal: Principal, query: ListOrdersQuery): Promise<Page<OrderView>> {
    const caller = requireCustomer(principal);
    const now = this.deps.clock.now();
    const { eventId, customerEmail, ...filters } = query;
    const listQuery = { ...filters, now: now.toISOString() };
    let page: Page<Order>;
    if (eventId !== undefined) {
      page = await this.listEventOrders(principal, eventId, { ...listQuery, customerEmail });
    } else if (customerEmail !== undefined) {
      const customer = await this.deps.customers.getByEmail(customerEmail);
      if (!customer) return { items: [], nextCursor: null };
      // In the filter, not after the read, so every page and cursor counts only these.
      const organizerId = isAdmin(principal) ? undefined : caller.userId;
      page = await this.deps.orders.listByCustomer(customer.id, { ...listQuery, organizerId });
    } else {
      // The request schema refuses this already; callers that skip it get the same answer.
      throw new ValidationFailed('Give eventId or customerEmail', [
        { path: 'query.eventId', message: 'give eventId or customerEmail' },
      ]);
    }
    return {
      items: page.items.map((order) => toOrderView(order, now)),
      nextCursor: page.nextCursor,
    };
  }

  private async listEventOrders(
    principal: Principal,
    eventId: string,
    query: OrderListQuery,
  ): Promise<Page<Order>> {
    const event = await this.deps.events.get(eventId);
    if (!event || (event.status === 'DRAFT' && !canManage(principal, event))) {
      throw new NotFound(`Event ${eventId} not found`);
    }
    if (!canManage(principal, event)) {
      throw new Forbidden("Only the event's organizer and admins may list its orders");
    }
    return this.deps.orders.listByEvent(eventId, query);
  }
}
