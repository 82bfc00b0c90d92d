import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { EmailIdentity, Identity as SesIdentity } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { DEFAULT_EMAIL_CAP_PER_HOUR } from '../shared/domain/emails.js';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig } from '../shared/domain/rate-limits.js';
import { routes } from '../shared/routes.js';
import { Alarms } from './constructs/alarms.js';
import { AuditTrail } from './constructs/audit-trail.js';
import { DataTable } from './constructs/data-table.js';
import { EmailEvents } from './constructs/email-events.js';
import { EmailQueue } from './constructs/email-queue.js';
import { ExpiryScheduling } from './constructs/expiry-scheduling.js';
import { TicketingApi } from './constructs/http-api.js';
import { Identity } from './constructs/identity.js';
import { LiveApi } from './constructs/live-api.js';
import { OrderMachinery } from './constructs/order-machinery.js';

export interface TicketingStackProps extends StackProps {
  /** The address emails are sent from; SES verifies it on deploy. */
  senderEmail: string;
  serviceVersion: string;
  /** Emails per recipient address per hour; the SPEC's 20 when not given. */
  emailCapPerHour?: number;
  /** Per-client limits; the SPEC's defaults when not given. */
  rateLimits?: RateLimitConfig;
}

export class TicketingStack extends Stack {
  readonly data: DataTable;
  readonly emails: EmailQueue;
  readonly expiry: ExpiryScheduling;
  readonly identity: Identity;
  readonly orders: OrderMachinery;
  readonly api: TicketingApi;
  readonly live: LiveApi;
  readonly audit: AuditTrail;
  readonly alarms: Alarms;
  readonly emailEvents: EmailEvents;

  constructor(scope: Construct, id: string, props: TicketingStackProps) {
    super(scope, id, props);
    this.data = new DataTable(this, 'Data');
    this.emails = new EmailQueue(this, 'Emails');
    this.expiry = new ExpiryScheduling(this, 'Expiry');
    const sender = new EmailIdentity(this, 'Sender', {
      identity: SesIdentity.email(props.senderEmail),
    });
    this.emailEvents = new EmailEvents(this, 'EmailEvents');
    this.identity = new Identity(this, 'Identity');
    this.orders = new OrderMachinery(this, 'Orders', {
      data: this.data,
      emails: this.emails,
      expiry: this.expiry,
      sender,
      senderEmail: props.senderEmail,
      emailEvents: this.emailEvents,
      emailCapPerHour: props.emailCapPerHour ?? DEFAULT_EMAIL_CAP_PER_HOUR,
    });
    this.api = new TicketingApi(this, 'Api', {
      routes,
      data: this.data,
      identity: this.identity,
      orders: this.orders,
      serviceVersion: props.serviceVersion,
      rateLimits: props.rateLimits ?? DEFAULT_RATE_LIMITS,
    });

    this.live = new LiveApi(this, 'Live', { data: this.data });
    this.audit = new AuditTrail(this, 'Audit', { data: this.data });
    // Last: it watches every dead-letter queue and function the stack has by now.
    this.alarms = new Alarms(this, 'Alarms', {
      stage: this.api.stage,
      table: this.data.table,
      emailEvents: this.emailEvents,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.stage.url,
      description: 'Base URL of the API',
    });
    // The `$default` stage URL ends in a slash.
    new CfnOutput(this, 'OpenApiUrl', {
      value: `${this.api.stage.url}openapi.json`,
      description: 'The API contract, OpenAPI 3.1, generated from the request schemas',
    });
    new CfnOutput(this, 'LiveUrl', {
      value: this.live.stage.url,
      description: 'Live availability: a WebSocket URL (wss://…/live)',
    });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'SenderIdentity', { value: sender.emailIdentityName });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: this.alarms.topic.topicArn,
      description: 'Every alarm notifies this SNS topic: subscribe the on-call address to it',
    });
    new CfnOutput(this, 'DashboardName', { value: this.alarms.dashboard.dashboardName });
  }
}
