/**
 * Issue 25 item 2 (HTTPS credentials of the gitops remote from the secret store), end to end: Baton with
 * `BATON_GITOPS_URL` pointing at a real git smart-HTTP server (`git http-backend` behind basic auth) and
 * `BATON_GITOPS_CREDENTIALS=baton/gitops/https`; the credential is written through the secret store API after start,
 * a deployment pushes to the remote, and the password is nowhere in the data folder (work tree, database), the
 * responses or the logs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBaton } from '../../src/baton/create-baton.js';
import type { Baton } from '../../src/baton/create-baton.js';
import { loadConfig } from '../../src/config/index.js';
import { createTestDatabase } from '../../src/store/testing.js';
import type { TestDatabase } from '../../src/store/testing.js';
import { waitForDeployment } from '../helpers/deploy-scenario.js';
import { createBareRepository, startGitHttpServer } from '../helpers/git-http-server.js';
import type { GitHttpServer } from '../helpers/git-http-server.js';

const PASSWORD = 'remote-https-password-6b5a4c3d2e1f';

function everyFile(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...everyFile(path));
    else out.push(path);
  }
  return out;
}

describe('BATON_GITOPS_CREDENTIALS: the embedded gitops repository pushes to an authenticated HTTP remote [sqlite]', () => {
  let database: TestDatabase;
  let baton: Baton;
  let server: GitHttpServer;
  let url: string;
  let remote: string;
  const token = randomBytes(16).toString('hex');
  const bodies: string[] = [];
  const gitRoot = mkdtempSync(join(tmpdir(), 'baton-git-remote-'));

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    bodies.push(text);
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  before(async () => {
    remote = createBareRepository(gitRoot, 'gitops.git');
    server = await startGitHttpServer(gitRoot, { username: 'deployer', password: PASSWORD });
    database = await createTestDatabase('sqlite');
    baton = await createBaton(
      loadConfig({
        BATON_DATA_DIR: database.dataDir,
        BATON_ORG: 'local',
        BATON_BOOTSTRAP_TOKEN: token,
        BATON_SECRET_KEY: randomBytes(32).toString('hex'),
        BATON_LOG_LEVEL: 'silent',
        BATON_PORT: '0',
        BATON_HOST: '127.0.0.1',
        BATON_ENGINE_POLL_MS: '50',
        BATON_GITOPS_URL: `${server.url}/gitops.git`,
        BATON_GITOPS_CREDENTIALS: 'baton/gitops/https',
      }),
    );
    url = await baton.listen();
  });
  after(async () => {
    await baton.close();
    await server.close();
    await database.cleanup();
  });

  it('deploys through the remote once the credential is in the store; the password is nowhere on disk or in responses', async () => {
    await call('POST', '/orgs/local/secretstores/baton/baton/secrets', { ref: 'gitops/https', value: `deployer:${PASSWORD}` });
    await call('POST', '/orgs/local/apps', { id: 'shop', name: 'shop' });
    const delta = await call<{ id: string }>('POST', '/orgs/local/apps/shop/deltas', { modules: { add: { api: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image: 'api:1' } } } } } } });
    const { id } = await call<{ id: string }>('POST', '/orgs/local/apps/shop/envs/development/deploys', { delta_id: delta.id });
    const result = await waitForDeployment(() => [{ url, token }], 'shop', id);
    bodies.push(JSON.stringify(result));
    assert.equal(result.status, 'succeeded', JSON.stringify(result));
    const files = execFileSync('git', ['--git-dir', remote, 'ls-tree', '-r', '--name-only', 'main']).toString();
    assert.match(files, /shop\/development\/deployment-shop-development-api\.yaml/);
    assert.ok(server.served > 0 && server.refused > 0, 'git asked without credentials first, then with them');
    for (const file of everyFile(database.dataDir)) assert.ok(!readFileSync(file).toString('latin1').includes(PASSWORD), `${file} holds the password`);
    for (const body of bodies) assert.ok(!body.includes(PASSWORD));
  });
});
