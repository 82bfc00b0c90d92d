import { LiveConnect } from '../shared/api/live-routes.js';
import { liveSubscriptions } from '../shared/composition/live.js';
import { liveHandler } from '../shared/websocket/handler.js';

export const handler = liveHandler(LiveConnect, async ({ connectionId }) => {
  await liveSubscriptions.connect(connectionId);
  return undefined;
});
