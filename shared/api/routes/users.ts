import { LocationRequired, NotFound } from '../../domain/errors.js';
import { relevantEventsQuerySchema } from '../../domain/relevant-events.js';
import {
  listUsersQuerySchema,
  setRolesSchema,
  updateMeSchema,
  userIdParamsSchema,
} from '../../domain/user-model.js';
import { USER_ID } from '../examples.js';
import { nearbyEventPageSchema, userPageSchema, userSchema } from '../responses.js';
import { DEFAULT_THROTTLE, defineRoute, READ_THROTTLE } from '../route-record.js';

// Profiles, roles, and events near a user. Each record is all there is to know of a route: how it is deployed
// and guarded, what it takes and answers, and an example.

export const GetMe = defineRoute({
  id: 'GetMe',
  method: 'GET',
  path: '/v1/me',
  handler: 'get-me',
  access: 'customer',
  table: 'read',
  throttle: READ_THROTTLE,
  tag: 'Users',
  summary: "The caller's profile",
  request: {},
  example: {},
  success: { status: 200, description: 'The caller', schema: userSchema },
  errors: [],
});

export const UpdateMe = defineRoute({
  id: 'UpdateMe',
  method: 'PATCH',
  path: '/v1/me',
  handler: 'update-me',
  access: 'customer',
  table: 'write',
  throttle: DEFAULT_THROTTLE,
  tag: 'Users',
  summary: "Change the caller's name or location",
  description: '`location: null` removes the location.',
  request: { body: updateMeSchema },
  example: { body: { name: 'Ada L.', location: { latitude: 52.52, longitude: 13.405 } } },
  success: { status: 200, description: 'The updated profile', schema: userSchema },
  errors: [],
});

export const ListUsers = defineRoute({
  id: 'ListUsers',
  method: 'GET',
  path: '/v1/users',
  handler: 'list-users',
  access: 'admin',
  table: 'read',
  throttle: DEFAULT_THROTTLE,
  tag: 'Users',
  summary: 'All users, oldest first',
  request: { query: listUsersQuerySchema },
  example: { query: { limit: 20 } },
  success: { status: 200, description: 'One page of users', schema: userPageSchema },
  errors: [],
});

export const GetUser = defineRoute({
  id: 'GetUser',
  method: 'GET',
  path: '/v1/users/{userId}',
  handler: 'get-user',
  access: 'customer',
  table: 'read',
  throttle: DEFAULT_THROTTLE,
  tag: 'Users',
  summary: 'A user, for the user themself or an admin',
  description: 'Anyone else gets 404, as if the user did not exist.',
  request: { params: userIdParamsSchema },
  example: { params: { userId: USER_ID } },
  success: { status: 200, description: 'The user', schema: userSchema },
  errors: [NotFound],
});

export const SetUserRoles = defineRoute({
  id: 'SetUserRoles',
  method: 'PUT',
  path: '/v1/users/{userId}/roles',
  handler: 'set-user-roles',
  access: 'admin',
  table: 'write',
  identity: ['setRoles'],
  throttle: DEFAULT_THROTTLE,
  tag: 'Users',
  summary: "Replace a user's roles",
  description: '`customer` is always kept. An admin cannot remove their own admin role.',
  request: { params: userIdParamsSchema, body: setRolesSchema },
  example: { params: { userId: USER_ID }, body: { roles: ['organizer'] } },
  success: { status: 200, description: 'The user with the new roles', schema: userSchema },
  errors: [NotFound],
});

export const DeleteUser = defineRoute({
  id: 'DeleteUser',
  method: 'DELETE',
  path: '/v1/users/{userId}',
  handler: 'delete-user',
  access: 'admin',
  table: 'write',
  identity: ['deleteUser'],
  throttle: DEFAULT_THROTTLE,
  tag: 'Users',
  summary: 'Delete a user and their credentials',
  description: 'An admin cannot delete themself.',
  request: { params: userIdParamsSchema },
  example: { params: { userId: USER_ID } },
  success: { status: 204, description: 'Deleted' },
  errors: [NotFound],
});

export const RelevantEvents = defineRoute({
  id: 'RelevantEvents',
  method: 'GET',
  path: '/v1/users/{userId}/relevant-events',
  handler: 'relevant-events',
  access: 'customer',
  table: 'read',
  throttle: READ_THROTTLE,
  tag: 'Users',
  summary: "Upcoming published events near a user's location, nearest first",
  description:
    'For the user themself or an admin; anyone else gets 404. Needs a location on the ' +
    'user (`PATCH /v1/me`).',
  request: { params: userIdParamsSchema, query: relevantEventsQuerySchema },
  example: { params: { userId: USER_ID }, query: { radiusKm: 50, limit: 20 } },
  success: {
    status: 200,
    description: 'One page of events with their distance',
    schema: nearbyEventPageSchema,
  },
  errors: [NotFound, LocationRequired],
});
