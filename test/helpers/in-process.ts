/**
 * Baton in this process: a migrated store (SQLite or PostgreSQL), the first-start seed, and the Fastify app.
 * Use `app.inject()` for fast tests, or `listen: true` for a real socket on a free port.
 *
 *   const baton = await startInProcessBaton({ dialect: 'postgres' });
 *   const res = await baton.app.inject({ method: 'GET', url: '/orgs', headers: baton.authHeaders });
 *   await baton.stop();
 */
import { randomBytes } from 'node:crypto';
import type { BatonApp, RouteModule } from '../../src/api/server.js';
import { buildServer } from '../../src/api/server.js';
import { createAuthFailureLimiter } from '../../src/api/auth-rate-limit.js';
import type { Baton } from '../../src/baton/create-baton.js';
import { createBaton } from '../../src/baton/create-baton.js';
import { BATON_VERSION, loadConfig } from '../../src/config/index.js';
import type { CoreServices } from '../../src/org/index.js';
import type { DialectName, Store } from '../../src/store/index.js';
import { createTestDatabase } from '../../src/store/testing.js';

export interface InProcessBatonOptions {
  dialect?: DialectName;
  org?: string;
  token?: string;
  /** Also listen on 127.0.0.1 on a free port (sets `url`). */
  listen?: boolean;
  routeModules?: readonly RouteModule[];
  /** Extra settings (`BATON_*` variables) over the helper's own. */
  env?: Record<string, string>;
}

export interface InProcessBaton {
  baton: Baton;
  app: BatonApp;
  store: Store;
  services: CoreServices;
  org: string;
  token: string;
  /** `{ authorization: 'Bearer <token>' }` for inject(). */
  authHeaders: { authorization: string };
  /** Set when `listen: true`. */
  url: string | undefined;
  dataDir: string;
  stop(): Promise<void>;
}

/** Baton built by the composition root over a fresh test database; its engine runs, so deployments complete. */
export async function startInProcessBaton(options: InProcessBatonOptions = {}): Promise<InProcessBaton> {
  const database = await createTestDatabase(options.dialect ?? 'sqlite');
  const org = options.org ?? 'local';
  const token = options.token ?? randomBytes(16).toString('hex');
  const config = loadConfig({
      BATON_DATA_DIR: database.dataDir,
      ...(database.databaseUrl !== undefined ? { BATON_DATABASE_URL: database.databaseUrl } : {}),
      BATON_ORG: org,
      BATON_BOOTSTRAP_TOKEN: token,
      BATON_SECRET_KEY: randomBytes(32).toString('hex'),
      BATON_LOG_LEVEL: 'silent',
      BATON_PORT: '0',
      BATON_ENGINE_POLL_MS: '50',
      ...options.env,
    });
  const baton = await createBaton(config);
  // A custom module list (tests of the server itself) gets its own app over the same services (and the same limit).
  const app = options.routeModules
    ? await buildServer({
        services: baton.services,
        version: BATON_VERSION,
        logLevel: 'silent',
        routeModules: options.routeModules,
        authFailures: createAuthFailureLimiter({ maxFailures: config.authFailureLimit, windowMs: 60_000 }),
      })
    : baton.app;
  let url: string | undefined;
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('server did not report its address');
    url = `http://127.0.0.1:${address.port}`;
  }
  baton.startEngine();
  return {
    baton,
    app,
    store: baton.store,
    services: baton.services.core,
    org,
    token,
    authHeaders: { authorization: `Bearer ${token}` },
    url,
    dataDir: database.dataDir,
    async stop() {
      if (app !== baton.app) await app.close();
      await baton.close();
      await database.cleanup();
    },
  };
}
