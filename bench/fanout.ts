/**
 * `npm run bench -- --scenario fanout`: S WebSocket followers of one hot event while it
 * sells out over HTTP, and proof that each of them ends on the final availability. Runs
 * on the stack `holds.ts` started (with the reader of the table's stream), in order:
 *
 *   setup      organizer, N customers with tokens, the hot event with C tickets
 *   followers  S anonymous sockets on /live, each subscribed to the hot event
 *   holds      N POST /v1/events/{id}/orders (quantity 1) over HTTP until it sells out
 *   settle     until every follower heard the final state, or 5 s
 *
 * Then per follower: how many availability messages it got, the most in any second, and
 * for every 201 how long after it the follower first heard a state that includes it.
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { eventKeys } from '../shared/db/table.js';
import { classifyHold, createEvent, holdRequest } from './api.js';
import type { BenchContext } from './context.js';
import { connectFollowers, type Follower } from './followers.js';
import type { Phase } from './measure.js';
import { createActors } from './phases/setup.js';
import { type Machine, resultsFile } from './report.js';
import { fmt, percentile, round, summarize } from './stats.js';
import { checkStop, withClient } from './stop.js';

/** Followers connecting at once: as many clients opening the page together. */
const CONNECT_CONCURRENCY = 50;
/** How long the followers get to hear the final state once the last hold is answered. */
const SETTLE_MS = 5_000;

/**
 * For each 201 (in time order), how long until the follower first heard a state that
 * includes it: any state read after the holds answered by then were committed shows at
 * most `capacity − (201s by then)` left. During a sell-out `available` only falls, so
 * one pass over both lists finds each. A follower that heard it before the buyer got the
 * 201 counts 0; one that never heard it is left out and shows in the final-state check.
 */
function delays(follower: Follower, capacity: number, held: readonly number[]): number[] {
  const found: number[] = [];
  let next = 0;
  for (const [index, at] of held.entries()) {
    const atMost = capacity - (index + 1);
    while (next < follower.heard.length && (follower.heard[next]?.available ?? 0) > atMost) next++;
    const heard = follower.heard[next];
    if (!heard) break;
    found.push(Math.max(0, heard.at - at));
  }
  return found;
}

