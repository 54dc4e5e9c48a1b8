/**
 * Two `baton serve` processes on one PostgreSQL database with separate data folders, the real `terraform`:
 * replica A is killed with SIGKILL in the middle of `terraform apply` (its create provisioner is running);
 * replica B resumes the deployment and the resource is created once (the create provisioner ran once); B then
 * deletes the environment and the destroy provisioner runs (marker gone). No terraform state is left in A's folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';
import { createTestDatabase } from '../../src/store/testing.js';
import { terraformStateFilesUnder } from '../../src/drivers/infra/test-support.js';

const terraformMissing = spawnSync(process.env.BATON_TERRAFORM_BIN ?? 'terraform', ['version'], { stdio: 'ignore' }).status !== 0;


test('replica A killed mid-apply: B resumes and the resource is created once; B deletes the env and the destroy provisioner runs', { skip: terraformMissing ? 'terraform not installed' : false, timeout: 180_000 }, async () => {
  const database = await createTestDatabase('postgres');
  const bDataDir = mkdtempSync(join(tmpdir(), 'baton-tf-replica-b-'));
  const markerDir = mkdtempSync(join(tmpdir(), 'baton-tf-marker-'));
  const env = { BATON_SECRET_KEY: randomBytes(32).toString('hex'), BATON_ENGINE_LEASE_MS: '3000', BATON_ENGINE_POLL_MS: '100' };
  const a = await startBatonProcess({ database, env });
  let b: BatonProcess | undefined;
  const call = async <T>(via: BatonProcess, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const res = await fetch(via.url + path, {
      method,
      headers: { authorization: `Bearer ${via.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  try {
    b = await startBatonProcess({ database: { ...database, dataDir: bDataDir }, token: a.token, env });
    const script = `
resource "terraform_data" "thing" {
  input = "${markerDir}"
  provisioner "local-exec" {
    command = "echo created >> '${markerDir}/created'; touch '${markerDir}/marker'; sleep 4"
  }
  provisioner "local-exec" {
    when    = destroy
    command = "rm -f '${markerDir}/marker'"
  }
}
output "thing_id" { value = terraform_data.thing.id }
`;
    assert.equal((await call(a, 'POST', '/orgs/local/apps', { id: 'tf', name: 'Terraform' })).status, 201);
    assert.equal((await call(a, 'POST', '/orgs/local/apps/tf/envs', { id: 'stage', name: 'stage', type: 'development' })).status, 201);
    const def = await call(a, 'POST', '/orgs/local/resources/defs', { id: 'tf-thing', name: 'thing', type: 'config', driver_type: 'humanitec/terraform', driver_inputs: { values: { script } }, criteria: [{ app_id: 'tf' }] });
    assert.ok(def.status < 300, JSON.stringify(def.body));
    const delta = await call<{ id: string }>(a, 'POST', '/orgs/local/apps/tf/deltas', {
      modules: { add: { web: { profile: 'humanitec/default-module', externals: { thing: { type: 'config' } }, spec: { containers: { main: { id: 'main', image: 'web:1', variables: { THING: '${externals.thing.thing_id}' } } } } } } },
    });
    const deployment = await call<{ id: string }>(a, 'POST', '/orgs/local/apps/tf/envs/stage/deploys', { delta_id: delta.body.id });
    assert.equal(deployment.status, 201, JSON.stringify(deployment.body));

    // Kill A the moment the create provisioner has started: terraform apply is in flight.
    const started = Date.now();
    const path = `/orgs/local/apps/tf/envs/stage/deploys/${deployment.body.id}`;
    while (!existsSync(join(markerDir, 'created'))) {
      const now = (await call<{ status: string }>(a, 'GET', path)).body.status;
      assert.ok(now !== 'failed' && Date.now() - started < 60_000, `the create provisioner never started (${now}): ${JSON.stringify((await call(a, 'GET', `${path}/errors`)).body)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    a.kill();

    let status = '';
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; ) {
      status = (await call<{ status: string }>(b, 'GET', path)).body.status;
      if (status === 'succeeded' || status === 'failed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status, 'succeeded', JSON.stringify((await call(b, 'GET', `${path}/errors`)).body));
    assert.equal(readFileSync(join(markerDir, 'created'), 'utf8').trim().split('\n').length, 1, 'the create provisioner ran once');
    assert.ok(existsSync(join(markerDir, 'marker')));
    const logs = (await call<{ message: string }[]>(b, 'GET', `${path}/baton/logs`)).body.map((l) => l.message);
    assert.ok(logs.some((m) => /resumed/.test(m)), 'B resumed the deployment');

    assert.equal((await call(b, 'DELETE', '/orgs/local/apps/tf/envs/stage')).status, 204);
    assert.equal(existsSync(join(markerDir, 'marker')), false, 'the destroy provisioner ran on B');
    assert.deepEqual(terraformStateFilesUnder(database.dataDir), [], 'no terraform state in A\'s data folder');
    assert.deepEqual(terraformStateFilesUnder(bDataDir), [], 'nor in B\'s');
  } finally {
    a.kill();
    await b?.stop();
    await database.cleanup();
    rmSync(bDataDir, { recursive: true, force: true });
    rmSync(markerDir, { recursive: true, force: true });
  }
});
