/**
 * Secret stores (Humanitec tag SecretStore): `GET|POST /orgs/{orgId}/secretstores`, `GET|PATCH|DELETE
 * .../{storeId}`. Credentials (`vault.auth`) are write-only: responses never carry them. Baton extension:
 * `POST .../{storeId}/baton/secrets` writes one secret into a store (write-only; answers its version, never the value).
 */
import { Type } from 'typebox';
import { COMMON_ERRORS, IdParam, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';
import { PagingQuery, pageList } from './paging.js';

const VaultAuthRequest = Type.Object(
  { token: Type.Optional(Type.String({ maxLength: 4096 })), role: Type.Optional(Type.String({ maxLength: 256 })) },
  { additionalProperties: false, title: 'VaultAuthRequest', description: 'Credentials to authenticate Vault (token auth only in Baton).' },
);
const VaultRequest = Type.Object(
  {
    url: Type.Optional(Type.String({ maxLength: 2048 })),
    path: Type.Optional(Type.String({ maxLength: 512, description: 'KV v2 mount, optionally with a prefix (default "secret").' })),
    agent_id: Type.Optional(Type.String({ maxLength: 256 })),
    auth: Type.Optional(VaultAuthRequest),
  },
  { additionalProperties: false, title: 'VaultRequest' },
);
/** Accepted only to be refused with a clear message: Baton has no AWS, Azure or GCP store. */
const Unsupported = Type.Optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 16 }));

const CreateSecretStorePayloadRequest = Type.Object(
  {
    id: Type.String({ maxLength: 64 }),
    primary: Type.Boolean(),
    vault: Type.Optional(VaultRequest),
    awssm: Unsupported,
    azurekv: Unsupported,
    gcpsm: Unsupported,
  },
  { additionalProperties: false, title: 'CreateSecretStorePayloadRequest' },
);
const UpdateSecretStorePayloadRequest = Type.Object(
  {
    primary: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
    vault: Type.Optional(VaultRequest),
    awssm: Unsupported,
    azurekv: Unsupported,
    gcpsm: Unsupported,
  },
  { additionalProperties: false, title: 'UpdateSecretStorePayloadRequest' },
);
const SecretStoreResponse = Type.Object(
  {
    id: Type.String(),
    primary: Type.Boolean(),
    vault: Type.Optional(Type.Object({ url: Type.String(), path: Type.String() }, { title: 'VaultResponse' })),
    baton: Type.Optional(Type.Object({}, { description: "Baton's own sealed store (values encrypted in Baton's database)." })),
    created_at: Type.String(),
    created_by: Type.String(),
    updated_at: Type.String(),
    updated_by: Type.String(),
  },
  { title: 'SecretStoreResponse' },
);
const WriteSecretRequest = Type.Object(
  { ref: Type.String({ minLength: 1, maxLength: 512 }), value: Type.String({ maxLength: 65536 }) },
  { additionalProperties: false, title: 'BatonWriteSecretRequest' },
);
const WriteSecretResponse = Type.Object(
  { store: Type.String(), ref: Type.String(), version: Type.Union([Type.String(), Type.Null()]) },
  { title: 'BatonWriteSecretResponse' },
);
const StoreParams = Type.Object({ orgId: IdParam('Organization id'), storeId: Type.String({ minLength: 1, maxLength: 64, description: 'Secret store id' }) });

export const registerSecretStoreRoutes: RouteModule = (app, { secretStores }) => {
  app.get(
    '/orgs/:orgId/secretstores',
    {
      config: { permission: 'secret-stores.read' }, schema: { tags: ['SecretStore'], operationId: 'listSecretStores', params: OrgParams, querystring: Type.Object(PagingQuery), response: { 200: Type.Array(SecretStoreResponse), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => pageList(request, reply, request.query, await secretStores.list(request.params.orgId), (s) => s.id),
  );
  app.post(
    '/orgs/:orgId/secretstores',
    {
      config: { permission: 'secret-stores.write' },
      schema: {
        tags: ['SecretStore'],
        operationId: 'createSecretStore',
        params: OrgParams,
        body: CreateSecretStorePayloadRequest,
        response: { 201: SecretStoreResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await secretStores.create(request.params.orgId, request.body, request.user.id)),
  );
  app.get(
    '/orgs/:orgId/secretstores/:storeId',
    {
      config: { permission: 'secret-stores.read' }, schema: { tags: ['SecretStore'], operationId: 'getSecretStore', params: StoreParams, response: { 200: SecretStoreResponse, ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request) => secretStores.get(request.params.orgId, request.params.storeId),
  );
  app.patch(
    '/orgs/:orgId/secretstores/:storeId',
    {
      config: { permission: 'secret-stores.write' },
      schema: {
        tags: ['SecretStore'],
        operationId: 'updateSecretStore',
        params: StoreParams,
        body: UpdateSecretStorePayloadRequest,
        response: { 200: SecretStoreResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => secretStores.update(request.params.orgId, request.params.storeId, request.body, request.user.id),
  );
  app.delete(
    '/orgs/:orgId/secretstores/:storeId',
    {
      config: { permission: 'secret-stores.write' }, schema: { tags: ['SecretStore'], operationId: 'deleteSecretStore', params: StoreParams, response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => {
      await secretStores.delete(request.params.orgId, request.params.storeId);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/orgs/:orgId/secretstores/:storeId/baton/secrets',
    {
      config: { permission: 'secret-stores.write' },
      schema: {
        tags: ['SecretStore'],
        operationId: 'batonWriteSecret',
        description: 'Baton extension: writes (creates or rotates) one secret in the store; the value is never returned.',
        params: StoreParams,
        body: WriteSecretRequest,
        response: { 201: WriteSecretResponse, ...errorResponses(...COMMON_ERRORS, 404, 502) },
      },
    },
    async (request, reply) => reply.status(201).send(await secretStores.writeSecret(request.params.orgId, request.params.storeId, request.body.ref, request.body.value)),
  );
};
