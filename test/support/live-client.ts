/**
 * A WebSocket client of the live API for tests: it keeps every message with the time it
 * arrived, and waits for the next one that matches.
 */
import { WebSocket } from 'ws';

export interface Received {
  at: number;
  message: any;
}

export class LiveClient {
  readonly received: Received[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push({ at: performance.now(), message: JSON.parse(data.toString()) });
      for (const wake of this.waiters) wake();
    });
  }

  /** Connects to the gateway's `/live`, anonymously. */
  static connect(gatewayUrl: string): Promise<LiveClient> {
    const socket = new WebSocket(`${gatewayUrl.replace(/^http/, 'ws')}/live`);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new LiveClient(socket)));
      socket.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Sends a subscribe and returns the answer to it. */
  async subscribe(eventId: string): Promise<any> {
    const from = this.received.length;
    this.send({ action: 'subscribe', eventId });
    return (await this.next((m) => m.type === 'subscribed' || m.type === 'error', { from }))
      .message;
  }

  /**
   * The first message from index `from` on (default: any not yet looked at by position)
   * that matches, waiting up to `timeoutMs` for it.
   */
  next(
    matches: (message: any) => boolean,
    { from = 0, timeoutMs = 5_000 }: { from?: number; timeoutMs?: number } = {},
  ): Promise<Received> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.received.slice(from).find(({ message }) => matches(message));
        if (!found) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(
          new Error(
            `no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages())}`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  messages(type?: string): any[] {
    return this.received
      .map(({ message }) => message)
      .filter((message) => type === undefined || message.type === type);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
