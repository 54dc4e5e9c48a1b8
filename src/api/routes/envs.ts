import { Type } from 'typebox';
import type { EnvRow } from '../../org/index.js';
import { AppParams, COMMON_ERRORS, EnvParams, IdSchema, errorResponses } from '../schemas.js';
import { PagingQuery, pageRequest, setNextLink } from './paging.js';
import type { RouteModule } from './types.js';

export const EnvironmentResponse = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    type: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    created_by: Type.String(),
    status: Type.String({ description: 'active, or (Baton) deleting while a deletion has resources left to deprovision' }),
    status_changed_at: Type.String({ format: 'date-time' }),
    // Deployment objects; present once the environment has been deployed.
    from_deploy: Type.Optional(Type.Object({}, { additionalProperties: true })),
    last_deploy: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { title: 'EnvironmentResponse' },
);

export const EnvironmentDefinitionRequest = Type.Object(
  {
    id: IdSchema('The ID the Environment is referenced as.'),
    name: Type.String({ minLength: 1, maxLength: 256 }),
    type: Type.Optional(IdSchema('The Environment Type (default development).')),
    from_deploy_id: Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false, title: 'EnvironmentDefinitionRequest' },
);

const EnvironmentUpdateRequest = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })) },
  { additionalProperties: false, title: 'EnvironmentBaseUpdateRequest' },
);

export function toEnvironmentResponse(env: EnvRow) {
  return {
    id: env.id,
    name: env.name,
    type: env.type,
    created_at: env.created_at,
    created_by: env.created_by,
    // Baton: `deleting` while a deletion has not removed everything yet (docs/internals/engine.md, Lifecycle).
    status: env.status,
    status_changed_at: env.status_changed_at ?? env.created_at,
  };
}

export const registerEnvRoutes: RouteModule = (app, { core: services, deployments }) => {
  app.get(
    '/orgs/:orgId/apps/:appId/envs',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Environment'],
        operationId: 'listEnvironments',
        params: AppParams,
        querystring: Type.Object(PagingQuery),
        response: { 200: Type.Array(EnvironmentResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const page = await services.envs.list(request.params.orgId, request.params.appId, pageRequest(request.query));
      setNextLink(request, reply, page.nextToken, request.query.per_page);
      return page.items.map(toEnvironmentResponse);
    },
  );
  app.post(
    '/orgs/:orgId/apps/:appId/envs',
    {
      config: { permission: 'envs.create' },
      schema: {
        tags: ['Environment'],
        operationId: 'createEnvironment',
        params: AppParams,
        body: EnvironmentDefinitionRequest,
        response: { 201: EnvironmentResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const env = await deployments.createEnvironment(request.params.orgId, request.params.appId, request.body, request.user.id);
      return reply.status(201).send(toEnvironmentResponse(env));
    },
  );
  app.get(
    '/orgs/:orgId/apps/:appId/envs/:envId',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Environment'],
        operationId: 'getEnvironment',
        params: EnvParams,
        response: { 200: EnvironmentResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, envId } = request.params;
      const env = toEnvironmentResponse(await services.envs.get(orgId, appId, envId));
      return { ...env, ...(await deployments.envState(orgId, appId, envId)) };
    },
  );
  app.patch(
    '/orgs/:orgId/apps/:appId/envs/:envId',
    {
      config: { permission: 'app.update' },
      schema: {
        tags: ['Environment'],
        operationId: 'updateEnvironment',
        params: EnvParams,
        body: EnvironmentUpdateRequest,
        response: { 200: EnvironmentResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, envId } = request.params;
      return toEnvironmentResponse(await services.envs.rename(orgId, appId, envId, request.body.name));
    },
  );
  app.delete(
    '/orgs/:orgId/apps/:appId/envs/:envId',
    {
      config: { permission: 'env.delete' },
      schema: {
        tags: ['Environment'],
        operationId: 'deleteEnvironment',
        description: 'Deprovisions the environment\'s resources, then deletes it. 502 when a resource could not be deprovisioned: the environment then stays in status `deleting` (retry with DELETE or POST .../baton/retry).',
        params: EnvParams,
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409, 502) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, envId } = request.params;
      await deployments.deleteEnvironment(orgId, appId, envId, request.user.id);
      return reply.status(204).send(null);
    },
  );
};
