/**
 * The HTTP server. `buildServer` assembles Fastify (validation, auth, error mapping, OpenAPI, routes) without
 * listening, so tests can `inject()`; `startServer` opens the store, seeds on first start and listens.
 *
 * Extension point: a new route module is a `RouteModule` in src/api/routes/<concern>.ts, added to ROUTE_MODULES.
 */
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { Config, LogLevel } from '../config/index.js';
import { BATON_VERSION } from '../config/index.js';
import { bootstrap, createCoreServices } from '../org/index.js';
import type { BootstrapResult, CoreServices } from '../org/index.js';
import { createStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { installAuth } from './auth.js';
import { installErrorHandling } from './errors.js';
import { registerAppRoutes } from './routes/apps.js';
import { registerEnvTypeRoutes } from './routes/env-types.js';
import { registerEnvRoutes } from './routes/envs.js';
import { registerSetRoutes } from './routes/sets.js';
import { registerDeltaRoutes } from './routes/deltas.js';
import { registerScoreRoutes } from './routes/score.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerOrgRoutes } from './routes/orgs.js';
import type { BatonApp, RouteModule, ServerDeps } from './routes/types.js';
import { registerUserRoutes } from './routes/users.js';
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
import { attachEngine, createEngine, createRegistry, developmentDefinitions, engineFor } from '../engine/index.js';
import { createValueSource } from '../values/index.js';
import type { DriverRegistry } from '../drivers/registry.js';
import { SecretBox, loadOrCreateSecretKey, secretKeyFromBytes } from '../secrets/index.js';
import { randomBytes } from 'node:crypto';
import { installValidation } from './validation.js';

export type { BatonApp, RouteModule, ServerDeps } from './routes/types.js';

/** Every route module, registered in this order. Add one line per new module. */
export const ROUTE_MODULES: readonly RouteModule[] = [
  registerHealthRoutes,
  registerOrgRoutes,
  registerUserRoutes,
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
  registerWorkloadProfileRoutes,
];

export interface BuildServerOptions {
  store: Store;
  /** Defaults to `createCoreServices(store)`. */
  services?: CoreServices;
  logLevel?: LogLevel;
  /** Override the module list (tests); defaults to ROUTE_MODULES. */
  routeModules?: readonly RouteModule[];
  /** Seals secrets at rest. `startServer` passes the persistent key; the default (a fresh random key) suits tests only. */
  secretBox?: SecretBox;
  /** Defaults to the attached engine's registry, else `createRegistry()` (src/engine): API and engine share one. */
  drivers?: DriverRegistry;
}

/** A route as registered (HEAD twins of GET routes excluded), for the OpenAPI completeness test. */
export interface RegisteredRoute {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered on this server, in registration order. */
    registeredRoutes: RegisteredRoute[];
  }
}

export async function buildServer(options: BuildServerOptions): Promise<BatonApp> {
  const services = options.services ?? createCoreServices(options.store);
  const app = Fastify({
    logger: {
      level: options.logLevel ?? 'info',
      redact: ['req.headers.authorization'],
    },
    // Baton ids never contain these, and a trailing slash should not be a different resource.
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const registeredRoutes: RegisteredRoute[] = [];
  app.decorate('registeredRoutes', registeredRoutes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') registeredRoutes.push({ method, url: route.url });
    }
  });

  installValidation(app);
  installErrorHandling(app);
  installAuth(app, services);

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Baton API',
        version: BATON_VERSION,
        description: 'Humanitec-compatible Platform Orchestrator API. Baton-only endpoints live under /baton/.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, () => app.swagger());

  const deps: ServerDeps = { store: options.store, services, version: BATON_VERSION, secretBox: options.secretBox ?? new SecretBox(secretKeyFromBytes(randomBytes(32))), drivers: options.drivers ?? engineFor(options.store)?.registry ?? createRegistry() };
  for (const register of options.routeModules ?? ROUTE_MODULES) await register(app, deps);
  await app.ready();
  return app;
}

export interface RunningServer {
  app: BatonApp;
  store: Store;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  bootstrap: BootstrapResult;
  close(): Promise<void>;
}

/** What `baton serve` runs: open (and migrate) the store, seed on first start, listen. */
export async function startServer(config: Config): Promise<RunningServer> {
  const store = await createStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const services = createCoreServices(store);
    const seeded = await bootstrap(services, { orgId: config.org, bootstrapToken: config.bootstrapToken, dataDir: config.dataDir });
    const secretBox = new SecretBox(loadOrCreateSecretKey({ dataDir: config.dataDir, secretKey: config.secretKey }));
    const engine = attachEngine(store, createEngine(store, services, {
      dataDir: config.dataDir,
      box: secretBox,
      values: createValueSource(store, secretBox),
      fallbackDefinitions: developmentDefinitions({
        postgresUrl: config.devPostgresUrl,
        mysqlUrl: config.devMysqlUrl,
        redisUrl: config.devRedisUrl,
        amqpUrl: config.devAmqpUrl,
      }),
    }));
    const app = await buildServer({ store, services, logLevel: config.logLevel, secretBox });
    await app.listen({ port: config.port, host: config.host });
    engine.start();
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    return {
      app,
      store,
      url: `http://${host}:${port}`,
      bootstrap: seeded,
      async close() {
        await engine.stop();
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
