/**
 * Baton in this process, built by the composition root (`createBaton`) with its deployment engine tuned for tests
 * (short lease and poll, extra drivers, the data folder of a test database), listening on a free port.
 */
import { randomBytes } from 'node:crypto';
import type { Baton } from '../../src/baton/create-baton.js';
import { createBaton } from '../../src/baton/create-baton.js';
import type { BatonApp } from '../../src/api/server.js';
import { loadConfig } from '../../src/config/index.js';
import type { Driver } from '../../src/drivers/contract.js';
import type { Engine, TargetResolver } from '../../src/engine/index.js';
import type { SecretStoreResolver } from '../../src/secrets/index.js';
import type { DialectName, Store } from '../../src/store/index.js';
import { createTestDatabase } from '../../src/store/testing.js';
import type { TestDatabase } from '../../src/store/testing.js';

/** Engine settings a test may change (the rest come from `loadConfig` defaults, lease and poll shortened). */
export interface HarnessEngineOptions {
  workerId?: string;
  concurrency?: number;
  leaseMs?: number;
  pollMs?: number;
  driverTimeoutMs?: number;
  /** A data folder of this replica's own (default: the test database's). */
  dataDir?: string;
  resolveTarget?: TargetResolver;
}

export interface EngineHarness {
  baton: Baton;
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
  options: {
    dialect?: DialectName;
    extraDrivers?: Driver[];
    engine?: HarnessEngineOptions;
    database?: TestDatabase;
    secretKey?: string;
    token?: string;
    env?: NodeJS.ProcessEnv;
    /** Secret stores for the `external-secrets` secrets mode of file targets. */
    secretStores?: SecretStoreResolver;
  } = {},
): Promise<EngineHarness> {
  const database = options.database ?? (await createTestDatabase(options.dialect ?? 'sqlite'));
  const org = 'local';
  const token = options.token ?? randomBytes(16).toString('hex');
  const tuning = options.engine ?? {};
  const config = {
    ...loadConfig({
      BATON_DATA_DIR: tuning.dataDir ?? database.dataDir,
      ...(database.databaseUrl !== undefined ? { BATON_DATABASE_URL: database.databaseUrl } : {}),
      BATON_ORG: org,
      BATON_BOOTSTRAP_TOKEN: token,
      BATON_SECRET_KEY: options.secretKey ?? randomBytes(32).toString('hex'),
      BATON_LOG_LEVEL: 'silent',
      BATON_PORT: '0',
      ...options.env,
    }),
  };
  config.engineLeaseMs = tuning.leaseMs ?? 2_000;
  config.enginePollMs = tuning.pollMs ?? 50;
  if (tuning.concurrency !== undefined) config.engineConcurrency = tuning.concurrency;
  if (tuning.driverTimeoutMs !== undefined) config.driverTimeoutMs = tuning.driverTimeoutMs;
  const baton = await createBaton(config, {
    ...(options.extraDrivers ? { extraDrivers: options.extraDrivers } : {}),
    ...(tuning.workerId !== undefined ? { workerId: tuning.workerId } : {}),
    ...(tuning.resolveTarget ? { resolveTarget: tuning.resolveTarget } : {}),
    ...(options.secretStores ? { secretStores: options.secretStores } : {}),
  });
  const url = await baton.listen();
  return {
    baton,
    app: baton.app,
    store: baton.store,
    engine: baton.engine,
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
      await baton.close();
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
