/**
 * Active resources of an environment (Humanitec tag ActiveResource): list (secrets only as reference paths), delete,
 * and pin to a definition version.
 */
import { Type } from 'typebox';
import { NotFound } from '../../shared/errors.js';
import { PERMISSIONS, assertPermitted, evaluate } from '../permissions.js';
import { COMMON_ERRORS, EnvParams, IdParam, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';
import { DEFAULT_PER_PAGE, PagingQuery, pageFromStore, setNextLink } from './paging.js';

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

/** Baton: one row of `GET /orgs/{orgId}/baton/active-resource-usage` (no outputs, no secret references). */
const ActiveResourceUsageResponse = Type.Object(
  {
    app_id: Type.String(),
    env_id: Type.String(),
    type: Type.String(),
    class: Type.String(),
    res_id: Type.String(),
    gu_res_id: Type.String(),
    def_id: Type.String({ description: 'The Resource Definition that provisioned it.' }),
    def_version_id: Type.String(),
    deploy_id: Type.String({ description: 'The deployment that last provisioned it.' }),
    deploys_ago: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      description: "How many of the environment's deployments came after `deploy_id` (0: the newest provisioned it); null when `deploy_id` is not one of the environment's deployments.",
    }),
    status: Type.String(),
    orphaned: Type.Boolean({ description: 'The current deployment set no longer needs this resource (it is kept, not deprovisioned).' }),
    updated_at: Type.String(),
  },
  { title: 'BatonActiveResourceUsage' },
);

const UsageFilter = (what: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: what }));

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
    '/orgs/:orgId/baton/active-resource-usage',
    {
      config: { permission: 'active-resource-usage.read' },
      schema: {
        tags: ['baton'],
        operationId: 'batonListActiveResourceUsage',
        summary: 'Active resources across the apps and environments of the org, with their definitions and how many deployments ago each was provisioned.',
        description:
          "Baton: what `baton resources active-resource-usage` shows, in one request instead of one per environment. Ordered by app, environment and GUResID; always paged (`per_page`, default 50, and the `Link` header). Callers who may not read every app (`app.read`) see only the apps they hold a role on; with `def`, callers who may read resource definitions see every app's resources of that definition, as `GET …/resources/defs/{defId}/resources` shows them.",
        params: OrgParams,
        querystring: Type.Object({
          app: UsageFilter('Only this application (404 if the caller cannot see it).'),
          env: UsageFilter('Only environments with this id.'),
          def: UsageFilter('Only resources this Resource Definition provisioned (404 if there is no such definition).'),
          ...PagingQuery,
        }),
        response: { 200: Type.Array(ActiveResourceUsageResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      const { app: appId, env: envId, def: defId, per_page: perPage, page } = request.query;
      // Who sees which rows follows the routes this one replaces: every app for org roles granted `app.read`
      // outright; with `def`, also for those granted `resource-definitions.read` (the definition's own listing
      // shows every app); anyone else, the apps they hold an app role on.
      const orgRole = await request.user.access.orgRole(request.user.id, orgId);
      const readsEveryApp = evaluate('app.read', { orgRole }).allowed || (defId !== undefined && evaluate('resource-definitions.read', { orgRole }).allowed);
      if (appId !== undefined && !readsEveryApp) await assertPermitted(request.user, 'app.read', { orgId, appId });
      if (defId !== undefined) await definitions.get(orgId, defId);
      const member = readsEveryApp ? undefined : { userId: request.user.id, roles: PERMISSIONS['app.read'].app };
      const result = await deployments.resourceUsage(orgId, { appId, envId, defId, member }, { limit: perPage ?? DEFAULT_PER_PAGE, token: page });
      setNextLink(request, reply, result.nextToken, perPage);
      return result.items.map(({ guresid, ...row }) => ({ ...row, gu_res_id: guresid }));
    },
  );
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
