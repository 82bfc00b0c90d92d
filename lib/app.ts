import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { z } from 'zod';
import { TicketingStack } from './ticketing-stack.js';

const senderEmailSchema = z.email({
  message: 'context senderEmail must be an email address (-c senderEmail=...)',
});

/**
 * The app as deployed: the stack, configured from CDK context, plus cdk-nag's AWS
 * Solutions checks, whose unacknowledged findings fail synth.
 */
export function buildApp(appProps: AppProps, serviceVersion: string) {
  const app = new App(appProps);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new TicketingStack(app, 'Ticketing', {
    senderEmail: senderEmailSchema.parse(app.node.tryGetContext('senderEmail')),
    serviceVersion,
    description:
      'Serverless event ticketing: HTTP and WebSocket APIs, Lambdas, DynamoDB and its stream, Scheduler, SQS, SES',
  });
  return { app, stack };
}
