import { LiveUnsubscribe } from '../shared/api/live-routes.js';
import { liveSubscriptions } from '../shared/composition/live.js';
import { liveHandler } from '../shared/websocket/handler.js';

export const handler = liveHandler(LiveUnsubscribe, ({ connectionId, body }) =>
  liveSubscriptions.unsubscribe(connectionId, body.eventId),
);
