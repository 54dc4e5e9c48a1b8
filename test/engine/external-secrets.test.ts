/**
 * The `external-secrets` secrets mode through the whole pipeline: a `k8s-cluster` definition sets it, the README
 * sample deploys, the gitops repository gets `ExternalSecret`s instead of Secrets, and the values go to the secret
 * store of the deploying org. The store is an in-test secret store client (a Map behind Baton's
 * `SecretStoreClient` contract), handed to `createBaton` as the real stores will be.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startEngineHarness } from './harness.js';
import type { EngineHarness } from './harness.js';
import { InTestSecretStore } from '../helpers/in-test-secret-store.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.name === '.git' ? [] : e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('external-secrets mode end to end (in-test secret store)', { timeout: 180_000 }, () => {
  let h: EngineHarness;
  const store = new InTestSecretStore('in-test');
  const asked: string[] = [];
  before(async () => {
    h = await startEngineHarness({
      secretStores: (orgId, storeId) => {
        asked.push(`${orgId}/${storeId ?? '(default)'}`);
        return Promise.resolve(store);
      },
    });
  });
  after(async () => {
    await h?.stop();
  });

  /** The README's sample, as a user deploys it: `baton score deploy` (a child process, so the harness keeps running). */
  async function deploy(): Promise<void> {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
    const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/baton.js', 'score', 'deploy', '-f', 'samples/hello/score.yaml', '--app', 'hello', '--env', 'development', '--wait', '--yes'], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: { ...env, BATON_URL: h.url, BATON_TOKEN: h.token, BATON_ORG: h.org, BATON_CONFIG: join(h.database.dataDir, 'cli.yaml') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, out }));
    });
    assert.equal(run.code, 0, run.out);
  }

  it('writes ExternalSecrets referencing the SecretStore, pushes the generated password to the store, and nothing in clear to git', async () => {
    const cluster = await h.api('POST', `/orgs/${h.org}/resources/defs`, {
      id: 'hello-cluster',
      name: 'gitops with external secrets',
      type: 'k8s-cluster',
      driver_type: 'baton/gitops',
      driver_inputs: { values: { secrets: { mode: 'external-secrets', secret_store: 'vault-backend', store: 'in-test' } } },
      criteria: [{ app_id: 'hello' }],
    });
    assert.equal(cluster.status, 200, JSON.stringify(cluster.body));
    await deploy();
    assert.deepEqual([...new Set(asked)], [`${h.org}/in-test`]);

    const repo = join(h.database.dataDir, 'gitops');
    const objects = filesUnder(repo).map((f) => parse(readFileSync(f, 'utf8')) as { kind: string; spec?: { secretStoreRef?: unknown } });
    assert.ok(!objects.some((o) => o.kind === 'Secret'), 'no Secret in the repository');
    const externals = objects.filter((o) => o.kind === 'ExternalSecret');
    assert.ok(externals.length >= 1);
    for (const e of externals) assert.deepEqual(e.spec?.secretStoreRef, { name: 'vault-backend', kind: 'SecretStore' });

    const resources = (await h.api<{ type: string; gu_res_id: string }[]>('GET', `/orgs/${h.org}/apps/hello/envs/development/resources`)).body;
    const db = resources.find((r) => r.type === 'postgres')!;
    const row = await h.store.db.selectFrom('active_resources').selectAll().where('guresid', '=', db.gu_res_id).executeTakeFirstOrThrow();
    const password = String((h.baton.box.open(row.secrets_sealed!, `orgs/${h.org}/apps/hello/envs/development/resources/${db.gu_res_id}/secrets`) as { password: unknown }).password);
    const stored = [...store.values.values()].map((v) => [v, Buffer.from(v, 'base64').toString('utf8')]).flat();
    assert.ok(stored.includes(password), 'the store holds the generated password');
    const history = execFileSync('git', ['-C', repo, 'log', '-p', '--all'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const tree = filesUnder(repo).map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const text of [history, tree]) {
      assert.ok(!text.includes(password) && !text.includes(Buffer.from(password).toString('base64')), 'no password in git');
    }

    // Redeploying the same: no write to the store.
    const writes = store.writes;
    await deploy();
    assert.equal(store.writes, writes);
  });
});
