import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { EmailSender, OutgoingEmail } from '../domain/email-ports.js';

const CHARSET = 'UTF-8';

/**
 * Sends through SES (locally the emulator, by AWS_ENDPOINT_URL_SES) from the verified
 * sender, in the configuration set whose bounces and complaints CloudWatch counts.
 */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly client: SESClient,
    private readonly source: string,
    private readonly configurationSet: string,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const result = await this.client.send(
      new SendEmailCommand({
        Source: this.source,
        ConfigurationSetName: this.configurationSet,
        Destination: { ToAddresses: [email.to] },
        Message: {
          Subject: { Data: email.subject, Charset: CHARSET },
          Body: {
            Text: { Data: email.text, Charset: CHARSET },
            Html: { Data: email.html, Charset: CHARSET },
          },
        },
      }),
    );
    return { messageId: result.MessageId ?? '' };
  }
}
