import type { ExpiryScheduler } from '../domain/order-ports.js';
import { localBus } from './local-bus.js';

/** Locally, local/start.ts runs the same expiry handler on time for each published wake-up. */
export class LocalExpiryScheduler implements ExpiryScheduler {
  async scheduleExpiry(orderId: string, at: string): Promise<void> {
    localBus.emit('schedule', { orderId, at });
  }
}
