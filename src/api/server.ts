/**
 * The HTTP server. `buildServer` assembles Fastify (validation, auth, error mapping, OpenAPI, routes) over the
 * services the composition root (src/baton/create-baton.ts) built; it does not listen, so tests can `inject()`.
 *
 * Extension point: a new route module is a `RouteModule` in src/api/routes/<concern>.ts, added to ROUTE_MODULES.
 */
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { BatonServices } from '../baton/services.js';
import type { LogLevel } from '../config/index.js';
import type { Metrics } from '../metrics/index.js';
import { assertJsonTextDepth } from '../shared/input-limits.js';
import { installAuditLog } from './audit.js';
import { installAuth } from './auth.js';
import { createAuthFailureLimiter } from './auth-rate-limit.js';
import type { AuthFailureLimiter } from './auth-rate-limit.js';
import { installErrorHandling } from './errors.js';
import { installRequestIdHeader, installRequestIds, installRequestMetrics } from './observability.js';
import { registerAppRoutes } from './routes/apps.js';
import { registerEnvTypeRoutes } from './routes/env-types.js';
import { registerEnvRoutes } from './routes/envs.js';
import { registerSetRoutes } from './routes/sets.js';
import { registerDeltaRoutes } from './routes/deltas.js';
import { registerScoreRoutes } from './routes/score.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMetricsRoutes } from './routes/metrics.js';
import { registerOrgRoutes } from './routes/orgs.js';
import type { BatonApp, RouteModule, ServerDeps } from './routes/types.js';
import { registerUserRoutes } from './routes/users.js';
import { registerTokenRoutes } from './routes/tokens.js';
import { registerValueRoutes } from './routes/values.js';
import { registerResourceTypeRoutes } from './routes/resource-types.js';
import { registerResourceDefinitionRoutes } from './routes/resource-definitions.js';
import { registerResourceGraphRoutes } from './routes/resource-graphs.js';
import { registerDriverRoutes } from './routes/drivers.js';
import { registerMatchRoutes } from './routes/match.js';
import { registerDeploymentRoutes } from './routes/deployments.js';
import { registerActiveResourceRoutes } from './routes/active-resources.js';
import { registerEnvironmentLifecycleRoutes } from './routes/environment-lifecycle.js';
import { registerWorkloadProfileRoutes } from './routes/workload-profiles.js';
import { registerGitOpsRoutes } from './routes/gitops.js';
import { registerRuntimeRoutes } from './routes/runtime.js';
import { registerSecretStoreRoutes } from './routes/secret-stores.js';
import { registerArtefactRoutes } from './routes/artefacts.js';
import { registerRuleRoutes } from './routes/rules.js';
import { registerWebhookRoutes } from './routes/webhooks.js';
import { registerUnservedRoutes } from './routes/unserved.js';
import { registerResourceAccountRoutes } from './routes/resource-accounts.js';
import { registerRegistryRoutes } from './routes/registries.js';
import { registerPublicKeyRoutes } from './routes/public-keys.js';
import { registerUiRoutes } from './routes/ui.js';
import { registerAuditLogRoutes } from './routes/audit-logs.js';
import { installValidation } from './validation.js';

export type { BatonApp, RouteModule, ServerDeps } from './routes/types.js';

/** Every route module, registered in this order. Add one line per new module. */
export const ROUTE_MODULES: readonly RouteModule[] = [
  registerHealthRoutes,
  registerMetricsRoutes,
  registerOrgRoutes,
  registerUserRoutes,
  registerTokenRoutes,
  registerEnvTypeRoutes,
  registerAppRoutes,
  registerEnvRoutes,
  registerSetRoutes,
  registerDeltaRoutes,
  registerScoreRoutes,
  registerResourceTypeRoutes,
  registerResourceDefinitionRoutes,
  registerResourceGraphRoutes,
  registerDriverRoutes,
  registerMatchRoutes,
  registerValueRoutes,
  registerDeploymentRoutes,
  registerActiveResourceRoutes,
  registerEnvironmentLifecycleRoutes,
  registerRuntimeRoutes,
  registerWorkloadProfileRoutes,
  registerGitOpsRoutes,
  registerSecretStoreRoutes,
  registerArtefactRoutes,
  registerRuleRoutes,
  registerWebhookRoutes,
  registerResourceAccountRoutes,
  registerRegistryRoutes,
  registerPublicKeyRoutes,
  registerAuditLogRoutes,
  registerUnservedRoutes,
  registerUiRoutes,
];

