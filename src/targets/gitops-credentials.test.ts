import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBareRepository, startGitHttpServer } from '../../test/helpers/git-http-server.js';
import type { GitHttpServer } from '../../test/helpers/git-http-server.js';
import { DriverFailed } from '../shared/errors.js';
import { GitOpsTarget, parseGitCredentials } from './gitops.js';
import type { K8sObject } from './types.js';

const PASSWORD = 'gitops-https-pw-3c4d5e6f7a8b';
const ROTATED = 'gitops-https-pw-rotated-9a8b7c6d';

function everyFile(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...everyFile(path));
    else out.push(path);
  }
  return out;
}

const configMap = (name: string, data: Record<string, string>): K8sObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop-dev' }, data });

describe('gitops remote over HTTPS-style basic auth with credentials from a secret store (real git http-backend)', () => {
  const root = mkdtempSync(join(tmpdir(), 'baton-git-http-'));
  let server: GitHttpServer;
  let remote: string;
  before(async () => {
    remote = createBareRepository(root, 'deploy.git');
    server = await startGitHttpServer(root, { username: 'baton-bot', password: PASSWORD });
  });
  after(() => server.close());

  it('pushes with the credentials handed over by the helper; neither the URL nor the work tree holds the password', async () => {
    let secret = `baton-bot:${PASSWORD}`;
    const workdir = mkdtempSync(join(tmpdir(), 'baton-gitops-wt-'));
    const target = new GitOpsTarget({ workdir, url: `${server.url}/deploy.git`, credentials: () => Promise.resolve(parseGitCredentials(secret)) });
    const applied = await target.apply({ deploymentId: 'd1', appId: 'shop', envId: 'dev', namespace: 'shop-dev', objects: [configMap('one', { a: '1' })] });
    assert.ok(applied.revision);
    assert.equal(execFileSync('git', ['--git-dir', remote, 'rev-parse', 'main']).toString().trim(), applied.revision);
    assert.ok(server.served > 0);
    for (const file of everyFile(workdir)) assert.ok(!readFileSync(file).toString('latin1').includes(PASSWORD), `${file} holds the password`);

    // rotated in the store and on the server: the next apply uses the new one
    server.credentials.password = ROTATED;
    secret = `baton-bot:${ROTATED}`;
    const second = await target.apply({ deploymentId: 'd2', appId: 'shop', envId: 'dev', namespace: 'shop-dev', objects: [configMap('one', { a: '2' })] });
    assert.equal(execFileSync('git', ['--git-dir', remote, 'rev-parse', 'main']).toString().trim(), second.revision);
    for (const file of everyFile(workdir)) assert.ok(!readFileSync(file).toString('latin1').includes(ROTATED));
  });

  it('a wrong password fails the push naming the remote, never the password; without credentials git does not prompt', async () => {
    const refusedBefore = server.refused;
    const wrong = 'baton-bot:wrong-password-000111222';
    const target = new GitOpsTarget({ workdir: mkdtempSync(join(tmpdir(), 'baton-gitops-wt-')), url: `${server.url}/deploy.git`, credentials: () => Promise.resolve(parseGitCredentials(wrong)) });
    await assert.rejects(target.apply({ deploymentId: 'd3', appId: 'shop', envId: 'dev', namespace: 'shop-dev', objects: [configMap('two', { b: '1' })] }), (error: unknown) => {
      assert.ok(error instanceof DriverFailed);
      assert.match(error.message, /git push failed: .*Authentication failed/s);
      assert.ok(!error.message.includes('wrong-password-000111222'));
      assert.ok(!JSON.stringify(error.details).includes('wrong-password'));
      return true;
    });
    assert.ok(server.refused > refusedBefore);
    const anonymous = new GitOpsTarget({ workdir: mkdtempSync(join(tmpdir(), 'baton-gitops-wt-')), url: `${server.url}/deploy.git` });
    await assert.rejects(anonymous.apply({ deploymentId: 'd4', appId: 'shop', envId: 'dev', namespace: 'shop-dev', objects: [configMap('two', { b: '1' })] }), /git push failed/);
  });

  it('parses <username>:<password> and a bare token; refuses line breaks', () => {
    assert.deepEqual(parseGitCredentials('me:p:a:ss'), { username: 'me', password: 'p:a:ss' });
    assert.deepEqual(parseGitCredentials('ghp_token123\n'), { username: 'git', password: 'ghp_token123' });
    assert.throws(() => parseGitCredentials('me:pa\nss'), /on one line/);
    assert.throws(() => parseGitCredentials(''), /on one line/);
  });
});
