/**
 * Baton in this process: a migrated store (SQLite or PostgreSQL), the first-start seed, and the Fastify app.
 * Use `app.inject()` for fast tests, or `listen: true` for a real socket on a free port.
 *
 *   const baton = await startInProcessBaton({ dialect: 'postgres' });
 *   const res = await baton.app.inject({ method: 'GET', url: '/orgs', headers: baton.authHeaders });
 *   await baton.stop();
 */
import { randomBytes } from 'node:crypto';
import { buildServer } from '../../src/api/server.js';
import type { BatonApp, RouteModule } from '../../src/api/server.js';
import { bootstrap, createCoreServices } from '../../src/org/index.js';
import type { CoreServices } from '../../src/org/index.js';
import { createStore } from '../../src/store/index.js';
import type { DialectName, Store } from '../../src/store/index.js';
import { createTestDatabase } from '../../src/store/testing.js';

export interface InProcessBatonOptions {
  dialect?: DialectName;
  org?: string;
  token?: string;
  /** Also listen on 127.0.0.1 on a free port (sets `url`). */
  listen?: boolean;
  routeModules?: readonly RouteModule[];
}

export interface InProcessBaton {
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

export async function startInProcessBaton(options: InProcessBatonOptions = {}): Promise<InProcessBaton> {
  const database = await createTestDatabase(options.dialect ?? 'sqlite');
  const store = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  const services = createCoreServices(store);
  const org = options.org ?? 'local';
  const token = options.token ?? randomBytes(16).toString('hex');
  await bootstrap(services, { orgId: org, bootstrapToken: token, dataDir: database.dataDir });
  const app = await buildServer({ store, services, logLevel: 'silent', ...(options.routeModules ? { routeModules: options.routeModules } : {}) });
  let url: string | undefined;
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    if (typeof address !== 'object' || address === null) throw new Error('server did not report its address');
    url = `http://127.0.0.1:${address.port}`;
  }
  return {
    app,
    store,
    services,
    org,
    token,
    authHeaders: { authorization: `Bearer ${token}` },
    url,
    dataDir: database.dataDir,
    async stop() {
      await app.close();
      await store.close();
      await database.cleanup();
    },
  };
}
