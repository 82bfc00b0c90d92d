/**
 * The fan-out scenario's WebSocket followers: each connects to the gateway's `/live`,
 * anonymously as a client may, subscribes to the hot event and keeps every availability
 * it hears with the time it arrived (one `performance.now()` clock with the holds').
 */
import { WebSocket } from 'ws';
import { runPool } from './pool.js';
import { progress } from './progress.js';
import { stopRequested } from './stop.js';

export interface Heard {
  at: number;
  available: number;
}

export interface Follower {
  /** The availability its `subscribed` answer gave. */
  subscribed: number;
  /** Every `availability` message after it, in arrival order. */
  heard: Heard[];
  /** From opening the socket to the `subscribed` answer. */
  subscribeMs: number;
}

const availableOf = (message: { ticketTypes?: { id: string; available: number }[] }, id: string) =>
  message.ticketTypes?.find((type) => type.id === id)?.available;

function follow(
  url: string,
  eventId: string,
  ticketTypeId: string,
): Promise<[Follower, WebSocket]> {
  const started = performance.now();
  const socket = new WebSocket(url);
  return new Promise((resolve, reject) => {
    const follower: Follower = { subscribed: Number.NaN, heard: [], subscribeMs: Number.NaN };
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ action: 'subscribe', eventId })));
    socket.on('message', (data) => {
      const at = performance.now();
      const message = JSON.parse(data.toString()) as {
        type: string;
        ticketTypes?: { id: string; available: number }[];
      };
      const available = availableOf(message, ticketTypeId);
      if (message.type === 'subscribed' && available !== undefined) {
        follower.subscribed = available;
        follower.subscribeMs = at - started;
        resolve([follower, socket]);
      } else if (message.type === 'availability' && available !== undefined) {
        follower.heard.push({ at, available });
      } else if (message.type === 'error') {
        reject(new Error(`subscribe refused: ${data.toString()}`));
      }
    });
  });
}

export interface Followers {
  followers: Follower[];
  /** Closes every socket; their $disconnect runs on the server. */
  close(): void;
}

/** `count` followers of the event, `concurrency` connecting at a time. */
export async function connectFollowers(
  apiUrl: string,
  options: {
    count: number;
    concurrency: number;
    eventId: string;
    ticketTypeId: string;
    progress: 'bar' | 'lines';
  },
): Promise<Followers> {
  const url = `${apiUrl.replace(/^http/, 'ws')}/live`;
  const followers: Follower[] = [];
  const sockets: WebSocket[] = [];
  const bar = progress(options.progress, 'followers', options.count);
  await runPool(
    options.count,
    options.concurrency,
    async () => {
      const [follower, socket] = await follow(url, options.eventId, options.ticketTypeId);
      followers.push(follower);
      sockets.push(socket);
      bar.tick(followers.length);
    },
    stopRequested,
  );
  bar.stop();
  return {
    followers,
    close: () => {
      for (const socket of sockets) socket.close();
    },
  };
}
