import { Type } from 'typebox';
import type { RouteModule } from './types.js';

/**
 * `GET /metrics`: Prometheus text format (src/metrics). By default it needs a bearer token like every other route
 * (RBAC permission `metrics.read`: give Prometheus a token of its own). `BATON_METRICS_PUBLIC=true` makes it public,
 * for clusters where only the scraper can reach the pod's port (a NetworkPolicy): the figures name routes, drivers
 * and statuses, never ids, values or secrets. Not registered when the server was built without metrics.
 */
export const registerMetricsRoutes: RouteModule = (app, deps) => {
  const metrics = deps.metrics;
  if (metrics === undefined) return;
  app.get(
    '/metrics',
    {
      config: deps.metricsPublic ? { public: true } : { permission: 'metrics.read' },
      schema: {
        tags: ['baton'],
        summary: 'Prometheus metrics of this replica (text exposition format).',
        produces: ['text/plain'],
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => {
      const { contentType, body } = await metrics.scrape();
      return reply.type(contentType).send(body);
    },
  );
};
