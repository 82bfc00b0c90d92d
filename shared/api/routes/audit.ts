import { auditQuerySchema } from '../../domain/audit-model.js';
import { ORDER_ID } from '../examples.js';
import { auditRecordPageSchema } from '../responses.js';
import { DEFAULT_THROTTLE, defineRoute } from '../route-record.js';

// The audit trail, for admins. The records are written by the table stream's audit
// consumer (functions/audit-record.ts), not by a route.

export const AdminAudit = defineRoute({
  id: 'AdminAudit',
  method: 'GET',
  path: '/v1/admin/audit',
  handler: 'admin-audit',
  access: 'admin',
  table: 'read',
  throttle: DEFAULT_THROTTLE,
  tag: 'Audit',
  summary: 'Changes of one entity, or by one user, newest first',
  description:
    'Every state change of an event, order, waitlist entry or user is recorded once, ' +
    'with its actor and each changed field before and after, and kept 400 days. Give ' +
    '`entityId` (its history, narrowed by `actorId` if given) or `actorId` (what the user ' +
    "changed); records appear within seconds of the change. A system job's changes are " +
    "found by their entity's id.",
  request: { query: auditQuerySchema },
  example: { query: { entityType: 'order', entityId: ORDER_ID, limit: 20 } },
  success: { status: 200, description: 'One page of records', schema: auditRecordPageSchema },
  errors: [],
});
