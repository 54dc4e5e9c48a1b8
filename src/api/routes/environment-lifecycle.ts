/**
 * Deleting environments and applications (docs/engine.md, "Lifecycle"): resources are deprovisioned first
 * (dependents first, continuing past failures), the env leaves its deployment target, and only then are the rows
 * deleted. A deletion that leaves resources behind keeps the env (and app) in status `deleting` and answers 502
 * naming them; `DELETE` again or `POST .../envs/{envId}/baton/retry` retries.
 *
 * The env and app routes (routes/envs.ts, routes/apps.ts) know nothing of the engine: a `preHandler` hook here
 * answers their DELETE (the route handler then does not run) and refuses new environments in an app being deleted.
 * Like every route but `/healthz` and `/openapi.json`, the retry route needs a bearer token (the auth hook,
 * src/api/auth.ts, which also runs `authorize` for it).
 */
import { Type } from 'typebox';
import { COMMON_ERRORS, EnvParams, errorResponses } from '../schemas.js';
import { engineOf } from './deployments.js';
import type { RouteModule } from './types.js';

export const registerEnvironmentLifecycleRoutes: RouteModule = (app, deps) => {
  const { lifecycle } = engineOf(app, deps);

  app.post(
    '/orgs/:orgId/apps/:appId/envs/:envId/baton/retry',
    {
      schema: {
        tags: ['Environment'],
        operationId: 'batonRetryEnvironmentDeletion',
        description:
          'Baton: retries the deletion of an environment in status `deleting` (the same as DELETE again): deprovisions what is left and, when nothing is, deletes the environment (204). 502 naming what still failed; 409 when the environment is not being deleted.',
        params: EnvParams,
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409, 502) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, envId } = request.params;
      await lifecycle.retryEnvironment(orgId, appId, envId);
      return reply.status(204).send(null);
    },
  );

  app.addHook('preHandler', async (request, reply) => {
    const url = request.routeOptions.url;
    const params = request.params as { orgId?: string; appId?: string; envId?: string };
    if (!params.orgId || !params.appId) return;
    if (request.method === 'DELETE' && url === '/orgs/:orgId/apps/:appId/envs/:envId' && params.envId) {
      await lifecycle.deleteEnvironment(params.orgId, params.appId, params.envId);
      return reply.status(204).send(null);
    }
    if (request.method === 'DELETE' && url === '/orgs/:orgId/apps/:appId') {
      await lifecycle.deleteApplication(params.orgId, params.appId);
      return reply.status(204).send(null);
    }
    if (request.method === 'POST' && url === '/orgs/:orgId/apps/:appId/envs') {
      await lifecycle.assertAcceptsEnvironments(params.orgId, params.appId);
    }
    return undefined;
  });
};
