/**
 * What runs in an environment and its container logs, in Humanitec's shapes (`GET .../envs/{envId}/runtime`,
 * `GET .../envs/{envId}/logs`). Only targets that run workloads can answer (the local Podman runtime,
 * docs/local-runtime.md); for manifest targets (gitops, directory, Kubernetes apply) the runtime has no modules and
 * the logs are empty. Baton adds the published local ports under each module's `externals.ports`.
 */
import { Type } from 'typebox';
import { COMMON_ERRORS, EnvParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';

const RuntimeInfo = Type.Object(
  {
    namespace: Type.String(),
    modules: Type.Record(Type.String(), Type.Object({}, { additionalProperties: true })),
  },
  { title: 'RuntimeInfoResponseV1' },
);

const OutputEntry = Type.Object(
  {
    workload_id: Type.String(),
    container_id: Type.String(),
    level: Type.String(),
    payload: Type.String(),
    timestamp: Type.String(),
  },
  { title: 'OutputEntryResponse' },
);

const LogsQuery = Type.Object({
  workload_id: Type.Optional(Type.String({ maxLength: 253 })),
  container_id: Type.Optional(Type.String({ maxLength: 253 })),
  deployment_id: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  invert: Type.Optional(Type.Boolean()),
});

/** Podman's pod status as Kubernetes pod phases. */
function phaseOf(status: string): string {
  if (status === 'Running') return 'Running';
  if (status === 'Exited' || status === 'Stopped') return 'Failed';
  return 'Pending';
}

export const registerRuntimeRoutes: RouteModule = (app, deps) => {
  const { deployments } = deps;

  app.get(
    '/orgs/:orgId/apps/:appId/envs/:envId/runtime',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Runtime'],
        operationId: 'getRuntime',
        description: 'Workloads running in the environment, grouped by module and controller. Baton: answered by the local Podman runtime; empty `modules` for targets that only hold manifests.',
        params: EnvParams,
        response: { 200: RuntimeInfo, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, envId } = request.params;
      const runtime = await deployments.runtime(orgId, appId, envId);
      if (!runtime) return { namespace: `${appId}-${envId}`, modules: {} };
      const modules: Record<string, Record<string, unknown>> = {};
      for (const workload of runtime.workloads) {
        const ready = workload.status === 'Running' && workload.containers.every((c) => c.state === 'running');
        modules[workload.workload] = {
          profile: 'humanitec/default-module',
          spec: {},
          externals: { ports: workload.ports },
          [workload.workload]: {
            kind: 'Pod',
            replicas: 1,
            revision: 1,
            status: ready ? 'Success' : phaseOf(workload.status) === 'Failed' ? 'Failure' : 'Pending',
            message: `podman pod ${workload.pod}: ${workload.status}`,
            pods: [
              {
                podName: workload.pod,
                revision: 1,
                phase: phaseOf(workload.status),
                status: workload.status,
                containerStatuses: workload.containers.map((c) => ({
                  name: c.name,
                  image: c.image,
                  ready: c.state === 'running',
                  state:
                    c.state === 'running'
                      ? { running: { startedAt: c.startedAt ?? null } }
                      : c.state === 'exited'
                        ? { terminated: { exitCode: c.exitCode ?? null } }
                        : { waiting: { reason: c.state } },
                })),
              },
            ],
          },
        };
      }
      return { namespace: runtime.namespace, modules };
    },
  );

  app.get(
    '/orgs/:orgId/apps/:appId/envs/:envId/logs',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Runtime'],
        operationId: 'getEnvironmentLogs',
        description: 'Container log lines of the environment (newest last; `invert=true` newest first). Baton: from the local Podman runtime; secrets of the environment masked; empty for manifest targets.',
        params: EnvParams,
        querystring: LogsQuery,
        response: { 200: Type.Array(OutputEntry), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, envId } = request.params;
      const query = request.query;
      const entries = await deployments.containerLogs(orgId, appId, envId, {
        ...(query.workload_id !== undefined ? { workload: query.workload_id } : {}),
        ...(query.container_id !== undefined ? { container: query.container_id } : {}),
        ...(query.limit !== undefined ? { limit: query.limit } : {}),
      });
      const shaped = entries.map((e) => ({ workload_id: e.workload, container_id: e.container, level: e.level, payload: e.payload, timestamp: e.timestamp }));
      return query.invert === true ? shaped.reverse() : shaped;
    },
  );
};
