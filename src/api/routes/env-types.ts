import { Type } from 'typebox';
import type { EnvTypeRow } from '../../org/index.js';
import { COMMON_ERRORS, IdParam, IdSchema, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';
import { PagingQuery, pageList } from './paging.js';

export const EnvironmentTypeResponse = Type.Object(
  { id: Type.String(), description: Type.String() },
  { title: 'EnvironmentTypeResponse' },
);
export const EnvironmentTypeRequest = Type.Object(
  { id: IdSchema('The ID of the Environment Type (unique within the organization).'), description: Type.Optional(Type.String()) },
  { additionalProperties: false, title: 'EnvironmentTypeRequest' },
);
const UpdateEnvironmentTypeRequest = Type.Object(
  { description: Type.Optional(Type.String()) },
  { additionalProperties: false, title: 'UpdateEnvironmentTypePayloadRequest' },
);
const EnvTypeParams = Type.Object({ orgId: IdParam('Organization id'), envTypeId: IdParam('Environment type id') });

const toResponse = (row: EnvTypeRow) => ({ id: row.id, description: row.description });

export const registerEnvTypeRoutes: RouteModule = (app, { core: services }) => {
  app.get(
    '/orgs/:orgId/env-types',
    {
      config: { permission: 'env-types.read' },
      schema: {
        tags: ['EnvironmentType'],
        operationId: 'listEnvironmentTypes',
        params: OrgParams,
        querystring: Type.Object(PagingQuery),
        response: { 200: Type.Array(EnvironmentTypeResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => pageList(request, reply, request.query, (await services.envTypes.list(request.params.orgId)).map(toResponse), (t) => t.id),
  );
  app.post(
    '/orgs/:orgId/env-types',
    {
      config: { permission: 'env-types.write' },
      schema: {
        tags: ['EnvironmentType'],
        operationId: 'createEnvironmentType',
        params: OrgParams,
        body: EnvironmentTypeRequest,
        response: { 201: EnvironmentTypeResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const row = await services.envTypes.create(request.params.orgId, request.body, request.user.id);
      return reply.status(201).send(toResponse(row));
    },
  );
  app.get(
    '/orgs/:orgId/env-types/:envTypeId',
    {
      config: { permission: 'env-types.read' },
      schema: {
        tags: ['EnvironmentType'],
        operationId: 'getEnvironmentType',
        params: EnvTypeParams,
        response: { 200: EnvironmentTypeResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => toResponse(await services.envTypes.get(request.params.orgId, request.params.envTypeId)),
  );
  app.patch(
    '/orgs/:orgId/env-types/:envTypeId',
    {
      config: { permission: 'env-types.write' },
      schema: {
        tags: ['EnvironmentType'],
        operationId: 'updateEnvironmentType',
        params: EnvTypeParams,
        body: UpdateEnvironmentTypeRequest,
        response: { 200: EnvironmentTypeResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => toResponse(await services.envTypes.update(request.params.orgId, request.params.envTypeId, request.body)),
  );
  app.delete(
    '/orgs/:orgId/env-types/:envTypeId',
    {
      config: { permission: 'env-types.write' },
      schema: {
        tags: ['EnvironmentType'],
        operationId: 'deleteEnvironmentType',
        params: EnvTypeParams,
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      await services.envTypes.delete(request.params.orgId, request.params.envTypeId);
      return reply.status(204).send(null);
    },
  );
};