export interface BuildServerOptions {
  /** The process's services, built once by the composition root (src/baton/create-baton.ts). */
  services: BatonServices;
  version: string;
  logLevel?: LogLevel;
  /** The failed-authentication limiter (shared with `POST /baton/login`); default: the defaults of src/api/auth-rate-limit.ts. */
  authFailures?: AuthFailureLimiter;
  /** The process's metrics: every request is timed into them and `/metrics` serves them. Absent: no `/metrics`. */
  metrics?: Metrics;
  /** `/metrics` without a token (config `BATON_METRICS_PUBLIC`); otherwise it needs a token (permission `metrics.read`). */
  metricsPublic?: boolean;
  /** Override the module list (tests); defaults to ROUTE_MODULES. */
  routeModules?: readonly RouteModule[];
}

/** A route as registered (HEAD twins of GET routes excluded), for the OpenAPI completeness and permission tests. */
export interface RegisteredRoute {
  method: string;
  url: string;
  /** `config.permission`: the permission-matrix key the route needs (src/api/permissions.ts). */
  permission?: string | undefined;
  /** `config.public`: served without authentication. */
  public?: boolean | undefined;
  /** Left out of the OpenAPI document (`schema.hide`): the 501 answers for unserved Humanitec operations. */
  hidden?: boolean | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered on this server, in registration order. */
    registeredRoutes: RegisteredRoute[];
  }
}

export async function buildServer(options: BuildServerOptions): Promise<BatonApp> {
  const { services } = options;
  const app = Fastify({
    logger: {
      level: options.logLevel ?? 'info',
      redact: ['req.headers.authorization'],
    },
    // Baton ids never contain these, and a trailing slash should not be a different resource.
    routerOptions: { ignoreTrailingSlash: true },
    // Every log line of a request carries `reqId`: the caller's `x-request-id` when it is a safe token, else a new UUID.
    ...installRequestIds(),
  }).withTypeProvider<TypeBoxTypeProvider>();
  installRequestIdHeader(app);
  if (options.metrics !== undefined) installRequestMetrics(app, options.metrics);

  const registeredRoutes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', registeredRoutes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      const config = (route.config ?? {}) as { permission?: string; public?: boolean };
      const hidden = (route.schema)?.hide === true;
      if (method !== 'HEAD') registeredRoutes.push({ method, url: route.url, permission: config.permission, public: config.public, hidden });
    }
  });

  // JSON bodies: Fastify's parser (`__proto__`/`constructor` keys refused), after a linear scan that refuses
  // nesting deeper than MAX_INPUT_DEPTH (400), so no body reaches a recursive walker deep enough to overflow it.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    try {
      assertJsonTextDepth(String(body), 'request body');
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    void defaultJson(request, body as string, done);
  });

  installValidation(app);
  installErrorHandling(app);
  const authFailures = options.authFailures ?? createAuthFailureLimiter();
  installAuth(app, services.core, authFailures);
  installAuditLog(app, services.audit, options.metrics);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Baton API',
        version: options.version,
        description: 'Humanitec-compatible Platform Orchestrator API. Baton-only endpoints live under /baton/.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, () => app.swagger());

  const deps: ServerDeps = {
    ...services,
    version: options.version,
    authFailures,
    ...(options.metrics !== undefined ? { metrics: options.metrics } : {}),
    metricsPublic: options.metricsPublic === true,
  };
  for (const register of options.routeModules ?? ROUTE_MODULES) await register(app, deps);
  await app.ready();
  return app;
}
