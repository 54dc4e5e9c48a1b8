/**
 * Container registries (Humanitec tag Registry): `GET|POST /orgs/{orgId}/registries`, `GET|PATCH|DELETE
 * …/{regId}` and `GET …/{regId}/creds`. Record responses never carry credentials; `…/creds` returns them, as the
 * contract defines, only for `enable_ci: true` registries and only to holders of `registries.creds`
 * (src/secrets/registries).
 */
import { Type } from 'typebox';
import { COMMON_ERRORS, IdParam, NoContent, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';
import { PagingQuery, pageList } from './paging.js';

const ClusterSecret = Type.Object({ namespace: Type.String({ maxLength: 253 }), secret: Type.String({ maxLength: 253 }) }, { additionalProperties: false, title: 'ClusterSecretRequest' });
const ClusterSecretsMap = Type.Record(Type.String({ maxLength: 64 }), ClusterSecret, { maxProperties: 64, title: 'ClusterSecretsMapRequest' });
const AccountCredsRequest = Type.Object(
  {
    username: Type.String({ maxLength: 1024 }),
    password: Type.String({ maxLength: 16384 }),
    expires: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
  },
  { additionalProperties: false, title: 'AccountCredsRequest' },
);
const RegistryRequest = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    registry: Type.String({ minLength: 1, maxLength: 512 }),
    type: Type.String({ minLength: 1, maxLength: 32 }),
    enable_ci: Type.Optional(Type.Boolean()),
    creds: Type.Optional(AccountCredsRequest),
    secrets: Type.Optional(ClusterSecretsMap),
  },
  { additionalProperties: false, title: 'RegistryRequest' },
);
const ClusterSecretResponse = Type.Record(Type.String(), Type.Object({ namespace: Type.String(), secret: Type.String() }));
const RegistryResponse = Type.Object(
  {
    id: Type.String(),
    registry: Type.String(),
    type: Type.String(),
    enable_ci: Type.Boolean(),
    secrets: Type.Optional(ClusterSecretResponse),
    created_at: Type.String(),
    created_by: Type.String(),
  },
  { title: 'RegistryResponse' },
);
const RegistryCredsResponse = Type.Object(
  {
    registry: Type.String(),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    expires: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    secrets: Type.Optional(ClusterSecretResponse),
  },
  { title: 'RegistryCredsResponse' },
);
const RegistryParams = Type.Object({ orgId: IdParam('Organization id'), regId: Type.String({ minLength: 1, maxLength: 64, description: 'Registry id' }) });

export const registerRegistryRoutes: RouteModule = (app, { registries }) => {
  app.get(
    '/orgs/:orgId/registries',
    { config: { permission: 'registries.read' }, schema: { tags: ['Registry'], operationId: 'listRegistries', params: OrgParams, querystring: Type.Object(PagingQuery), response: { 200: Type.Array(RegistryResponse), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => pageList(request, reply, request.query, await registries.list(request.params.orgId), (r) => r.id),
  );
  app.post(
    '/orgs/:orgId/registries',
    {
      config: { permission: 'registries.write' },
      schema: { tags: ['Registry'], operationId: 'createRegistry', params: OrgParams, body: RegistryRequest, response: { 201: RegistryResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) } },
    },
    async (request, reply) => reply.status(201).send(await registries.create(request.params.orgId, request.body, request.user.id)),
  );
  app.get(
    '/orgs/:orgId/registries/:regId',
    { config: { permission: 'registries.read' }, schema: { tags: ['Registry'], operationId: 'getRegistry', params: RegistryParams, response: { 200: RegistryResponse, ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request) => registries.get(request.params.orgId, request.params.regId),
  );
  app.patch(
    '/orgs/:orgId/registries/:regId',
    {
      config: { permission: 'registries.write' },
      schema: {
        tags: ['Registry'],
        operationId: 'patchRegistry',
        description: 'Fields given replace the stored ones; credentials not given are kept while the type takes them. The id cannot change.',
        params: RegistryParams,
        body: Type.Partial(RegistryRequest),
        response: { 200: RegistryResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => registries.update(request.params.orgId, request.params.regId, request.body, request.user.id),
  );
  app.delete(
    '/orgs/:orgId/registries/:regId',
    { config: { permission: 'registries.write' }, schema: { tags: ['Registry'], operationId: 'deleteRegistry', params: RegistryParams, response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => {
      await registries.delete(request.params.orgId, request.params.regId);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/orgs/:orgId/registries/:regId/creds',
    {
      config: { permission: 'registries.creds' },
      schema: {
        tags: ['Registry'],
        operationId: 'getRegistryCreds',
        description: 'The registry credentials in clear, for CI: only registries with enable_ci true (403 otherwise); permission registries.creds.',
        params: RegistryParams,
        response: { 200: RegistryCredsResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      return registries.creds(request.params.orgId, request.params.regId);
    },
  );
};
