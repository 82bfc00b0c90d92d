import type { RouteDefinition } from './api/route-record.js';
import * as audit from './api/routes/audit.js';
import * as auth from './api/routes/auth.js';
import * as events from './api/routes/events.js';
import * as graphql from './api/routes/graphql.js';
import * as orders from './api/routes/orders.js';
import * as service from './api/routes/service.js';
import * as users from './api/routes/users.js';
import * as waitlist from './api/routes/waitlist.js';

/**
 * Every HTTP route, each one record (`shared/api/routes/<wing>.ts`). The CDK HTTP API,
 * the local gateway and the OpenAPI document are built from this list; a handler imports
 * only its own record, so its bundle carries only its wing's schemas.
 */
const routeTable = [
  service.Health,
  service.HealthReady,
  auth.Register,
  auth.Login,
  auth.Logout,
  auth.VerifyEmail,
  auth.ResendVerification,
  users.GetMe,
  users.UpdateMe,
  users.ListUsers,
  users.GetUser,
  users.SetUserRoles,
  users.DeleteUser,
  events.CreateEvent,
  events.ListEvents,
  events.GetEvent,
  events.UpdateEvent,
  events.DeleteEvent,
  events.PublishEvent,
  events.CancelEvent,
  orders.HoldTickets,
  orders.ListOrders,
  orders.ListMyOrders,
  orders.GetOrder,
  orders.PayOrder,
  orders.CancelOrder,
  service.OpenApi,
  events.EventStats,
  events.AdminAnalytics,
  users.RelevantEvents,
  events.GetSeats,
  waitlist.JoinWaitlist,
  waitlist.ListMyWaitlist,
  waitlist.LeaveWaitlist,
  graphql.GraphQL,
  audit.AdminAudit,
] as const;

export type RouteId = (typeof routeTable)[number]['id'];

export const routes: readonly RouteDefinition[] = routeTable;
