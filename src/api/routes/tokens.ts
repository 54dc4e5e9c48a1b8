/**
 * API tokens in Humanitec's shape (tag TokenInfo): `GET|POST /users/{userId}/tokens`,
 * `GET|DELETE /users/{userId}/tokens/{tokenId}`. The token itself is in the POST answer only; afterwards only its
 * metadata can be read. Who may manage whose tokens is the token service's rule (`mayManageTokensOf`, src/org).
 */
import { Type } from 'typebox';
import type { TokenRow } from '../../org/index.js';
import { COMMON_ERRORS, IdParam, IdSchema, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';
import { PagingQuery, pageList } from './paging.js';

const ISO_DATE_TIME = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$';

export const TokenDefinitionRequest = Type.Object(
  {
    id: IdSchema('Identifier of the token. Must be unique for the user.'),
    type: Type.String({ maxLength: 20, description: 'The type of the token. Can only be "static".' }),
    description: Type.Optional(Type.String({ maxLength: 500, description: 'A description of the token.' })),
    expires_at: Type.Optional(Type.String({ pattern: ISO_DATE_TIME, maxLength: 40, description: 'When the token expires (UTC). Unset: never.' })),
  },
  { additionalProperties: false, title: 'TokenDefinitionRequest' },
);

export const TokenResponse = Type.Object(
  { token: Type.String({ description: 'The token; shown only in this answer.' }), type: Type.String() },
  { title: 'TokenResponse' },
);

export const TokenInfoResponse = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    description: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    created_by: Type.String(),
    expires_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { title: 'TokenInfoResponse' },
);

const UserParams = Type.Object({ userId: IdParam('The user ID') });
const TokenParams = Type.Object({ userId: IdParam('The user ID'), tokenId: IdParam('The token ID') });
const ERRORS = [...COMMON_ERRORS, 404, 429];

const toInfo = (row: TokenRow) => ({
  id: row.id,
  type: 'static',
  description: row.description,
  created_at: row.created_at,
  created_by: row.created_by,
  ...(row.expires_at !== null ? { expires_at: row.expires_at } : {}),
});

export const registerTokenRoutes: RouteModule = (app, { core }) => {
  app.get(
    '/users/:userId/tokens',
    {
      config: { permission: 'tokens.list' },
      schema: {
        tags: ['TokenInfo'],
        operationId: 'listUserTokens',
        params: UserParams,
        querystring: Type.Object(PagingQuery),
        response: { 200: Type.Array(TokenInfoResponse), ...errorResponses(...ERRORS) },
      },
    },
    async (request, reply) => pageList(request, reply, request.query, (await core.tokens.list(request.user, request.params.userId)).map(toInfo), (t) => t.id),
  );
  app.post(
    '/users/:userId/tokens',
    {
      config: { permission: 'tokens.create' },
      schema: {
        tags: ['TokenInfo'],
        operationId: 'createUserToken',
        params: UserParams,
        body: TokenDefinitionRequest,
        response: { 200: TokenResponse, ...errorResponses(...ERRORS, 409) },
      },
    },
    async (request) => {
      const { token } = await core.tokens.create(request.user, request.params.userId, request.body);
      return { token, type: 'static' };
    },
  );
  app.get(
    '/users/:userId/tokens/:tokenId',
    {
      config: { permission: 'tokens.read' },
      schema: {
        tags: ['TokenInfo'],
        operationId: 'getUserToken',
        params: TokenParams,
        response: { 200: TokenInfoResponse, ...errorResponses(...ERRORS) },
      },
    },
    async (request) => toInfo(await core.tokens.get(request.user, request.params.userId, request.params.tokenId)),
  );
  app.delete(
    '/users/:userId/tokens/:tokenId',
    {
      config: { permission: 'tokens.delete' },
      schema: {
        tags: ['TokenInfo'],
        operationId: 'deleteUserToken',
        params: TokenParams,
        response: { 204: Type.Null(), ...errorResponses(...ERRORS) },
      },
    },
    async (request, reply) => {
      await core.tokens.revoke(request.user, request.params.userId, request.params.tokenId);
      return reply.status(204).send(null);
    },
  );
};
