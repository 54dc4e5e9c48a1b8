import { Type } from 'typebox';
import { COMMON_ERRORS, EnvParams, IdParam, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';

const FreeObject = () => Type.Record(Type.String(), Type.Unknown());

export const NodeBodyResponse = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    class: Type.String(),
    guresid: Type.String(),
    def_id: Type.String(),
    def_version_id: Type.String(),
    criteria_id: Type.String(),
    driver_type: Type.String(),
    driver_account: Type.Optional(Type.String()),
    driver: FreeObject(),
    depends_on: Type.Array(Type.String()),
    resource: FreeObject(),
    resource_schema: FreeObject(),
    in_place_driver_change: Type.Boolean(),
  },
  { title: 'NodeBodyResponse' },
);

const DependencyGraphResponse = Type.Object(
  {
    id: Type.String(),
    hash: Type.String({ description: 'sha256 of the canonical node list: equal graphs have equal hashes.' }),
    nodes: Type.Array(NodeBodyResponse, { description: 'In provisioning order.' }),
    created_at: Type.String({ format: 'date-time' }),
    used_at: Type.String({ format: 'date-time' }),
  },
  { title: 'DependencyGraphResponse' },
);

const ResourceProvisionRequest = Type.Object(
  {
    id: Type.String({ minLength: 1, description: 'modules.<workload>.externals.<name>, shared.<name>, or modules.<workload> (type workload)' }),
    type: Type.String({ minLength: 1 }),
    class: Type.Optional(Type.String()),
    resource: Type.Optional(FreeObject()),
  },
  { additionalProperties: false, title: 'ResourceProvisionRequestRequest' },
);

const GraphParams = Type.Object({
  orgId: IdParam('Organization id'),
  appId: IdParam('Application id'),
  envId: IdParam('Environment id'),
  graphId: IdParam('Graph id'),
});

export const registerResourceGraphRoutes: RouteModule = (app, deps) => {
  const { graphs } = deps.resources;
  const tags = ['ResourceProvision'];
  app.post(
    '/orgs/:orgId/apps/:appId/envs/:envId/resources/graphs',
    {
      config: { permission: 'env.graph' },
      schema: {
        tags,
        operationId: 'createDependencyGraph',
        params: EnvParams,
        body: Type.Array(ResourceProvisionRequest),
        response: { 200: DependencyGraphResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, envId } = request.params;
      return graphs.create(orgId, appId, envId, request.body);
    },
  );
  app.get(
    '/orgs/:orgId/apps/:appId/envs/:envId/resources/graphs/:graphId',
    {
      config: { permission: 'app.read' },
      schema: { tags, operationId: 'getDependencyGraph', params: GraphParams, response: { 200: DependencyGraphResponse, ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    async (request) => {
      const { orgId, appId, envId, graphId } = request.params;
      return graphs.get(orgId, appId, envId, graphId);
    },
  );
  app.post(
    '/orgs/:orgId/apps/:appId/envs/:envId/resources/graph',
    {
      config: { permission: 'env.graph' },
      schema: {
        tags,
        operationId: 'queryResourceGraph',
        deprecated: true,
        params: EnvParams,
        body: Type.Array(ResourceProvisionRequest),
        response: { 200: Type.Array(NodeBodyResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, envId } = request.params;
      return (await graphs.create(orgId, appId, envId, request.body)).nodes;
    },
  );
};
