/**
 * Deleting environments and applications (docs/internals/engine.md, "Lifecycle"): resources are deprovisioned first
 * (dependents first, continuing past failures), the env leaves its deployment target, and only then are the rows
 * deleted. A deletion that leaves resources behind keeps the env (and app) in status `deleting` and answers 502
 * naming them; `DELETE` again or `POST .../envs/{envId}/baton/retry` retries.
 *
 * `DELETE` of an env or an app is those routes' own handler (routes/envs.ts, routes/apps.ts), calling the same
 * deployments service; this module adds the retry route. Like every route but `/healthz` and `/openapi.json`, the retry route needs a bearer token (the auth hook,
 * src/api/auth.ts, which also runs `authorize` for it).
 */
import { Type } from 'typebox';
import { COMMON_ERRORS, EnvParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';

export const registerEnvironmentLifecycleRoutes: RouteModule = (app, deps) => {
  const { deployments } = deps;

  app.post(
    '/orgs/:orgId/apps/:appId/envs/:envId/baton/retry',
    {
      config: { permission: 'env.deploy' },
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
      await deployments.retryEnvironmentDeletion(orgId, appId, envId, request.user.id);
      return reply.status(204).send(null);
    },
  );
};
