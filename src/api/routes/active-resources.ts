/**
 * Active resources of an environment (Humanitec tag ActiveResource): list (secrets only as reference paths), delete,
 * and pin to a definition version.
 */
import { Type } from 'typebox';
import { NotFound } from '../../shared/errors.js';
import { COMMON_ERRORS, EnvParams, IdParam, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';
import { PagingQuery, pageFromStore } from './paging.js';

export const ActiveResourceResponse = Type.Object(
  {
    org_id: Type.String(),
    app_id: Type.String(),
    env_id: Type.String(),
    env_type: Type.String(),
    type: Type.String(),
    class: Type.String(),
    res_id: Type.String(),
    gu_res_id: Type.String(),
    def_id: Type.String(),
    def_version_id: Type.String(),
    target_def_version_id: Type.Optional(Type.String({ description: 'The Resource Definition Version pinned to this resource to be provisioned from.' })),
    criteria_id: Type.Optional(Type.String()),
    driver_type: Type.String(),
    driver_account: Type.Optional(Type.String()),
    deploy_id: Type.String(),
    resource: Type.Object({}, { additionalProperties: true }),
    secret_refs: Type.Record(Type.String(), Type.String()),
    status: Type.String(),
    scheduled_deletion: Type.Boolean(),
    updated_at: Type.String(),
    orphaned: Type.Boolean({ description: 'Baton: the current deployment set no longer needs this resource (it is kept, not deprovisioned).' }),
    last_error: Type.Optional(Type.String({ description: 'Baton: why deprovisioning failed (status `deprovision_failed`), secrets masked.' })),
  },
  { title: 'ActiveResourceResponse' },
);

/** Humanitec's ActiveResourceTargetDefinitionRequest (`null` unpins). */
const ActiveResourceTargetDefinitionRequest = Type.Object(
  { target_def_version_id: Type.Union([Type.String({ minLength: 1, maxLength: 256 }), Type.Null()], { description: 'The Resource Definition Version to pin the resource to; null unpins it.' }) },
  { additionalProperties: false, title: 'ActiveResourceTargetDefinitionRequest' },
);
const ResourceParams = Type.Object({ ...EnvParams.properties, type: IdParam('Resource type, optionally `.class`'), resId: IdParam('Resource id') });

export const registerActiveResourceRoutes: RouteModule = (app, deps) => {
  const { deployments } = deps;
  const { definitions } = deps.resources;
  app.get(
    '/orgs/:orgId/apps/:appId/envs/:envId/resources',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['ActiveResource'],
        operationId: 'listActiveResources',
        params: EnvParams,
        querystring: Type.Object({ orphaned: Type.Optional(Type.Boolean()), scheduled_deletion: Type.Optional(Type.Boolean()), ...PagingQuery }),
        response: { 200: Type.Array(ActiveResourceResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, envId } = request.params;
      const { orphaned, scheduled_deletion: scheduledDeletion } = request.query;
      const whole = async () => {
        const views = await deployments.resources(orgId, appId, envId, { orphaned });
        return scheduledDeletion === undefined ? views : views.filter((v) => v.scheduled_deletion === scheduledDeletion);
      };
      return pageFromStore(request, reply, request.query, whole, (page) => deployments.resourcesPage(orgId, appId, envId, { orphaned, scheduledDeletion }, page));
    },
  );
  app.delete(
    '/orgs/:orgId/apps/:appId/envs/:envId/resources/:type/:resId',
    {
      config: { permission: 'env.deploy' },
      schema: {
        tags: ['ActiveResource'],
        operationId: 'deleteActiveResource',
        params: ResourceParams,
        querystring: Type.Object({ detach: Type.Optional(Type.Boolean({ description: 'Forget the resource without deprovisioning it' })) }),
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409, 502) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, envId, type, resId } = request.params;
      await deployments.deleteResource(orgId, appId, envId, type, resId, request.query.detach === true);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/orgs/:orgId/apps/:appId/envs/:envId/resources/:type/:resId/actions/pin',
    {
      config: { permission: 'env.deploy' },
      schema: {
        tags: ['ActiveResource'],
        operationId: 'pinActiveResource',
        summary: 'Pin Active Resource to a target Resource Definition Version.',
        params: ResourceParams,
        body: ActiveResourceTargetDefinitionRequest,
        response: { 200: ActiveResourceResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => {
      const { orgId, appId, envId, type, resId } = request.params;
      const pinned = await definitions.pin(orgId, appId, envId, type, resId, request.body.target_def_version_id);
      const views = await deployments.resources(orgId, appId, envId);
      const view = views.find((v) => v.gu_res_id === pinned.guresid);
      if (!view) throw new NotFound('active resource', `${type}/${resId}`, undefined, { env_id: envId });
      return view;
    },
  );
};
