/**
 * Resource accounts (Humanitec tag ResourceAccount): `GET /orgs/{orgId}/resources/account-types`,
 * `GET|POST /orgs/{orgId}/resources/accounts`, `GET|PATCH|DELETE …/{accId}`, `POST …/{accId}/actions/check`.
 * Credentials are write-only: no response carries them (src/secrets/accounts).
 */
import { Type } from 'typebox';
import { COMMON_ERRORS, IdParam, NoContent, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';
import { PagingQuery, pageList } from './paging.js';

/** Credentials: a flat object of strings, checked against the account type by the service. */
const Credentials = Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 32, description: 'Credentials of the account (write-only).' });

const CreateResourceAccountRequestRequest = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ maxLength: 256 }),
    type: Type.String({ minLength: 1, maxLength: 64 }),
    credentials: Credentials,
  },
  { additionalProperties: false, title: 'CreateResourceAccountRequestRequest' },
);
const UpdateResourceAccountRequestRequest = Type.Object(
  { name: Type.Optional(Type.String({ maxLength: 256 })), credentials: Type.Optional(Credentials) },
  { additionalProperties: false, title: 'UpdateResourceAccountRequestRequest' },
);
const ResourceAccountResponse = Type.Object(
  { id: Type.String(), name: Type.String(), type: Type.String(), is_used: Type.Boolean(), created_at: Type.String(), created_by: Type.String() },
  { title: 'ResourceAccountResponse' },
);
const AccountTypeResponse = Type.Object(
  { type: Type.String(), name: Type.String(), inputs_schema: Type.Optional(Type.Object({}, { additionalProperties: true })) },
  { title: 'AccountTypeResponse' },
);
const CheckResourceAccountData = Type.Object(
  {
    identity_fields: Type.Array(Type.Object({ id: Type.String(), description: Type.String(), value: Type.String() }, { title: 'CheckResourceAccountField' })),
    warnings: Type.Optional(Type.Array(Type.String())),
  },
  { title: 'CheckResourceAccountData' },
);
const WriteQuery = Type.Object({
  dry_run: Type.Optional(Type.Boolean({ description: 'Validate the request but do not persist the change.' })),
  check_credential: Type.Optional(Type.Boolean({ description: "Also check the credentials (their shape: Baton does not call the cloud's API)." })),
});
const AccountParams = Type.Object({ orgId: IdParam('Organization id'), accId: Type.String({ minLength: 1, maxLength: 64, description: 'Resource account id' }) });

const writeOptions = (query: { dry_run?: boolean; check_credential?: boolean }) => ({ dryRun: query.dry_run === true, checkCredential: query.check_credential === true });

export const registerResourceAccountRoutes: RouteModule = (app, { resourceAccounts }) => {
  app.get(
    '/orgs/:orgId/resources/account-types',
    { config: { permission: 'resource-accounts.read' }, schema: { tags: ['ResourceAccount'], operationId: 'listResourceAccountTypes', params: OrgParams, response: { 200: Type.Array(AccountTypeResponse), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request) => resourceAccounts.listTypes(request.params.orgId),
  );
  app.get(
    '/orgs/:orgId/resources/accounts',
    { config: { permission: 'resource-accounts.read' }, schema: { tags: ['ResourceAccount'], operationId: 'listResourceAccounts', params: OrgParams, querystring: Type.Object(PagingQuery), response: { 200: Type.Array(ResourceAccountResponse), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => pageList(request, reply, request.query, await resourceAccounts.list(request.params.orgId), (a) => a.id),
  );
  app.post(
    '/orgs/:orgId/resources/accounts',
    {
      config: { permission: 'resource-accounts.write' },
      schema: {
        tags: ['ResourceAccount'],
        operationId: 'createResourceAccount',
        params: OrgParams,
        querystring: WriteQuery,
        body: CreateResourceAccountRequestRequest,
        response: { 200: ResourceAccountResponse, 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const created = await resourceAccounts.create(request.params.orgId, request.body, request.user.id, writeOptions(request.query));
      return created === undefined ? reply.status(204).send(null) : created;
    },
  );
  app.get(
    '/orgs/:orgId/resources/accounts/:accId',
    { config: { permission: 'resource-accounts.read' }, schema: { tags: ['ResourceAccount'], operationId: 'getResourceAccount', params: AccountParams, response: { 200: ResourceAccountResponse, ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request) => resourceAccounts.get(request.params.orgId, request.params.accId),
  );
  app.patch(
    '/orgs/:orgId/resources/accounts/:accId',
    {
      config: { permission: 'resource-accounts.write' },
      schema: {
        tags: ['ResourceAccount'],
        operationId: 'patchResourceAccount',
        params: AccountParams,
        querystring: WriteQuery,
        body: UpdateResourceAccountRequestRequest,
        response: { 200: ResourceAccountResponse, 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const updated = await resourceAccounts.update(request.params.orgId, request.params.accId, request.body, request.user.id, writeOptions(request.query));
      return updated === undefined ? reply.status(204).send(null) : updated;
    },
  );
  app.delete(
    '/orgs/:orgId/resources/accounts/:accId',
    {
      config: { permission: 'resource-accounts.write' },
      schema: {
        tags: ['ResourceAccount'],
        operationId: 'deleteResourceAccount',
        description: 'Refused (400, details.referencing_resources) while a non-deleted definition or an active resource uses the account.',
        params: AccountParams,
        response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      await resourceAccounts.delete(request.params.orgId, request.params.accId);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/orgs/:orgId/resources/accounts/:accId/actions/check',
    {
      config: { permission: 'resource-accounts.write' },
      schema: {
        tags: ['ResourceAccount'],
        operationId: 'checkResourceAccount',
        description: "Checks the stored credentials' shape and answers the identity they claim; Baton does not call the cloud's API.",
        params: AccountParams,
        response: { 200: CheckResourceAccountData, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => resourceAccounts.check(request.params.orgId, request.params.accId),
  );
};
