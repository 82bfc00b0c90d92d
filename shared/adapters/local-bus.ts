import { EventEmitter } from 'node:events';
import type { EmailMessage } from '../domain/email-model.js';

/** What the local scheduler and queue adapters publish; local/start.ts delivers it. */
export interface LocalBusEvents {
  /** Run the expiry handler for this order at `at` (ISO). */
  schedule: [{ orderId: string; at: string }];
  /** Deliver this message body to the email handler, as SQS would. */
  email: [EmailMessage];
}

/**
 * The in-process stand-in for EventBridge Scheduler and SQS. One per process: the
 * local gateway runs every handler in the same process, so they all share it.
 */
export const localBus = new EventEmitter<LocalBusEvents>();
