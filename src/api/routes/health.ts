import { Type } from 'typebox';
import { HumanitecErrorSchema } from '../errors.js';
import type { RouteModule } from './types.js';

/**
 * `/healthz` is liveness: it touches no database and answers at once while the process runs. `/readyz` is
 * readiness: 200 when the database answers and every migration is applied, else 503 with the error body.
 * Both are public (no token), for load balancers and Kubernetes probes.
 */
export const registerHealthRoutes: RouteModule = (app, deps) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['baton'],
        summary: 'Liveness: the process runs (no database access).',
        response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String() }) },
      },
    },
    () => ({ status: 'ok' as const, version: deps.version }),
  );
  app.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        tags: ['baton'],
        summary: 'Readiness: the database answers and its migrations are current (503 otherwise).',
        response: { 200: Type.Object({ status: Type.Literal('ready'), version: Type.String() }), 503: HumanitecErrorSchema },
      },
    },
    async () => {
      await deps.health.ready();
      return { status: 'ready' as const, version: deps.version };
    },
  );
};
