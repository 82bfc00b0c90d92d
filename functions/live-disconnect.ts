import { LiveDisconnect } from '../shared/api/live-routes.js';
import { liveSubscriptions } from '../shared/composition/live.js';
import { liveHandler } from '../shared/websocket/handler.js';

/** Best effort on AWS (API Gateway may skip it): the TTL and the next push's 410 back it up. */
export const handler = liveHandler(LiveDisconnect, async ({ connectionId }) => {
  await liveSubscriptions.disconnect(connectionId);
  return undefined;
});
