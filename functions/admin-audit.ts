import { AdminAudit } from '../shared/api/routes/audit.js';
import { auditTrail } from '../shared/composition/audit.js';
import { httpHandler } from '../shared/http/handler.js';

export const handler = httpHandler(AdminAudit, async ({ principal, query }) => ({
  status: 200,
  body: await auditTrail.list(principal, query),
}));