/** The most messages the follower got within any one second. */
function busiestSecond(follower: Follower): number {
  let most = 0;
  let first = 0;
  for (let last = 0; last < follower.heard.length; last++) {
    const end = follower.heard[last]?.at ?? 0;
    while ((follower.heard[first]?.at ?? 0) <= end - 1000) first++;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

const lastHeard = (follower: Follower): number =>
  follower.heard.at(-1)?.available ?? follower.subscribed;

export async function fanoutScenario(
  ctx: BenchContext,
  run: { startedAt: Date; machine: Machine },
): Promise<number> {
  const { options } = ctx;
  const setupStarted = performance.now();
  const { customers, hot } = await withClient(
    ctx.apiUrl,
    options.setupConcurrency,
    async (http) => {
      const actors = await createActors(http, options, options.buyers);
      const event = await createEvent(
        http,
        actors.organizer.token,
        'Bench fan-out',
        options.capacity,
      );
      return { customers: actors.customers, hot: event };
    },
  );
  console.log(`Setup done in ${fmt((performance.now() - setupStarted) / 1000)} s`);
  checkStop();

  console.log(`\nFollowers: ${options.subscribers} sockets subscribe to the hot event`);
  const connectStarted = performance.now();
  const { followers, close } = await connectFollowers(ctx.apiUrl, {
    count: options.subscribers,
    concurrency: CONNECT_CONCURRENCY,
    eventId: hot.eventId,
    ticketTypeId: hot.ticketTypeId,
    progress: options.progress,
  });
  const connectMs = performance.now() - connectStarted;
  checkStop();

  try {
    console.log(`\nHolds: ${options.buyers} over HTTP, ${options.concurrency} in flight`);
    const held: number[] = [];
    const phase: Phase = await withClient(ctx.apiUrl, options.concurrency, (http) =>
      ctx.measure('holds', options.buyers, async (index) => {
        const token = customers[index]?.token as string;
        const answer = classifyHold(await holdRequest(http, hot, token, false));
        if (answer.outcome === 'held') held.push(performance.now());
        return answer;
      }),
    );
    const lastAnswerAt = performance.now();
    const { Item: inventory } = await ctx.client.send(
      new GetCommand({
        TableName: ctx.tableName,
        Key: eventKeys.inventory(hot.eventId),
        ConsistentRead: true,
      }),
    );
    const stock = (inventory?.ticketTypes ?? {}) as Record<string, { available: number }>;
    const final = stock[hot.ticketTypeId]?.available ?? Number.NaN;
    while (
      performance.now() - lastAnswerAt < SETTLE_MS &&
      followers.some((follower) => lastHeard(follower) !== final)
    ) {
      await sleep(50);
    }
    const settledMs = performance.now() - lastAnswerAt;

    const counts = followers.map((follower) => follower.heard.length).sort((a, b) => a - b);
    const allDelays = followers.flatMap((follower) => delays(follower, options.capacity, held));
    const delay = summarize(allDelays);
    const wrong = followers.filter((follower) => lastHeard(follower) !== final);
    const pass = followers.length === options.subscribers && wrong.length === 0;
    const soldOutMs = phase.lastSuccessMs;
    const results = {
      followers: followers.length,
      connectMs: round(connectMs),
      subscribeMs: summarize(followers.map((follower) => follower.subscribeMs)),
      answers: phase.counts,
      otherByKind: phase.otherByKind,
      soldOutMs: round(soldOutMs),
      messagesPerFollower: {
        min: counts[0] ?? 0,
        median: percentile(counts, 50),
        max: counts.at(-1) ?? 0,
      },
      busiestSecond: Math.max(0, ...followers.map(busiestSecond)),
      delayMs: delay,
      delayPairs: { heard: allDelays.length, expected: held.length * followers.length },
      finalAvailable: final,
      settledMs: round(settledMs),
      followersOnFinalState: followers.length - wrong.length,
      pass,
    };
    const jsonFile = resultsFile(options, run.startedAt, 'fanout', 'json');
    writeFileSync(
      jsonFile,
      `${JSON.stringify(
        { startedAt: run.startedAt.toISOString(), options, machine: run.machine, ...results },
        null,
        2,
      )}\n`,
    );
    console.log(
      [
        '',
        '================ RESULTS ================',
        `FAN-OUT (S=${options.subscribers} followers, N=${options.buyers} buyers, C=${options.capacity}, ${options.concurrency} in flight)`,
        `   followers: ${followers.length} subscribed in ${fmt(connectMs / 1000, 2)} s (${CONNECT_CONCURRENCY} connecting at a time; subscribe p50 ${fmt(results.subscribeMs.p50)} ms, p99 ${fmt(results.subscribeMs.p99)} ms)`,
        `   holds: 201 held ${phase.counts.held} | 409 SOLD_OUT ${phase.counts.soldOut} | other ${phase.counts.other}; the last 201 after ${fmt(soldOutMs / 1000, 2)} s`,
        `   messages per follower (availability): min ${results.messagesPerFollower.min} | median ${results.messagesPerFollower.median} | max ${results.messagesPerFollower.max}; most in any one second: ${results.busiestSecond}`,
        `   delay from a 201 to a follower hearing it: p50 ${fmt(delay.p50)} ms, p99 ${fmt(delay.p99)} ms, max ${fmt(delay.max)} ms (${allDelays.length} of ${held.length} × ${followers.length} heard)`,
        `   FINAL-STATE CHECK: available ${final} (strongly consistent read); ${results.followersOnFinalState} of ${options.subscribers} followers' last message says so (settled ${fmt(settledMs)} ms after the last answer)`,
        `   ${pass ? 'PASS' : `FAIL: ${wrong.length + options.subscribers - followers.length} followers not on the final state`}`,
        '',
        `Results: ${jsonFile}`,
      ].join('\n'),
    );
    return pass ? 0 : 1;
  } finally {
    close();
  }
}
