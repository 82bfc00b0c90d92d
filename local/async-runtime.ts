import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { localBus } from '../shared/adapters/local-bus.js';
import type { EmailMessage } from '../shared/domain/email-model.js';
import { localContext, sqsRecord } from './api-event.js';

/** As the stack's email queue: a message is tried this often, then dead-lettered. */
const MAX_RECEIVES = 5;
const SWEEP_INTERVAL_MS = 60_000;

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export interface LocalAsyncRuntime {
  /** Messages that failed MAX_RECEIVES times, as the DLQ would hold them. */
  deadLetters: EmailMessage[];
  stop(): void;
}

/**
 * The local stand-in for EventBridge Scheduler, the minute sweep and the SQS email
 * queue: it runs the same handlers the stack deploys, in this process, on time.
 */
export function startLocalAsync(
  options: { functionsDir?: string; log?: (line: string) => void } = {},
): LocalAsyncRuntime {
  const functionsDir =
    options.functionsDir ?? fileURLToPath(new URL('../functions/', import.meta.url));
  const log = options.log ?? ((line: string) => console.log(line));
  const load = (name: string) =>
    import(pathToFileURL(`${functionsDir}/${name}.ts`).href).then(
      (module: { handler: Handler }) => module.handler,
    );
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => Promise<void>) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run().catch((error: unknown) => console.error('[async] failed:', error));
    }, ms);
    timer.unref();
    timers.add(timer);
  };
  const deadLetters: EmailMessage[] = [];

  const onSchedule = ({ orderId, at }: { orderId: string; at: string }) =>
    later(Math.max(0, Date.parse(at) - Date.now()), async () => {
      const result = await (await load('expire-hold'))({ orderId }, localContext('ExpireHold'));
      log(`[scheduler] expire ${orderId} → ${JSON.stringify(result)}`);
    });

  const deliver = (message: EmailMessage, receiveCount: number) =>
    later(receiveCount === 1 ? 0 : 1000 * 2 ** (receiveCount - 2), async () => {
      const event: SQSEvent = {
        Records: [sqsRecord(JSON.stringify(message), { receiveCount })],
      };
      let failed: boolean;
      try {
        const response = (await (
          await load('send-email')
        )(event, localContext('SendEmail'))) as SQSBatchResponse | undefined;
        failed = (response?.batchItemFailures ?? []).length > 0;
      } catch (error) {
        console.error('[email queue] handler failed:', error);
        failed = true;
      }
      if (!failed) return;
      if (receiveCount >= MAX_RECEIVES) {
        deadLetters.push(message);
        const ref = message.kind === 'verify-email' ? `user ${message.userId}` : message.orderId;
        log(`[email queue] dead-lettered ${message.kind} for ${ref}`);
      } else {
        deliver(message, receiveCount + 1);
      }
    });
  const onEmail = (message: EmailMessage) => deliver(message, 1);

  localBus.on('schedule', onSchedule);
  localBus.on('email', onEmail);
  const sweep = setInterval(() => {
    load('sweep')
      .then((handler) => handler({}, localContext('Sweep')))
      .catch((error: unknown) => console.error('[sweep] failed:', error));
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  return {
    deadLetters,
    stop: () => {
      localBus.off('schedule', onSchedule);
      localBus.off('email', onEmail);
      clearInterval(sweep);
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
