/**
 * `baton create value` with humctl's secret-reference flags, the real binary against a Baton in this process:
 * `--is-secret-ref --secret-store S` stores a reference into the store (never a value), `-d` the description, and
 * the flags that only make sense together are refused together (issue #23).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';
import { runBatonCli } from '../helpers/cli-run.js';


interface Value {
  key: string;
  value?: unknown;
  is_secret: boolean;
  description: string;
  secret_store_id?: string;
  secret_key?: string;
}

describe('baton create value --is-secret-ref', { timeout: 120_000 }, () => {
  let baton: InProcessBaton;
  let dir: string;

  before(async () => {
    baton = await startInProcessBaton({ listen: true });
    dir = mkdtempSync(join(tmpdir(), 'baton-value-flags-'));
    const inject = async (method: 'POST', url: string, payload: unknown) => {
      const res = await baton.app.inject({ method, url, payload: payload as Record<string, unknown>, headers: baton.authHeaders });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    };
    await inject('POST', `/orgs/${baton.org}/apps`, { id: 'refs', name: 'refs' });
    await inject('POST', `/orgs/${baton.org}/secretstores`, { id: 'vault', primary: false, vault: { url: 'http://127.0.0.1:1', path: 'secret', auth: { token: 'not-a-real-token' } } });
  });
  after(async () => {
    await baton?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const baton_ = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    {
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
      return runBatonCli([...args, '--app', 'refs', '--env', ''], { env: { ...env, BATON_URL: baton.url, BATON_TOKEN: baton.token, BATON_ORG: baton.org, BATON_CONFIG: join(dir, 'cli.yaml') } });
    };

  it('stores a reference into the named store with its description, and no value', async () => {
    const created = await baton_(['create', 'value', 'DB_PASSWORD', 'prod/db/password', '--is-secret-ref', '--secret-store', 'vault', '-d', 'database password']);
    assert.equal(created.code, 0, created.stderr);
    const listed = await baton_(['get', 'values', '-o', 'json']);
    assert.equal(listed.code, 0, listed.stderr);
    const value = (JSON.parse(listed.stdout) as Value[]).find((v) => v.key === 'DB_PASSWORD');
    assert.ok(value, listed.stdout);
    assert.equal(value.is_secret, true);
    assert.equal(value.description, 'database password');
    // Humanitec's ValueResponse names the reference: secret_store_id and secret_key.
    assert.equal(value.secret_store_id, 'vault', listed.stdout);
    assert.equal(value.secret_key, 'prod/db/password', listed.stdout);
    assert.ok(!(typeof value.value === 'string' && value.value === 'prod/db/password'), 'the reference is not stored as the value');
  });

  it('--secret-store without --is-secret-ref is a usage error (exit 2); nothing is created', async () => {
    const refused = await baton_(['create', 'value', 'OTHER', 'x', '--secret-store', 'vault']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /--secret-store goes with --is-secret-ref/);
    const listed = JSON.parse((await baton_(['get', 'values', '-o', 'json'])).stdout) as Value[];
    assert.ok(!listed.some((v) => v.key === 'OTHER'));
  });
});
