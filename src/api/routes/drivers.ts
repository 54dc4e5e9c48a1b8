import { Type } from 'typebox';
import { COMMON_ERRORS, IdParam, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';

const FreeObject = () => Type.Record(Type.String(), Type.Unknown());

export const DriverDefinitionResponse = Type.Object(
  {
    org_id: Type.String(),
    id: Type.String(),
    type: Type.String({ description: 'Resource type the driver produces (`*`: any).' }),
    target: Type.Optional(Type.String()),
    account_types: Type.Array(Type.String()),
    inputs_schema: FreeObject(),
    template: Type.Optional(Type.Unknown()),
    is_public: Type.Boolean(),
  },
  { title: 'DriverDefinitionResponse' },
);

const UpdateDriverRequest = Type.Object(
  {
    type: Type.String({ minLength: 1 }),
    target: Type.String({ minLength: 1 }),
    account_types: Type.Array(Type.String()),
    inputs_schema: FreeObject(),
    template: Type.Optional(Type.Unknown()),
    is_public: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'UpdateDriverRequestRequest' },
);
const CreateDriverRequest = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 100 }),
    type: Type.String({ minLength: 1 }),
    target: Type.String({ minLength: 1 }),
    account_types: Type.Array(Type.String()),
    inputs_schema: FreeObject(),
    template: Type.Optional(Type.Unknown()),
    is_public: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'CreateDriverRequestRequest' },
);

const DriverParams = Type.Object({ orgId: IdParam('Organization id'), driverId: IdParam('Driver id') });

export const registerDriverRoutes: RouteModule = (app, deps) => {
  const { drivers } = deps.resources;
  const tags = ['DriverDefinition'];
  app.get(
    '/orgs/:orgId/resources/drivers',
    { config: { permission: 'drivers.read' }, schema: { tags, operationId: 'listResourceDrivers', params: OrgParams, response: { 200: Type.Array(DriverDefinitionResponse), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request) => drivers.list(request.params.orgId),
  );
  app.post(
    '/orgs/:orgId/resources/drivers',
    {
      config: { permission: 'drivers.write' },
      schema: {
        tags,
        operationId: 'createResourceDriver',
        params: OrgParams,
        body: CreateDriverRequest,
        response: { 200: DriverDefinitionResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => drivers.create(request.params.orgId, request.body, request.user.id),
  );
  app.get(
    '/orgs/:orgId/resources/drivers/:driverId',
    { config: { permission: 'drivers.read' }, schema: { tags, operationId: 'getResourceDriver', params: DriverParams, response: { 200: DriverDefinitionResponse, ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request) => drivers.get(request.params.orgId, request.params.driverId),
  );
  app.put(
    '/orgs/:orgId/resources/drivers/:driverId',
    {
      config: { permission: 'drivers.write' },
      schema: {
        tags,
        operationId: 'updateResourceDriver',
        params: DriverParams,
        body: UpdateDriverRequest,
        response: { 200: DriverDefinitionResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => drivers.update(request.params.orgId, request.params.driverId, request.body),
  );
  app.delete(
    '/orgs/:orgId/resources/drivers/:driverId',
    { config: { permission: 'drivers.write' }, schema: { tags, operationId: 'deleteResourceDriver', params: DriverParams, response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409) } } },
    async (request, reply) => {
      await drivers.delete(request.params.orgId, request.params.driverId);
      return reply.status(204).send(null);
    },
  );
};
