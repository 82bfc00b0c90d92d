import { NotFound, Unauthenticated } from './errors.js';
import type { Order } from './order-model.js';
import type { OrderRepository } from './order-ports.js';
import { isAdmin, type Principal } from './principal.js';

/** The caller as an order's customer; anonymous callers may not touch orders. */
export function requireCustomer(principal: Principal): Order['customer'] {
  if (principal.userId === null || principal.email === null) {
    throw new Unauthenticated('Sign in to do this');
  }
  return { userId: principal.userId, email: principal.email, name: principal.name ?? '' };
}

/** Owner, the event's organizer and admins; everyone else learns nothing. */
export async function loadVisibleOrder(
  orders: Pick<OrderRepository, 'get'>,
  principal: Principal,
  orderId: string,
): Promise<Order> {
  requireCustomer(principal);
  const order = await orders.get(orderId);
  const visible =
    order &&
    (isAdmin(principal) ||
      order.customer.userId === principal.userId ||
      order.organizerId === principal.userId);
  if (!visible) throw new NotFound(`Order ${orderId} not found`);
  return order;
}

/** The order as stored now, strongly consistent; it must still exist. */
export async function reloadOrder(
  orders: Pick<OrderRepository, 'get'>,
  orderId: string,
): Promise<Order> {
  const order = await orders.get(orderId);
  if (!order) throw new NotFound(`Order ${orderId} not found`);
  return order;
}
