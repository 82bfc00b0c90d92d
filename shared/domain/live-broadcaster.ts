import type { Clock } from './clock.js';
import {
  afterRefusal,
  LIVE_LIMITS,
  type LiveChange,
  type PendingPush,
  pendingPushes,
  pushMessages,
} from './live-availability.js';
import type { ConnectionGateway, LiveRepository } from './live-ports.js';

export interface LiveBroadcasterDeps {
  repository: LiveRepository;
  connections: ConnectionGateway;
  clock: Clock;
  /** Unique per push: only the push holding the lease may end it. */
  newToken: () => string;
  sleep: (ms: number) => Promise<void>;
  onRecoverableError: (message: string, error: unknown) => void;
}

/** One stream batch as the broadcaster takes it. */
export interface StreamBatch<Ref> {
  changes: readonly { change: LiveChange; ref: Ref }[];
  /** When the batch arrived (epoch ms): after every one of its records was committed. */
  receivedAt: number;
  /**
   * When the invocation ends (epoch ms). A push holds its lease until then, so no other
   * push of its event can start while it may still be sending.
   */
  deadline: number;
}

/** A push could not start before the invocation's deadline. */
export class PushWindowMissed extends Error {}

/** A push reached some followers but not all; the stream delivers the batch again. */
export class PostsFailed extends AggregateError {}

/**
 * Pushes what a batch of the table's stream changed to the followers of each event in
 * it: one push per event per batch, at most one push per window per event across
 * batches (see `afterRefusal` for why the last push is always current).
 */
export class LiveBroadcaster {
  constructor(private readonly deps: LiveBroadcasterDeps) {}

  /**
   * The references of the first change of each event whose push failed: the stream
   * delivers the batch again from the earliest, and a repeated push only repeats the
   * current state.
   */
  async broadcast<Ref>(batch: StreamBatch<Ref>): Promise<Ref[]> {
    const failed: Ref[] = [];
    await Promise.all(
      [...pendingPushes(batch.changes)].map(async ([eventId, push]) => {
        try {
          await this.pushWhenDue(eventId, push, batch);
        } catch (error) {
          this.deps.onRecoverableError(`Live push of event ${eventId} failed; retried`, error);
          failed.push(push.firstRef);
        }
      }),
    );
    return failed;
  }

  private async pushWhenDue<Ref>(
    eventId: string,
    push: PendingPush<Ref>,
    batch: StreamBatch<Ref>,
  ): Promise<void> {
    const { repository, sleep } = this.deps;
    // Whom to tell, read once the batch is here: its changes were committed before, so a
    // follower who subscribes after this read reads the event after storing the
    // subscription, and its `subscribed` has them. Nobody to tell: nothing to claim.
    const followers = await repository.followers(eventId, this.nowSeconds());
    if (followers.length === 0) return;
    for (;;) {
      const now = this.now();
      const token = this.deps.newToken();
      const claim = await repository.claimPush(eventId, {
        token,
        now,
        leaseUntil: batch.deadline,
      });
      if (claim.claimed) {
        try {
          await this.push(eventId, push, followers);
        } finally {
          await repository.endPush(eventId, token, this.now());
        }
        return;
      }
      const next = afterRefusal(
        claim.window,
        { seats: push.seats.size, receivedAt: batch.receivedAt },
        now,
      );
      if ('covered' in next) return;
      if (now + next.retryInMs > batch.deadline - LIVE_LIMITS.pushBudgetMs) {
        throw new PushWindowMissed(`No push window for event ${eventId} before the deadline`);
      }
      await sleep(next.retryInMs);
    }
  }

  /** Reads the current availability, then tells every follower; drops those gone. */
  private async push<Ref>(
    eventId: string,
    push: PendingPush<Ref>,
    followers: readonly string[],
  ): Promise<void> {
    const { repository, connections } = this.deps;
    const availability = push.availability ? await repository.availability(eventId) : null;
    const messages = pushMessages(eventId, availability, push.seats);
    if (messages.length === 0) return;
    const errors: unknown[] = [];
    let next = 0;
    const worker = async () => {
      while (next < followers.length) {
        const connectionId = followers[next++] as string;
        try {
          for (const message of messages) {
            if ((await connections.post(connectionId, message)) === 'gone') {
              await repository.removeConnection(connectionId);
              break;
            }
          }
        } catch (error) {
          errors.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: LIVE_LIMITS.postsInFlight }, worker));
    if (errors.length > 0) {
      throw new PostsFailed(errors, `${errors.length} of ${followers.length} posts failed`);
    }
  }

  private now(): number {
    return this.deps.clock.now().getTime();
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
