import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { renderWorkload } from '../profiles/index.js';
import { TEST_HASHER, validateK8sObject } from '../profiles/testing.js';
import { DirectoryTarget } from './directory.js';
import { GitOpsTarget } from './gitops.js';
import type { ApplyRequest, K8sObject } from './types.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'baton-targets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function workload(id: string, image: string, deploymentId: string): Promise<K8sObject[]> {
  return renderWorkload({
    workloadId: id,
    module: { spec: { containers: { main: { image } }, service: { ports: { http: { service_port: 80 } } } } },
    context: { orgId: 'acme', appId: 'shop', envId: 'dev', deploymentId, namespace: 'shop-dev', hasher: TEST_HASHER },
  });
}

function request(deploymentId: string, objects: K8sObject[], comment?: string): ApplyRequest {
  return { deploymentId, appId: 'shop', envId: 'dev', namespace: 'shop-dev', objects, ...(comment ? { comment } : {}) };
}

test('directory target writes one valid YAML file per object with stable names, and removes files of objects no longer rendered', async (t) => {
  const root = tempDir(t);
  const target = new DirectoryTarget(root);
  const web = await workload('web', 'nginx:1', 'd1');
  const api = await workload('api', 'api:1', 'd1');
  const first = await target.apply(request('d1', [...web, ...api]));
  const dir = join(root, 'shop', 'dev');
  assert.deepEqual(readdirSync(dir).sort(), [
    'deployment-shop-dev-api.yaml',
    'deployment-shop-dev-web.yaml',
    'namespace-shop-dev.yaml',
    'service-shop-dev-api.yaml',
    'service-shop-dev-web.yaml',
  ]);
  for (const file of readdirSync(dir)) validateK8sObject(parse(readFileSync(join(dir, file), 'utf8')));
  assert.equal(first.changed.length, 5);
  assert.ok(first.changed.includes('Deployment.apps/shop-dev/web'));

  const second = await target.apply(request('d2', await workload('web', 'nginx:2', 'd2')));
  assert.deepEqual(second.removed, ['Deployment.apps/shop-dev/api', 'Service/shop-dev/api']);
  assert.deepEqual(second.changed, ['Deployment.apps/shop-dev/web']);
  // The Service's content hash did not change: its file (and its deployment annotation) stays as it was.
  assert.deepEqual(second.unchanged, ['Namespace/shop-dev', 'Service/shop-dev/web']);
  assert.match(readFileSync(join(dir, 'service-shop-dev-web.yaml'), 'utf8'), /baton.dev\/deployment: d1/);
  assert.ok(!existsSync(join(dir, 'deployment-shop-dev-api.yaml')));
  const last = await target.lastApplied('shop', 'dev');
  assert.deepEqual(
    last.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
    ['Deployment/web', 'Namespace/shop-dev', 'Service/web'],
  );
  assert.deepEqual(await target.lastApplied('shop', 'prod'), []);
});

