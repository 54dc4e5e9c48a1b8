/**
 * Deployment Deltas (Humanitec tag "Delta"): list (filter by `env`, `archived`), create, get, merge (PATCH with an
 * array of deltas), replace (PUT), and the metadata setters `archived`, `env_id`, `name` (bodies are raw JSON values).
 */
import { Type } from 'typebox';
import { AppParams, COMMON_ERRORS, IdParam, NoContent, errorResponses } from '../schemas.js';
import { PagingQuery, pageRequest, setNextLink } from './paging.js';
import { DeltaRequest, ModuleDeltasResponse, UpdateActionResponse } from './sets.js';
import type { RouteModule } from './types.js';

export const DeltaMetadataResponse = Type.Object(
  {
    created_by: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    last_modified_at: Type.String({ format: 'date-time' }),
    archived: Type.Boolean(),
    contributers: Type.Array(Type.String()),
    env_id: Type.Optional(Type.String()),
    name: Type.Optional(Type.String()),
    shared: Type.Optional(Type.Boolean()),
  },
  { title: 'DeltaMetadataResponse' },
);

export const DeltaResponse = Type.Object(
  {
    id: Type.String({ description: 'A unique ID for the Delta (40 hex digits).' }),
    metadata: DeltaMetadataResponse,
    modules: ModuleDeltasResponse,
    shared: Type.Array(UpdateActionResponse),
  },
  { title: 'DeltaResponse' },
);

const DeltaParams = Type.Object({
  orgId: IdParam('Organization id'),
  appId: IdParam('Application id'),
  deltaId: IdParam('ID of the Delta.'),
});

const EnvironmentId = Type.String({ pattern: '^[a-z0-9](?:-?[a-z0-9]+)+$', maxLength: 50, description: 'An Environment ID.' });

export const registerDeltaRoutes: RouteModule = (app, deps) => {
  const { deltas } = deps.sets;

  app.get(
    '/orgs/:orgId/apps/:appId/deltas',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Delta'],
        operationId: 'listDeltas',
        params: AppParams,
        querystring: Type.Object({
          archived: Type.Optional(Type.Boolean({ description: 'If true, return archived Deltas (otherwise the non-archived ones).' })),
          env: Type.Optional(Type.String({ maxLength: 50, description: 'Only return Deltas associated with this Environment.' })),
          ...PagingQuery,
        }),
        response: { 200: Type.Array(DeltaResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId, appId } = request.params;
      const page = await deltas.list(orgId, appId, {
        envId: request.query.env,
        archived: request.query.archived,
        page: pageRequest(request.query),
      });
      setNextLink(request, reply, page.nextToken, request.query.per_page);
      return page.items;
    },
  );

  app.post(
    '/orgs/:orgId/apps/:appId/deltas',
    {
      config: { permission: 'app.update' },
      schema: {
        tags: ['Delta'],
        operationId: 'createDelta',
        description: 'Creates a Delta from the body\'s `modules`, `shared` and metadata `env_id`, `name`; a given `id` is ignored.',
        params: AppParams,
        body: DeltaRequest,
        response: { 200: DeltaResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => deltas.create(request.params.orgId, request.params.appId, request.body, request.user.id),
  );

  app.get(
    '/orgs/:orgId/apps/:appId/deltas/:deltaId',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Delta'],
        operationId: 'getDelta',
        params: DeltaParams,
        response: { 200: DeltaResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, deltaId } = request.params;
      return deltas.get(orgId, appId, deltaId);
    },
  );

  app.patch(
    '/orgs/:orgId/apps/:appId/deltas/:deltaId',
    {
      config: { permission: 'app.update' },
      schema: {
        tags: ['Delta'],
        operationId: 'patchDelta',
        description: 'Merges the Deltas of the body, in order, into this Delta; their `id` and `metadata` are ignored.',
        params: DeltaParams,
        body: Type.Array(DeltaRequest),
        response: { 200: DeltaResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => {
      const { orgId, appId, deltaId } = request.params;
      return deltas.merge(orgId, appId, deltaId, request.body, request.user.id);
    },
  );

  app.put(
    '/orgs/:orgId/apps/:appId/deltas/:deltaId',
    {
      config: { permission: 'app.update' },
      schema: {
        tags: ['Delta'],
        operationId: 'putDelta',
        description: 'Replaces the content of this Delta; the body\'s `id` and `metadata` are ignored.',
        params: DeltaParams,
        body: DeltaRequest,
        response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, deltaId } = request.params;
      await deltas.replace(orgId, appId, deltaId, request.body, request.user.id);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/orgs/:orgId/apps/:appId/deltas/:deltaId/metadata/archived',
    {
      config: { permission: 'app.update' },
      schema: {
        tags: ['Delta'],
        operationId: 'archiveDelta',
        params: DeltaParams,
        body: Type.Boolean({ description: 'Either `true` or `false`.' }),
        response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, deltaId } = request.params;
      await deltas.setArchived(orgId, appId, deltaId, request.body, request.user.id);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/orgs/:orgId/apps/:appId/deltas/:deltaId/metadata/env_id',
    {
      config: { permission: 'app.update' },
      schema: {
        tags: ['Delta'],
        operationId: 'changeEnvOfDelta',
        params: DeltaParams,
        body: EnvironmentId,
        response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, deltaId } = request.params;
      await deltas.setEnv(orgId, appId, deltaId, request.body, request.user.id);
      return reply.status(204).send(null);
    },
  );

  app.put(
    '/orgs/:orgId/apps/:appId/deltas/:deltaId/metadata/name',
    {
      config: { permission: 'app.update' },
      schema: {
        tags: ['Delta'],
        operationId: 'changeNameOfDelta',
        params: DeltaParams,
        body: Type.String({ maxLength: 1024, description: 'The new name (JSON-encoded string).' }),
        response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, deltaId } = request.params;
      await deltas.setName(orgId, appId, deltaId, request.body, request.user.id);
      return reply.status(204).send(null);
    },
  );
};
