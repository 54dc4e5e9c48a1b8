/**
 * Baton as a child process, exactly as `npm start` runs it (`node bin/baton.js serve`), on a free port with
 * a bootstrap token. By default it gets a fresh data folder (SQLite) or a fresh PostgreSQL schema; pass
 * `database` to run on an existing one (e.g. to restart on the same data).
 *
 *   const baton = await startBatonProcess({ dialect: 'postgres' });
 *   await fetch(`${baton.url}/orgs`, { headers: { authorization: `Bearer ${baton.token}` } });
 *   await baton.stop();
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { DialectName } from '../../src/store/index.js';
import { createTestDatabase } from '../../src/store/testing.js';
import type { TestDatabase } from '../../src/store/testing.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BatonProcessOptions {
  /** Fresh database of this dialect (default sqlite). Ignored when `database` is given. */
  dialect?: DialectName;
  /** Run on this database; the caller owns it (it is not cleaned up by `stop()`). */
  database?: TestDatabase;
  token?: string;
  org?: string;
  /** Extra environment variables for the child. */
  env?: Record<string, string>;
  /** How long to wait for /healthz (default 120 s). */
  startTimeoutMs?: number;
}

export interface BatonProcess {
  /** `http://127.0.0.1:<port>` */
  url: string;
  token: string;
  org: string;
  database: TestDatabase;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, wait for exit, then remove the database if this helper created it. */
  stop(): Promise<void>;
  /** SIGKILL (a crash); the database is kept. */
  kill(): void;
  /** Sends a signal (e.g. SIGTERM) and returns at once; the database is kept. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves with the exit code when the process has exited. */
  exited(): Promise<number | null>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The test process's environment without Baton's server settings: a developer who exported BATON_SECRET_KEY,
 * BATON_GITOPS_URL, BATON_LOCAL_RUNTIME... in their shell would otherwise run every test server with them, while CI
 * (a minimal environment) runs without; a test then passes or fails by whose shell it ran in. Kept: the settings
 * that are test knobs rather than behaviour (the terraform binary, also used by tests to decide whether to skip; the
 * transpile cache folder).
 */
function inheritedEnv(): Record<string, string> {
  const kept = new Set(['BATON_TERRAFORM_BIN', 'BATON_TS_CACHE_DIR']);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || (/^(BATON_|HUMANITEC_)/.test(key) && !kept.has(key))) continue;
    env[key] = value;
  }
  return env;
}

export async function startBatonProcess(options: BatonProcessOptions = {}): Promise<BatonProcess> {
  const ownsDatabase = options.database === undefined;
  const database = options.database ?? (await createTestDatabase(options.dialect ?? 'sqlite'));
  const token = options.token ?? randomBytes(16).toString('hex');
  const org = options.org ?? 'local';
  const port = await freePort();
  const env: Record<string, string> = {
    ...inheritedEnv(),
    BATON_PORT: String(port),
    BATON_HOST: '127.0.0.1',
    BATON_DATA_DIR: database.dataDir,
    BATON_ORG: org,
    BATON_BOOTSTRAP_TOKEN: token,
    BATON_LOG_LEVEL: process.env.BATON_LOG_LEVEL ?? 'silent',
    ...options.env,
  };
  delete env.BATON_DATABASE_URL;
  if (database.databaseUrl !== undefined) env.BATON_DATABASE_URL = database.databaseUrl;

  const child = spawn(process.execPath, ['bin/baton.js', 'serve'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const url = `http://127.0.0.1:${port}`;
  // Generous: on a loaded 2-core machine a cold `baton serve` (tsx compile of the server) can take over 30 s.
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  for (;;) {
    if (hasExited) {
      if (ownsDatabase) await database.cleanup();
      throw new Error(`baton serve exited before it was ready:\n${output}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      if (ownsDatabase) await database.cleanup();
      throw new Error(`baton serve did not become healthy in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url,
    token,
    org,
    database,
    output: () => output,
    async stop() {
      if (!hasExited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      if (ownsDatabase) await database.cleanup();
    },
    kill() {
      child.kill('SIGKILL');
    },
    signal(signal) {
      child.kill(signal);
    },
    exited: () => exited,
  };
}
