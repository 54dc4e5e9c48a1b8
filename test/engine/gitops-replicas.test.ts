/**
 * Two replicas on one PostgreSQL database, separate data folders, one bare remote (BATON_GITOPS_URL): 40 deployments
 * to 20 environments submitted at once through both APIs all land in the remote's history, none lost, and each
 * environment's folder holds its last deployment. Without a remote on PostgreSQL, every deployment's log says the
 * repository is local to the replica.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createTestDatabase } from '../../src/store/testing.js';
import { startBatonProcess } from '../helpers/baton-process.js';
import { startEngineHarness, waitForDeployment } from './harness.js';

const git = (gitDir: string, ...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' });

test('two replicas with one bare remote: 40 deployments to 20 envs at once all land in its history, each env folder holds its last deployment', { timeout: 240_000 }, async () => {
  const database = await createTestDatabase('postgres');
  const secretKey = randomBytes(32).toString('hex');
  const scratch = mkdtempSync(join(tmpdir(), 'baton-gitops-replicas-'));
  const remote = join(scratch, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', remote]);
  const env = { BATON_GITOPS_URL: remote };
  const a = await startEngineHarness({ database, secretKey, env, engine: { workerId: 'replica-a', concurrency: 4, dataDir: join(scratch, 'a') } });
  const b = await startEngineHarness({ database, secretKey, env, token: a.token, engine: { workerId: 'replica-b', concurrency: 4, dataDir: join(scratch, 'b') } });
  try {
    const app = 'shop';
    assert.equal((await a.api('POST', '/orgs/local/apps', { id: app, name: 'Shop' })).status, 201);
    const envs = Array.from({ length: 20 }, (_, i) => `env-${i}`);
    for (const e of envs) assert.equal((await b.api('POST', `/orgs/local/apps/${app}/envs`, { id: e, name: e, type: 'development' })).status, 201);
    const requests: { env: string; deltaId: string; image: string; via: typeof a }[] = [];
    for (let round = 0; round < 2; round++) {
      for (const [i, e] of envs.entries()) {
        const image = `web:${e}-${round}`;
        const delta = await a.api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
          modules: { add: { web: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image } } } } } },
        });
        requests.push({ env: e, deltaId: delta.body.id, image, via: (i + round) % 2 === 0 ? a : b });
      }
    }
    const submitted = await Promise.all(
      requests.map(async (r) => {
        const res = await r.via.api<{ id: string }>('POST', `/orgs/local/apps/${app}/envs/${r.env}/deploys?queue=true`, { delta_id: r.deltaId });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        return { ...r, id: res.body.id };
      }),
    );
    for (const s of submitted) {
      const status = (await waitForDeployment(a, app, s.env, s.id, 180_000)).status;
      assert.equal(status, 'succeeded', JSON.stringify((await a.api('GET', `/orgs/local/apps/${app}/envs/${s.env}/deploys/${s.id}/errors`)).body));
    }

    const subjects = git(remote, 'log', '--format=%s', 'main').trim().split('\n');
    for (const s of submitted) assert.ok(subjects.includes(`Deploy ${s.id} to ${app}/${s.env}`), `commit of ${s.id} (${s.env}) is in the remote`);
    assert.equal(subjects.length, 40, 'one commit per deployment, nothing else');
    // Per env, the commits are in the order the env ran its deployments (submission order, as the env lists them,
    // newest first), and the folder at the tip holds the last one's image.
    for (const e of envs) {
      const listed = (await b.api<{ id: string }[]>('GET', `/orgs/local/apps/${app}/envs/${e}/deploys`)).body.map((d) => d.id).reverse();
      const inHistory = subjects.filter((line) => line.endsWith(`/${e}`)).reverse();
      assert.deepEqual(inHistory, listed.map((id) => `Deploy ${id} to ${app}/${e}`));
      const last = submitted.find((s) => s.id === listed.at(-1))!;
      const files = git(remote, 'ls-tree', '-r', '--name-only', 'main', `${app}/${e}/`).trim().split('\n');
      const deployment = files.find((f) => /deployment/i.test(f));
      assert.ok(deployment, `a Deployment file in ${app}/${e}: ${files.join(', ')}`);
      assert.match(git(remote, 'show', `main:${deployment}`), new RegExp(`image: ${last.image.replace('.', '\\.')}\\b`));
    }
    const logs = (await a.api<{ message: string }[]>('GET', `/orgs/local/apps/${app}/envs/env-0/deploys/${submitted[0]!.id}/baton/logs`)).body.map((l) => l.message);
    assert.equal(logs.some((m) => /local to this replica/.test(m)), false, 'with a remote, no local-repository warning');
  } finally {
    await a.stop();
    await b.stop();
    await database.cleanup();
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('on PostgreSQL without BATON_GITOPS_URL, every deployment\'s log says the gitops repository is local to this replica', { timeout: 60_000 }, async () => {
  const h = await startEngineHarness({ dialect: 'postgres' });
  try {
    assert.equal((await h.api('POST', '/orgs/local/apps', { id: 'solo', name: 'Solo' })).status, 201);
    const delta = await h.api<{ id: string }>('POST', '/orgs/local/apps/solo/deltas', {
      modules: { add: { web: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image: 'web:1' } } } } } },
    });
    const deploy = await h.api<{ id: string }>('POST', '/orgs/local/apps/solo/envs/development/deploys', { delta_id: delta.body.id });
    assert.equal((await waitForDeployment(h, 'solo', 'development', deploy.body.id, 30_000)).status, 'succeeded');
    const logs = (await h.api<{ level: string; message: string }[]>('GET', `/orgs/local/apps/solo/envs/development/deploys/${deploy.body.id}/baton/logs`)).body;
    assert.ok(logs.some((l) => /gitops repository .* is local to this replica/.test(l.message) && /BATON_GITOPS_URL/.test(l.message)), JSON.stringify(logs.map((l) => l.message)));
  } finally {
    await h.stop();
  }
});

test('baton serve on PostgreSQL says at start-up that the gitops repository is local, and says nothing with BATON_GITOPS_URL', { timeout: 60_000 }, async () => {
  const local = await startBatonProcess({ dialect: 'postgres', env: { BATON_LOG_LEVEL: 'warn' } });
  try {
    assert.match(local.output(), /gitops repository .* is local to this replica/);
  } finally {
    await local.stop();
  }
  const scratch = mkdtempSync(join(tmpdir(), 'baton-gitops-remote-'));
  execFileSync('git', ['init', '--quiet', '--bare', join(scratch, 'remote.git')]);
  const shared = await startBatonProcess({ dialect: 'postgres', env: { BATON_LOG_LEVEL: 'warn', BATON_GITOPS_URL: join(scratch, 'remote.git') } });
  try {
    assert.doesNotMatch(shared.output(), /local to this replica/);
  } finally {
    await shared.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
});
