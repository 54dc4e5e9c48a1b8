import { Type } from 'typebox';
import type { RouteModule } from './types.js';

export const registerHealthRoutes: RouteModule = (app, deps) => {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['baton'],
        summary: 'Liveness and readiness: the store answers a query.',
        response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String() }) },
      },
    },
    async () => {
      await deps.core.repos.orgs.get('healthz-probe');
      return { status: 'ok' as const, version: deps.version };
    },
  );
};
