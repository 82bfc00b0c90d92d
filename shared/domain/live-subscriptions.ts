import type { Clock } from './clock.js';
import { NotFound } from './errors.js';
import { LIVE_LIMITS, type LiveMessage } from './live-availability.js';
import type { LiveRepository } from './live-ports.js';

/** Connections and what they follow: the WebSocket routes other than the pushes. */
export class LiveSubscriptions {
  constructor(
    private readonly repository: LiveRepository,
    private readonly clock: Clock,
  ) {}

  connect(connectionId: string): Promise<void> {
    return this.repository.addConnection(connectionId, this.connectionEnd());
  }

  disconnect(connectionId: string): Promise<void> {
    return this.repository.removeConnection(connectionId);
  }

  /**
   * Follows a published event (anyone may) and answers with its availability now.
   * The answer is read after the subscription is stored: a change committed before it
   * is in this read, and the push of any change after it finds the subscription (it
   * looks for followers strongly consistently once it has the change), so no change
   * falls between the two. Undefined when the connection has gone meanwhile.
   */
  async subscribe(connectionId: string, eventId: string): Promise<LiveMessage | undefined> {
    const before = await this.repository.availability(eventId);
    if (before?.status !== 'PUBLISHED') {
      throw new NotFound(`No published event ${eventId} to follow`);
    }
    if (!(await this.repository.subscribe(connectionId, eventId, this.connectionEnd()))) {
      return undefined;
    }
    const now = (await this.repository.availability(eventId)) ?? before;
    return { type: 'subscribed', eventId, ticketTypes: now.ticketTypes };
  }

  async unsubscribe(connectionId: string, eventId: string): Promise<LiveMessage> {
    await this.repository.unsubscribe(connectionId, eventId);
    return { type: 'unsubscribed', eventId };
  }

  /**
   * When a connection made now ends at the latest (epoch s). A subscription made later
   * gets the same span from its own start, a little past its connection's end: the
   * 410 of the first push after it removes it, and the TTL otherwise.
   */
  private connectionEnd(): number {
    return Math.floor(this.clock.now().getTime() / 1000) + LIVE_LIMITS.connectionSeconds;
  }
}
