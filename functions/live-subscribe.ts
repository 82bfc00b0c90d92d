import { LiveSubscribe } from '../shared/api/live-routes.js';
import { liveSubscriptions } from '../shared/composition/live.js';
import { liveHandler } from '../shared/websocket/handler.js';

export const handler = liveHandler(LiveSubscribe, ({ connectionId, body }) =>
  liveSubscriptions.subscribe(connectionId, body.eventId),
);
