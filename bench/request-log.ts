/**
 * Every request of a seated phase, timed and labelled with its answer. A seated buyer
 * makes several requests (map pages, holds that lose a seat and try again), so the
 * phase's latencies and counts are per request here, where `measure` has one per buyer.
 */
import type { Reply } from './http.js';
import { round, summarize } from './stats.js';

export type RequestKind = 'map' | 'hold';

interface LoggedRequest {
  kind: RequestKind;
  /** ms since the log started, when the answer (or the error) arrived. */
  end: number;
  ms: number;
  /** `201`, `409 SEAT_UNAVAILABLE`, …, or the error's name when there was no answer. */
  answer: string;
}

/** `<status> <code>` of an answer, or just the status when the body has no code. */
export function answerOf(reply: Reply): string {
  const code =
    typeof reply.body === 'object' && reply.body !== null
      ? (reply.body as { code?: string }).code
      : undefined;
  return `${reply.status} ${code ?? ''}`.trim();
}

export class RequestLog {
  readonly requests: LoggedRequest[] = [];
  private readonly started = performance.now();

  /** Sends one request through `send` and logs it; errors are logged, then rethrown. */
  async time(kind: RequestKind, send: () => Promise<Reply>): Promise<Reply> {
    const begin = performance.now();
    const log = (answer: string) => {
      const end = performance.now();
      this.requests.push({ kind, end: end - this.started, ms: end - begin, answer });
    };
    try {
      const reply = await send();
      log(answerOf(reply));
      return reply;
    } catch (error) {
      log((error as Error).name || 'Error');
      throw error;
    }
  }

  count(kind: RequestKind, answer?: string): number {
    return this.requests.filter(
      (r) => r.kind === kind && (answer === undefined || r.answer === answer),
    ).length;
  }

  /** Requests of `kind` by answer, with the latency of each answer. */
  byAnswer(kind: RequestKind) {
    const answers = new Map<string, number[]>();
    for (const request of this.requests) {
      if (request.kind !== kind) continue;
      const latencies = answers.get(request.answer) ?? [];
      latencies.push(request.ms);
      answers.set(request.answer, latencies);
    }
    return Object.fromEntries(
      [...answers]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([answer, latencies]) => [answer, summarize(latencies)]),
    );
  }

  /** `[ms since start, latency ms, kind, answer]` per request, for the results file. */
  samples(): [number, number, RequestKind, string][] {
    return this.requests.map((r) => [round(r.end), round(r.ms, 2), r.kind, r.answer]);
  }
}
