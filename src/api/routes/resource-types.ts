import { Type } from 'typebox';
import type { ResourceType } from '../../resources/index.js';
import type { ResourceClassRow } from '../../resources/service/types-service.js';
import { COMMON_ERRORS, IdParam, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule, ServerDeps } from './types.js';

const FreeObject = (description?: string) => Type.Object({}, { additionalProperties: true, ...(description ? { description } : {}) });

export const ResourceTypeResponse = Type.Object(
  {
    type: Type.String(),
    name: Type.String(),
    category: Type.String(),
    use: Type.String(),
    inputs_schema: FreeObject(),
    outputs_schema: FreeObject(),
  },
  { title: 'ResourceTypeResponse' },
);

const ResourceTypeRequest = Type.Object(
  {
    type: Type.String({ description: '"<orgId>/<name>"' }),
    use: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    category: Type.Optional(Type.String()),
    inputs_schema: Type.Optional(FreeObject()),
    outputs_schema: Type.Optional(FreeObject()),
  },
  { additionalProperties: false, title: 'ResourceTypeRequest' },
);

const UpdateResourceTypeRequest = Type.Object(
  {
    use: Type.String(),
    name: Type.Optional(Type.String()),
    category: Type.Optional(Type.String()),
    inputs_schema: Type.Optional(FreeObject()),
    outputs_schema: Type.Optional(FreeObject()),
  },
  { additionalProperties: false, title: 'UpdateResourceTypeRequestRequest' },
);

const PatchResourceTypeRequest = Type.Partial(UpdateResourceTypeRequest, { additionalProperties: false, title: 'PatchResourceTypeRequestRequest' });

export const ResourceClassResponse = Type.Object(
  {
    id: Type.String(),
    resource_type: Type.String(),
    description: Type.String(),
    created_by: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
  },
  { title: 'ResourceClassResponse' },
);

const ResourceClassRequest = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 63 }), description: Type.Optional(Type.String()) },
  { additionalProperties: false, title: 'ResourceClassRequest' },
);
const UpdateResourceClassRequest = Type.Object({ description: Type.String() }, { additionalProperties: false, title: 'UpdateResourceClassRequest' });

const TypeParams = Type.Object({ orgId: IdParam('Organization id'), typeId: IdParam('Resource type, e.g. "postgres" or "<orgId>/<name>" (URL-encoded)') });
const ClassParams = Type.Object({
  orgId: IdParam('Organization id'),
  typeId: IdParam('Resource type'),
  classId: IdParam('Resource class id'),
});

function toTypeResponse(type: ResourceType) {
  return { ...type, outputs_schema: type.outputs_schema as unknown as Record<string, unknown> };
}
function toClassResponse(row: ResourceClassRow) {
  return { id: row.id, resource_type: row.resource_type, description: row.description, created_by: row.created_by, created_at: row.created_at };
}

export const registerResourceTypeRoutes: RouteModule = (app, deps: ServerDeps) => {
  const { types } = deps.resources;
  const tags = ['ResourceType'];

  app.get(
    '/orgs/:orgId/resources/types',
    { config: { permission: 'resource-types.read' }, schema: { tags, operationId: 'listResourceTypes', params: OrgParams, response: { 200: Type.Array(ResourceTypeResponse), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request) => (await types.list(request.params.orgId)).map(toTypeResponse),
  );
  app.post(
    '/orgs/:orgId/resources/types',
    {
      config: { permission: 'resource-types.write' },
      schema: { tags, operationId: 'createResourceType', params: OrgParams, body: ResourceTypeRequest, response: { 200: ResourceTypeResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) } },
    },
    async (request) => toTypeResponse(await types.create(request.params.orgId, request.body, request.user.id)),
  );
  app.put(
    '/orgs/:orgId/resources/types/:typeId',
    {
      config: { permission: 'resource-types.write' },
      schema: { tags, operationId: 'updateResourceType', params: TypeParams, body: UpdateResourceTypeRequest, response: { 200: ResourceTypeResponse, ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    async (request) => toTypeResponse(await types.replace(request.params.orgId, request.params.typeId, request.body)),
  );
  app.patch(
    '/orgs/:orgId/resources/types/:typeId',
    {
      config: { permission: 'resource-types.write' },
      schema: { tags, operationId: 'patchResourceType', params: TypeParams, body: PatchResourceTypeRequest, response: { 200: ResourceTypeResponse, ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    async (request) => toTypeResponse(await types.patch(request.params.orgId, request.params.typeId, request.body)),
  );
  app.delete(
    '/orgs/:orgId/resources/types/:typeId',
    { config: { permission: 'resource-types.write' }, schema: { tags, operationId: 'deleteResourceType', params: TypeParams, response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409) } } },
    async (request, reply) => {
      await types.delete(request.params.orgId, request.params.typeId);
      return reply.status(204).send(null);
    },
  );

  const classTags = ['ResourceClass'];
  app.get(
    '/orgs/:orgId/resources/classes',
    { config: { permission: 'resource-types.read' }, schema: { tags: classTags, operationId: 'listResourceClasses', params: OrgParams, response: { 200: Type.Array(ResourceClassResponse), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request) => (await types.listClasses(request.params.orgId)).map(toClassResponse),
  );
  app.post(
    '/orgs/:orgId/resources/types/:typeId/classes',
    {
      config: { permission: 'resource-types.write' },
      schema: {
        tags: classTags,
        operationId: 'createResourceClass',
        params: TypeParams,
        body: ResourceClassRequest,
        response: { 200: ResourceClassResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => toClassResponse(await types.createClass(request.params.orgId, request.params.typeId, request.body, request.user.id)),
  );
  app.get(
    '/orgs/:orgId/resources/types/:typeId/classes/:classId',
    { config: { permission: 'resource-types.read' }, schema: { tags: classTags, operationId: 'getResourceClass', params: ClassParams, response: { 200: ResourceClassResponse, ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request) => toClassResponse(await types.getClass(request.params.orgId, request.params.typeId, request.params.classId)),
  );
  app.patch(
    '/orgs/:orgId/resources/types/:typeId/classes/:classId',
    {
      config: { permission: 'resource-types.write' },
      schema: {
        tags: classTags,
        operationId: 'updateResourceClass',
        params: ClassParams,
        body: UpdateResourceClassRequest,
        response: { 200: ResourceClassResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) =>
      toClassResponse(await types.updateClass(request.params.orgId, request.params.typeId, request.params.classId, request.body.description)),
  );
  app.delete(
    '/orgs/:orgId/resources/types/:typeId/classes/:classId',
    { config: { permission: 'resource-types.write' }, schema: { tags: classTags, operationId: 'deleteResourceClass', params: ClassParams, response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => {
      await types.deleteClass(request.params.orgId, request.params.typeId, request.params.classId);
      return reply.status(204).send(null);
    },
  );
};
