import { Type } from 'typebox';
import { COMMON_ERRORS, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';

export const UserProfileResponse = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    email: Type.Optional(Type.String()),
    type: Type.String({ description: 'user, service or system' }),
    created_at: Type.String({ format: 'date-time' }),
    properties: Type.Object({}, { additionalProperties: true }),
    roles: Type.Object({}, { additionalProperties: Type.String() }),
  },
  { title: 'UserProfileExtendedResponse' },
);

export const registerUserRoutes: RouteModule = (app) => {
  app.get(
    '/current-user',
    {
      schema: {
        tags: ['UserProfile'],
        operationId: 'getCurrentUser',
        response: { 200: UserProfileResponse, ...errorResponses(...COMMON_ERRORS) },
      },
    },
    (request) => {
      const user = request.user;
      return {
        id: user.id,
        name: user.name,
        ...(user.email !== null ? { email: user.email } : {}),
        type: user.type,
        created_at: user.created_at,
        properties: {},
        // Roles arrive with the RBAC issue; until then every user acts as an administrator.
        roles: {},
      };
    },
  );
};
