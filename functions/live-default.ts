import { LiveDefault } from '../shared/api/live-routes.js';
import { liveRequestSchema } from '../shared/domain/live-availability.js';
import { validate } from '../shared/http/validation.js';
import { liveHandler, parseMessage } from '../shared/websocket/handler.js';

/**
 * Every message whose `action` names no route: the schema of all actions says what is
 * wrong with it. One that passes was routed here by a misconfigured API.
 */
export const handler = liveHandler(LiveDefault, async ({ raw }) => {
  validate(liveRequestSchema, parseMessage(raw), 'body');
  throw new Error('A valid message reached $default: the route selection is misconfigured');
});
