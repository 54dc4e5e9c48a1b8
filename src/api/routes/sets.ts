/**
 * Deployment Sets (Humanitec tag "Set"): list, get (optionally as a diff), apply a delta, diff two sets.
 *
 * The schemas here are Humanitec's response shapes written in OpenAPI-3.0-compatible JSON Schema (maps as
 * `additionalProperties`, no `const`/`null` types) so they serialise responses and document the API. Request bodies
 * are only checked for being objects here; src/sets `parseDelta` validates them fully and reports every problem
 * with its JSON Pointer.
 */
import { Type } from 'typebox';
import { AppParams, COMMON_ERRORS, IdParam, errorResponses } from '../schemas.js';
import { PagingQuery, pageRequest, setNextLink } from './paging.js';
import type { RouteModule } from './types.js';

const JsonMap = Type.Object({}, { additionalProperties: true });

export const UpdateActionResponse = Type.Object(
  {
    op: Type.String(),
    path: Type.String(),
    value: Type.Optional(Type.Unknown()),
    from: Type.Optional(Type.String()),
  },
  { title: 'UpdateActionResponse', description: 'One RFC 6902 JSON-Patch operation.' },
);

const ResourceRefResponse = Type.Object({
  type: Type.String(),
  class: Type.Optional(Type.String()),
  params: Type.Optional(JsonMap),
  id: Type.Optional(Type.String()),
});

const DeployConditionResponse = Type.Object(
  { when: Type.Optional(Type.String()), success: Type.Optional(Type.String()), timeout: Type.Optional(Type.Integer()) },
  { title: 'DeployConditionResponse' },
);

export const ModuleResponse = Type.Object(
  {
    profile: Type.String(),
    spec: JsonMap,
    externals: Type.Object({}, { additionalProperties: ResourceRefResponse }),
    deploy: Type.Optional(DeployConditionResponse),
  },
  { title: 'ModuleResponse' },
);

export const SetResponse = Type.Object(
  {
    id: Type.String({ description: 'The ID which is a hash of the content of the Deployment Set.' }),
    version: Type.Integer(),
    modules: Type.Object({}, { additionalProperties: ModuleResponse }),
    shared: Type.Object({}, { additionalProperties: ResourceRefResponse }),
  },
  { title: 'SetResponse' },
);

/** Humanitec's ResourceInputsResponse: one resource a set asks the graph for (src/sets/resource-inputs.ts). */
const ResourceInputsResponse = Type.Object(
  {
    id: Type.String({ description: 'The Resource ID in the Deployment Set.' }),
    type: Type.String({ description: 'The Resource type.' }),
    class: Type.Optional(Type.String({ description: 'The Resource class.' })),
    resource: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'The Resource input parameters specified in the deployment set.' })),
  },
  { additionalProperties: false, title: 'ResourceInputsResponse' },
);

export const ModuleDeltasResponse = Type.Object(
  {
    add: Type.Object({}, { additionalProperties: ModuleResponse }),
    remove: Type.Array(Type.String()),
    update: Type.Object({}, { additionalProperties: Type.Array(UpdateActionResponse) }),
  },
  { title: 'ModuleDeltasResponse' },
);

export const PlainDeltaResponse = Type.Object(
  { modules: ModuleDeltasResponse, shared: Type.Array(UpdateActionResponse) },
  { title: 'PlainDeltaResponse', description: 'A delta without id and metadata.' },
);

/** Humanitec `DeltaRequest`, documented loosely: the content is validated by src/sets `parseDelta`. */
export const DeltaRequest = Type.Object(
  {
    id: Type.Optional(Type.String({ description: 'Ignored, but can be provided.' })),
    metadata: Type.Optional(Type.Unknown({ description: 'DeltaMetadataRequest: name, env_id, shared (others are ignored).' })),
    modules: Type.Optional(Type.Unknown({ description: 'ModuleDeltasRequest: add (modules by id), remove (ids), update (JSON-Patch lists by module id).' })),
    shared: Type.Optional(Type.Unknown({ description: 'JSON-Patch operations on the shared resources map.' })),
  },
  { title: 'DeltaRequest', additionalProperties: true },
);

const SetParams = Type.Object({
  orgId: IdParam('Organization id'),
  appId: IdParam('Application id'),
  setId: IdParam('ID of the Deployment Set (`0` is the empty set).'),
});

const DiffParams = Type.Object({
  orgId: IdParam('Organization id'),
  appId: IdParam('Application id'),
  setId: IdParam('ID of the Deployment Set.'),
  sourceSetId: IdParam('ID of the Deployment Set to diff against.'),
});

export const registerSetRoutes: RouteModule = (app, deps) => {
  const { sets } = deps.sets;

  app.get(
    '/orgs/:orgId/apps/:appId/sets',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Set'],
        operationId: 'getSets',
        params: AppParams,
        querystring: Type.Object(PagingQuery),
        response: { 200: Type.Array(SetResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId, appId } = request.params;
      const page = await sets.list(orgId, appId, pageRequest(request.query));
      setNextLink(request, reply, page.nextToken, request.query.per_page);
      return page.items;
    },
  );

  app.get(
    '/orgs/:orgId/apps/:appId/sets/:setId',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Set'],
        operationId: 'getSet',
        params: SetParams,
        querystring: Type.Object({ diff: Type.Optional(IdParam('ID of the Deployment Set to compare against.')) }),
        response: { 200: Type.Union([SetResponse, PlainDeltaResponse]), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, setId } = request.params;
      if (request.query.diff !== undefined) return sets.diff(orgId, appId, setId, request.query.diff);
      return sets.get(orgId, appId, setId);
    },
  );

  app.get(
    '/orgs/:orgId/apps/:appId/sets/:setId/resources',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Set'],
        operationId: 'getSetResourceInputs',
        summary: 'Get Resource Inputs for the given Deployment Set',
        params: SetParams,
        response: { 200: Type.Array(ResourceInputsResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => sets.resourceInputs(request.params.orgId, request.params.appId, request.params.setId),
  );

  app.post(
    '/orgs/:orgId/apps/:appId/sets/:setId',
    {
      config: { permission: 'app.update' },
      schema: {
        tags: ['Set'],
        operationId: 'updateSet',
        description: 'Applies the Delta to the Set and stores the result; returns the new Set\'s ID as a JSON string.',
        params: SetParams,
        body: DeltaRequest,
        response: { 200: Type.String({ description: 'The ID of the resulting Deployment Set.' }), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, setId } = request.params;
      const id = await sets.applyDelta(orgId, appId, setId, request.body);
      // A string payload with a JSON content type is sent as is, so encode it here: the body is `"<id>"`.
      return reply.type('application/json; charset=utf-8').send(JSON.stringify(id));
    },
  );

  app.get(
    '/orgs/:orgId/apps/:appId/sets/:setId/diff/:sourceSetId',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Set'],
        operationId: 'getDiff',
        params: DiffParams,
        response: { 200: PlainDeltaResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, setId, sourceSetId } = request.params;
      return sets.diff(orgId, appId, setId, sourceSetId);
    },
  );
};
