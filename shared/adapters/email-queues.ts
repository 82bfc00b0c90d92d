import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { EmailMessage } from '../domain/email-model.js';
import type { EmailQueue } from '../domain/email-ports.js';
import { localBus } from './local-bus.js';

export class SqsEmailQueue implements EmailQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: EmailMessage): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }

  /** Readiness: the queue exists and answers (`sqs:GetQueueAttributes`, nothing sent). */
  async checkHealth(signal: AbortSignal): Promise<void> {
    await this.client.send(
      new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['QueueArn'] }),
      { abortSignal: signal },
    );
  }
}

/** Locally, local/start.ts feeds each message to the same email handler, as SQS would. */
export class LocalEmailQueue implements EmailQueue {
  async send(message: EmailMessage): Promise<void> {
    localBus.emit('email', message);
  }

  /**
   * Readiness: the in-process bus is there as long as this process is, so there is
   * nothing to call; the check exists so both runtimes answer the same `checks`.
   */
  async checkHealth(_signal: AbortSignal): Promise<void> {}
}
