import { Type } from 'typebox';
import type { AppWithEnvs } from '../../org/index.js';
import { ORG_ROLES_SEEING_ALL_APPS } from '../permissions.js';
import { AppParams, COMMON_ERRORS, IdSchema, OrgParams, errorResponses } from '../schemas.js';
import { PagingQuery, pageRequest, setNextLink } from './paging.js';
import type { RouteModule } from './types.js';

const EnvironmentBase = Type.Object({ id: Type.String(), name: Type.String(), type: Type.String() });

export const ApplicationResponse = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    org_id: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    created_by: Type.String(),
    envs: Type.Array(EnvironmentBase),
    status: Type.String(),
    status_changed_at: Type.String({ format: 'date-time' }),
  },
  { title: 'ApplicationResponse' },
);

export const ApplicationCreationRequest = Type.Object(
  {
    id: IdSchema('The ID which refers to a specific application.'),
    name: Type.String({ minLength: 1, maxLength: 256 }),
    env: Type.Optional(
      Type.Object(
        {
          id: IdSchema('The ID of the first environment.'),
          name: Type.String({ minLength: 1, maxLength: 256 }),
          type: IdSchema('The environment type of the first environment.'),
        },
        { additionalProperties: false },
      ),
    ),
    skip_environment_creation: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'ApplicationCreationRequest' },
);

const ApplicationPatchRequest = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false, title: 'ApplicationPatchPayload' },
);

export function toApplicationResponse({ app, envs }: AppWithEnvs) {
  return {
    id: app.id,
    name: app.name,
    org_id: app.org_id,
    created_at: app.created_at,
    created_by: app.created_by,
    envs: envs.map((e) => ({ id: e.id, name: e.name, type: e.type })),
    // Baton: `deleting` while a deletion has environments left (docs/internals/engine.md, Lifecycle).
    status: app.status,
    status_changed_at: app.status_changed_at ?? app.created_at,
  };
}

export const registerAppRoutes: RouteModule = (app, { core: services, deployments }) => {
  app.get(
    '/orgs/:orgId/apps',
    {
      config: { permission: 'apps.list' },
      schema: {
        tags: ['Application'],
        operationId: 'listApplications',
        params: OrgParams,
        querystring: Type.Object(PagingQuery),
        response: { 200: Type.Array(ApplicationResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      // Members see only the apps they hold a role on; the others (administrator, orgViewer, artefactContributor) all.
      const orgRole = await request.user.access.orgRole(request.user.id, orgId);
      const seesAll = orgRole !== undefined && ORG_ROLES_SEEING_ALL_APPS.includes(orgRole);
      const page = await services.apps.list(orgId, { page: pageRequest(request.query), memberId: seesAll ? undefined : request.user.id });
      setNextLink(request, reply, page.nextToken, request.query.per_page);
      return page.items.map(toApplicationResponse);
    },
  );
  app.post(
    '/orgs/:orgId/apps',
    {
      config: { permission: 'apps.create' },
      schema: {
        tags: ['Application'],
        operationId: 'createApplication',
        params: OrgParams,
        body: ApplicationCreationRequest,
        response: { 201: ApplicationResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const created = await services.apps.create(request.params.orgId, request.body, request.user.id, request.user.id);
      return reply.status(201).send(toApplicationResponse(created));
    },
  );
  app.get(
    '/orgs/:orgId/apps/:appId',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Application'],
        operationId: 'getApplication',
        params: AppParams,
        response: { 200: ApplicationResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => toApplicationResponse(await services.apps.get(request.params.orgId, request.params.appId)),
  );
  app.patch(
    '/orgs/:orgId/apps/:appId',
    {
      config: { permission: 'app.update' },
      schema: {
        tags: ['Application'],
        operationId: 'patchApplication',
        params: AppParams,
        body: ApplicationPatchRequest,
        response: { 200: ApplicationResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) =>
      toApplicationResponse(await services.apps.rename(request.params.orgId, request.params.appId, request.body.name)),
  );
  app.delete(
    '/orgs/:orgId/apps/:appId',
    {
      config: { permission: 'app.delete' },
      schema: {
        tags: ['Application'],
        operationId: 'deleteApplication',
        description: 'Deletes every environment (deprovisioning their resources), then the application. 502 when a resource could not be deprovisioned: the application and those environments then stay in status `deleting`; DELETE again retries.',
        params: AppParams,
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409, 502) },
      },
    },
    async (request, reply) => {
      await deployments.deleteApplication(request.params.orgId, request.params.appId);
      return reply.status(204).send(null);
    },
  );
};
