/**
 * The local runtime end to end, against the real Podman of this machine (no Kubernetes, no registry): a Score
 * workload running busybox httpd serves a file from `files:` on its published 127.0.0.1 port after
 * `baton score deploy --wait`; changing the file and redeploying serves the new content from a new pod while an
 * unchanged workload keeps its pod; the runtime and logs endpoints report the pod and httpd's log lines; removing
 * the workload removes its pod; deleting the environment removes its network. Skips, with the reason printed,
 * where podman cannot run (`.ci/run` installs it on CI).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';
import { BUSYBOX_IMAGE, podmanCommand, preparePodman } from '../helpers/podman.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const APP = `local${Date.now().toString(36)}`;
const ENV = 'development';
const podman = preparePodman();
if (!podman.ok) console.log(`# local runtime tests skipped: ${podman.reason}`);

function webScore(content: string): string {
  return `apiVersion: score.dev/v1b1
metadata:
  name: web
service:
  ports:
    www:
      port: 80
      targetPort: 8080
containers:
  httpd:
    image: ${BUSYBOX_IMAGE}
    # httpd starts late: with deploy.success available, score deploy --wait returns only once it answers.
    command: ["/bin/sh", "-c"]
    args: ["sleep 3; exec /bin/httpd -f -vv -p 8080 -h /www"]
    variables:
      GREETING: "hello from \${metadata.name}"
    files:
      /www/index.html:
        content: "${content}"
    readinessProbe:
      httpGet:
        port: 8080
        path: /index.html
`;
}

const SIDECAR_SCORE = `apiVersion: score.dev/v1b1
metadata:
  name: worker
containers:
  main:
    image: ${BUSYBOX_IMAGE}
    command: ["/bin/sh", "-c", "echo worker up; while true; do wget -q -O- http://web:8080/index.html > /tmp/seen; sleep 1; done"]
`;

interface RuntimeModule {
  externals: { ports: { name: string; hostPort: number; containerPort: number }[] };
  [controller: string]: unknown;
}

describe('local runtime: baton score deploy with Podman', { timeout: 300_000, skip: podman.ok ? false : podman.reason }, () => {
  let baton: BatonProcess;
  let dir: string;
  const containersConf = podman.ok ? podman.containersConf : '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-local-'));
    baton = await startBatonProcess({ env: { BATON_LOCAL_RUNTIME: 'podman', CONTAINERS_CONF: containersConf } });
  });
  after(async () => {
    podmanCommand(['pod', 'rm', '--force', '--time', '0', `baton-${APP}-${ENV}-web`, `baton-${APP}-${ENV}-worker`], containersConf);
    podmanCommand(['network', 'rm', '--force', `baton-${APP}-${ENV}`], containersConf);
    await baton?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baton.url}/orgs/${baton.org}/apps/${APP}${path}`, {
      method,
      headers: { authorization: `Bearer ${baton.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };

  const cli = (args: string[]): Promise<{ code: number | null; out: string }> => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/baton.js', ...args], {
        cwd: REPO_ROOT,
        env: { ...env, BATON_URL: baton.url, BATON_TOKEN: baton.token, BATON_ORG: baton.org, BATON_CONFIG: join(dir, 'cli.yaml') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, out }));
    });
  };

  const deployScore = async (file: string, text: string, extensions?: string): Promise<string> => {
    writeFileSync(join(dir, file), text);
    const extra = extensions !== undefined ? ['--extensions', extensions] : [];
    const run = await cli(['score', 'deploy', '-f', join(dir, file), ...extra, '--app', APP, '--env', ENV, '--wait', '--yes']);
    assert.equal(run.code, 0, run.out);
    return run.out;
  };

  const webPort = async (): Promise<number> => {
    const runtime = await api<{ modules: Record<string, RuntimeModule> }>('GET', `/envs/${ENV}/runtime`);
    const port = runtime.modules.web?.externals.ports.find((p) => p.name === 'www');
    assert.ok(port, JSON.stringify(runtime));
    assert.equal(port.containerPort, 8080);
    return port.hostPort;
  };

  const podId = (name: string): string => podmanCommand(['pod', 'inspect', '--format', '{{.Id}}', name], containersConf).stdout.trim();

  it('deploys, serves the file, replaces only the changed pod, reports runtime and logs, and removes pods', async () => {
    const extensions = join(dir, 'humanitec.score.yaml');
    writeFileSync(extensions, 'apiVersion: humanitec.org/v1b1\ndeploy:\n  success: available\n');
    const first = await deployScore('web.yaml', webScore('hello v1'), extensions);
    const port = await webPort();
    assert.match(first, new RegExp(`web: http://127\\.0\\.0\\.1:${port}`), 'score deploy --wait prints the published local port');
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/index.html`)).text(), 'hello v1');

    // A second workload reaches the first by its Service name on the environment's network.
    await deployScore('worker.yaml', SIDECAR_SCORE);
    const workerPod = `baton-${APP}-${ENV}-worker`;
    let seen = '';
    for (let i = 0; i < 40 && seen !== 'hello v1'; i++) {
      seen = podmanCommand(['exec', `${workerPod}-main`, '/bin/cat', '/tmp/seen'], containersConf).stdout;
      if (seen !== 'hello v1') await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(seen, 'hello v1', 'the worker reads the web workload through http://web:8080/ (its Service name; the container port, see docs/local-runtime.md)');

    const runtime = await api<{ namespace: string; modules: Record<string, Record<string, { pods: { podName: string; phase: string; containerStatuses: { name: string; ready: boolean }[] }[] }>> }>('GET', `/envs/${ENV}/runtime`);
    const webController = runtime.modules.web?.web;
    assert.ok(webController, JSON.stringify(runtime));
    assert.equal(webController.pods[0]?.podName, `baton-${APP}-${ENV}-web`);
    assert.equal(webController.pods[0]?.phase, 'Running');
    assert.deepEqual(webController.pods[0]?.containerStatuses.map((c) => [c.name, c.ready]), [['httpd', true]]);

    const logs = await api<{ workload_id: string; container_id: string; payload: string }[]>('GET', `/envs/${ENV}/logs?workload_id=web&limit=200`);
    assert.ok(logs.length > 0, 'httpd logged something');
    assert.ok(logs.every((l) => l.workload_id === 'web' && l.container_id === 'httpd'));
    assert.ok(logs.some((l) => l.payload.includes('/index.html')), `httpd's request log names the file: ${JSON.stringify(logs.slice(-5))}`);
    const workerLogs = await api<{ payload: string }[]>('GET', `/envs/${ENV}/logs?workload_id=worker`);
    assert.ok(workerLogs.some((l) => l.payload === 'worker up'), JSON.stringify(workerLogs));

    const workerBefore = podId(workerPod);
    const webBefore = podId(`baton-${APP}-${ENV}-web`);
    await deployScore('web.yaml', webScore('hello v2'), extensions);
    assert.equal(await webPort(), port, 'the published port is stable across deployments');
    assert.equal(await (await fetch(`http://127.0.0.1:${port}/index.html`)).text(), 'hello v2');
    assert.notEqual(podId(`baton-${APP}-${ENV}-web`), webBefore, 'the changed workload got a new pod');
    assert.equal(podId(workerPod), workerBefore, 'the unchanged workload kept its pod');

    const status = await cli(['status', '--app', APP, '-o', 'table']);
    assert.equal(status.code, 0, status.out);
    assert.match(status.out, new RegExp(`web: Running \\[httpd=running\\] http://127\\.0\\.0\\.1:${port}`));

    // Remove the web workload: a delta that removes the module, deployed.
    const delta = await api<{ id: string }>('POST', '/deltas', { metadata: { env_id: ENV }, modules: { remove: ['web'] } });
    const deployment = await api<{ id: string }>('POST', `/envs/${ENV}/deploys`, { delta_id: delta.id, comment: 'remove web' });
    let state = '';
    for (let i = 0; i < 240 && !['succeeded', 'failed'].includes(state); i++) {
      state = (await api<{ status: string }>('GET', `/envs/${ENV}/deploys/${deployment.id}`)).status;
      if (!['succeeded', 'failed'].includes(state)) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(state, 'succeeded');
    assert.notEqual(podmanCommand(['pod', 'exists', `baton-${APP}-${ENV}-web`], containersConf).status, 0, 'the removed workload has no pod');
    assert.equal(podmanCommand(['pod', 'exists', workerPod], containersConf).status, 0, 'the other workload still runs');
    await assert.rejects(fetch(`http://127.0.0.1:${port}/index.html`));

    // Deleting the environment removes its pods and network.
    const deleted = await fetch(`${baton.url}/orgs/${baton.org}/apps/${APP}/envs/${ENV}`, { method: 'DELETE', headers: { authorization: `Bearer ${baton.token}` } });
    assert.equal(deleted.status, 204, await deleted.text());
    assert.notEqual(podmanCommand(['pod', 'exists', workerPod], containersConf).status, 0);
    assert.notEqual(podmanCommand(['network', 'exists', `baton-${APP}-${ENV}`], containersConf).status, 0);
  });

  it('refuses an image that is not available locally, naming it and how to load it', async () => {
    const other = `${APP}x`;
    writeFileSync(join(dir, 'missing.yaml'), webScore('x').replace(BUSYBOX_IMAGE, 'registry.example/nothing:1'));
    const run = await cli(['score', 'deploy', '-f', join(dir, 'missing.yaml'), '--app', other, '--env', ENV, '--wait', '--yes']);
    assert.notEqual(run.code, 0, run.out);
    assert.match(run.out, /image "registry\.example\/nothing:1" is not available locally/);
    assert.match(run.out, /podman load/);
  });
});