test('directory target refuses app ids that would escape its root', async (t) => {
  const target = new DirectoryTarget(tempDir(t));
  await assert.rejects(target.apply({ ...request('d', []), appId: '../etc' }), /cannot name a folder/);
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

test('gitops target makes one commit per deployment, removes a dropped workload in the same commit, and skips empty commits', async (t) => {
  const base = tempDir(t);
  const remote = join(base, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', remote]);
  const target = new GitOpsTarget({ workdir: join(base, 'work'), url: remote, branch: 'main', path: 'clusters/one' });

  const web1 = await workload('web', 'nginx:1', 'd1');
  const api1 = await workload('api', 'api:1', 'd1');
  const r1 = await target.apply(request('d1', [...web1, ...api1], 'first release'));
  assert.match(r1.revision ?? '', /^[0-9a-f]{40}$/);

  // Same content, new deployment id: content hashes match, nothing to commit.
  const r1again = await target.apply(request('d1b', [...(await workload('web', 'nginx:1', 'd1b')), ...(await workload('api', 'api:1', 'd1b'))]));
  assert.equal(r1again.changed.length, 0, JSON.stringify(r1again));
  assert.equal(r1again.revision, r1.revision);

  const r2 = await target.apply(request('d2', await workload('web', 'nginx:2', 'd2'), 'drop api'));
  assert.ok(r2.removed.includes('Deployment.apps/shop-dev/api'));

  const log = git(remote, 'log', '--format=%an|%s|%b', 'main').trim().split('\n').filter(Boolean);
  const subjects = log.filter((l) => l.includes('|Deploy '));
  assert.equal(subjects.length, 2, log.join('\n'));
  assert.ok(subjects[0]!.startsWith('Baton|Deploy d2 to shop/dev'));
  assert.ok(subjects[1]!.startsWith('Baton|Deploy d1 to shop/dev'));
  const changedInLast = git(remote, 'show', '--name-status', '--format=', 'main').trim().split('\n');
  assert.ok(changedInLast.includes('D\tclusters/one/shop/dev/deployment-shop-dev-api.yaml'), changedInLast.join('\n'));
  assert.ok(changedInLast.includes('D\tclusters/one/shop/dev/service-shop-dev-api.yaml'), changedInLast.join('\n'));
  assert.ok(changedInLast.includes('M\tclusters/one/shop/dev/deployment-shop-dev-web.yaml'), changedInLast.join('\n'));
  assert.equal(git(remote, 'rev-parse', 'main').trim(), r2.revision);

  // A second work tree (e.g. after a restart) reads what the remote holds.
  const fresh = new GitOpsTarget({ workdir: join(base, 'work2'), url: `file://${remote}`, branch: 'main', path: 'clusters/one' });
  const last = await fresh.lastApplied('shop', 'dev');
  const deployment = last.find((o) => o.kind === 'Deployment') as K8sObject & { spec: { template: { spec: { containers: { image: string }[] } } } };
  assert.equal(deployment.spec.template.spec.containers[0]?.image, 'nginx:2');
});

test('gitops target without a remote commits to its local repository', async (t) => {
  const base = tempDir(t);
  const target = new GitOpsTarget({ workdir: join(base, 'repo') });
  await target.apply(request('d1', await workload('web', 'nginx:1', 'd1')));
  await target.apply(request('d2', await workload('web', 'nginx:1', 'd2')));
  const subjects = git(join(base, 'repo'), 'log', '--format=%s').trim().split('\n');
  assert.deepEqual(subjects, ['Deploy d1 to shop/dev']);
  assert.ok(existsSync(join(base, 'repo', 'shop', 'dev', 'deployment-shop-dev-web.yaml')));
});

test('directory target removeEnvironment deletes the env folder (and the app folder it leaves empty), other envs stay', async (t) => {
  const root = tempDir(t);
  const target = new DirectoryTarget(root);
  await target.apply(request('d1', await workload('web', 'nginx:1', 'd1')));
  await target.apply({ ...request('d1', []), envId: 'prod', namespace: 'shop-prod' });
  const result = await target.removeEnvironment('shop', 'dev');
  assert.deepEqual(result.removed, ['Deployment.apps/shop-dev/web', 'Namespace/shop-dev', 'Service/shop-dev/web']);
  assert.ok(!existsSync(join(root, 'shop', 'dev')));
  assert.ok(existsSync(join(root, 'shop', 'prod', 'namespace-shop-prod.yaml')));
  await target.removeEnvironment('shop', 'prod');
  assert.ok(!existsSync(join(root, 'shop')), 'the empty app folder goes with its last env');
  assert.deepEqual((await target.removeEnvironment('shop', 'prod')).removed, [], 'removing what is gone changes nothing');
  await assert.rejects(target.removeEnvironment('..', 'dev'), /cannot name a folder/);
});

test('gitops target removeEnvironment removes the env folder from the remote branch in one commit; nothing to remove, no commit', async (t) => {
  const base = tempDir(t);
  const remote = join(base, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', remote]);
  const target = new GitOpsTarget({ workdir: join(base, 'work'), url: remote, branch: 'main', path: 'clusters/one' });
  await target.apply(request('d1', [...(await workload('web', 'nginx:1', 'd1')), ...(await workload('api', 'api:1', 'd1'))]));
  await target.apply({ ...request('d1', await workload('web', 'nginx:1', 'd1')), envId: 'prod', namespace: 'shop-prod' });
  const before = git(remote, 'rev-parse', 'main').trim();

  const result = await target.removeEnvironment('shop', 'dev');
  assert.equal(result.removed.length, 5);
  assert.equal(git(remote, 'rev-parse', 'main').trim(), result.revision);
  assert.equal(git(remote, 'rev-parse', 'main~1').trim(), before, 'exactly one commit');
  assert.equal(git(remote, 'log', '-1', '--format=%an|%s', 'main').trim(), 'Baton|Delete environment shop/dev');
  const changed = git(remote, 'show', '--name-status', '--format=', 'main').trim().split('\n');
  assert.equal(changed.length, 5);
  assert.ok(changed.every((line) => line.startsWith('D\tclusters/one/shop/dev/')), changed.join('\n'));
  const tree = git(remote, 'ls-tree', '-r', '--name-only', 'main').trim().split('\n');
  assert.ok(!tree.some((f) => f.startsWith('clusters/one/shop/dev/')));
  assert.ok(tree.some((f) => f.startsWith('clusters/one/shop/prod/')), 'other envs stay');

  const again = await target.removeEnvironment('shop', 'dev');
  assert.deepEqual(again.removed, []);
  assert.equal(again.revision, result.revision, 'no empty commit');
});

test('values YAML 1.1 reads as booleans or numbers (on, yes, no, 1.0, 1_000) are written quoted: a YAML 1.1 parser gets the strings back', async (t) => {
  const root = tempDir(t);
  const target = new DirectoryTarget(root);
  const tricky = { A: 'on', B: 'yes', C: 'no', D: '1.0', E: '1_000', F: 'off', G: 'y', H: '12:30', I: 'plain', J: '0o17' };
  const objects = await renderWorkload({
    workloadId: 'web',
    module: { spec: { containers: { main: { image: 'nginx:1', variables: tricky } } } },
    context: { orgId: 'acme', appId: 'shop', envId: 'dev', deploymentId: 'd1', namespace: 'shop-dev', hasher: TEST_HASHER },
  });
  await target.apply(request('d1', objects));
  const text = readFileSync(join(root, 'shop', 'dev', 'deployment-shop-dev-web.yaml'), 'utf8');
  for (const version of ['1.1', '1.2'] as const) {
    const written = parse(text, { version }) as { spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } } };
    const env = Object.fromEntries(written.spec.template.spec.containers[0]!.env.map((e) => [e.name, e.value]));
    assert.deepEqual(env, tricky, `YAML ${version}`);
  }
  assert.match(text, /value: "on"/);
  assert.match(text, /value: plain/);
});
