/**
 * Baton in this process with its deployment engine tuned for tests (short lease and poll, extra drivers, a
 * directory or gitops target under the test's data folder), listening on a free port.
 */
import { randomBytes } from 'node:crypto';
import { buildServer } from '../../src/api/server.js';
import type { BatonApp } from '../../src/api/server.js';
import type { Driver } from '../../src/drivers/contract.js';
import { attachEngine, createEngine } from '../../src/engine/index.js';
import type { Engine, EngineOptions } from '../../src/engine/index.js';
import { bootstrap, createCoreServices } from '../../src/org/index.js';
import { SecretBox, secretKeyFromBytes } from '../../src/secrets/index.js';
import { createStore } from '../../src/store/index.js';
import type { DialectName, Store } from '../../src/store/index.js';
import { createTestDatabase } from '../../src/store/testing.js';
import type { TestDatabase } from '../../src/store/testing.js';
import { createValueSource } from '../../src/values/index.js';

export interface EngineHarness {
  app: BatonApp;
  store: Store;
  engine: Engine;
  url: string;
  org: string;
  token: string;
  database: TestDatabase;
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

export async function startEngineHarness(
  options: { dialect?: DialectName; extraDrivers?: Driver[]; engine?: Partial<EngineOptions>; database?: TestDatabase; box?: SecretBox; token?: string } = {},
): Promise<EngineHarness> {
  const database = options.database ?? (await createTestDatabase(options.dialect ?? 'sqlite'));
  const store = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
  const services = createCoreServices(store);
  const org = 'local';
  const token = options.token ?? randomBytes(16).toString('hex');
  await bootstrap(services, { orgId: org, bootstrapToken: token, dataDir: database.dataDir });
  const box = options.box ?? new SecretBox(secretKeyFromBytes(randomBytes(32)));
  const engine = attachEngine(
    store,
    createEngine(store, services, {
      dataDir: database.dataDir,
      box,
      values: createValueSource(store, box),
      leaseMs: 2_000,
      pollMs: 50,
      ...(options.extraDrivers ? { extraDrivers: options.extraDrivers } : {}),
      ...options.engine,
    }),
  );
  const app = await buildServer({ store, services, logLevel: 'silent', secretBox: box, drivers: engine.registry });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  const url = `http://127.0.0.1:${address.port}`;
  engine.start();
  return {
    app,
    store,
    engine,
    url,
    org,
    token,
    database,
    async api<T>(method: string, path: string, body?: unknown) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    async stop() {
      await engine.stop();
      await app.close();
      await store.close();
      if (!options.database) await database.cleanup();
    },
  };
}

/** Polls a deployment until it is `succeeded` or `failed`. */
export async function waitForDeployment(h: Pick<EngineHarness, 'api' | 'org'>, appId: string, envId: string, deployId: string, timeoutMs = 30_000): Promise<{ status: string; [k: string]: unknown }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await h.api<{ status: string }>('GET', `/orgs/${h.org}/apps/${appId}/envs/${envId}/deploys/${deployId}`);
    if (res.body.status === 'succeeded' || res.body.status === 'failed') return res.body;
    if (Date.now() > deadline) throw new Error(`deployment ${deployId} still ${res.body.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
