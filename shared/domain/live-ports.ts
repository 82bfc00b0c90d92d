import type { EventAvailability, LiveMessage, PushWindow } from './live-availability.js';

/** Persistence port for live availability: connections, followers and push windows. */
export interface LiveRepository {
  /** A connection API Gateway has accepted; its items expire at `expiresAt` (epoch s). */
  addConnection(connectionId: string, expiresAt: number): Promise<void>;
  /** The connection and every subscription it has; nothing when it is gone already. */
  removeConnection(connectionId: string): Promise<void>;
  /** Follows the event; false when the connection is gone (it has no item any more). */
  subscribe(connectionId: string, eventId: string, expiresAt: number): Promise<boolean>;
  unsubscribe(connectionId: string, eventId: string): Promise<void>;
  /** The event's status and ticket types, strongly consistent; null for no such event. */
  availability(eventId: string): Promise<EventAvailability | null>;
  /**
   * The connections following the event, strongly consistent: a subscription stored
   * before this call is seen (see `LiveSubscriptions.subscribe`). Past-TTL items left out.
   */
  followers(eventId: string, nowSeconds: number): Promise<string[]>;
  /**
   * Starts a push of the event at `now` holding the lease until `leaseUntil` (epoch ms),
   * if the window is open (see `PushWindow`); otherwise the window as it stood.
   */
  claimPush(
    eventId: string,
    claim: { token: string; now: number; leaseUntil: number },
  ): Promise<{ claimed: true } | { claimed: false; window: PushWindow }>;
  /** Ends the push of `token` at `endedAt`, releasing its lease; nothing if it lost it. */
  endPush(eventId: string, token: string, endedAt: number): Promise<void>;
}

/** API Gateway's management API: sends a message down one WebSocket connection. */
export interface ConnectionGateway {
  /** `gone`: the connection has closed (410 on AWS); anything else that fails throws. */
  post(connectionId: string, message: LiveMessage): Promise<'sent' | 'gone'>;
}
