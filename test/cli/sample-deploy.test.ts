/**
 * What a new user does after `npm ci && npm start`: deploy the sample Score file with no definitions written,
 * no configuration beyond the URL and token. The embedded defaults (gitops repository in the data folder,
 * in-namespace postgres) must make it succeed, and the result must be visible with `git log`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.name === '.git' ? [] : entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe('sample deployment on a fresh Baton', { timeout: 180_000 }, () => {
  let baton: BatonProcess;
  before(async () => {
    baton = await startBatonProcess();
  });
  after(async () => {
    await baton?.stop();
  });

  it('baton score deploy of samples/hello succeeds on embedded defaults and lands in the local gitops repository', async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
    const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ['bin/baton.js', 'score', 'deploy', '-f', 'samples/hello/score.yaml', '--app', 'hello', '--env', 'development', '--wait', '--yes'],
        { cwd: REPO_ROOT, env: { ...env, BATON_URL: baton.url, BATON_TOKEN: baton.token, BATON_ORG: baton.org, BATON_CONFIG: join(baton.database.dataDir, 'cli.yaml') }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.once('error', reject);
      child.once('exit', (code) => resolve({ code, out }));
    });
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /succeeded/);
    // The plan shown before deploying: a fresh environment creates every resource and adds every object.
    assert.match(run.out, /workloads: 1 added \(hello\), 0 updated, 0 removed/);
    assert.match(run.out, /resources: \d+ create/);
    assert.match(run.out, /objects: [1-9]\d* added \([^)]*Deployment.apps\/hello-development\/hello[^)]*\), 0 changed, 0 removed/);

    const repo = join(baton.database.dataDir, 'gitops');
    const log = spawnSync('git', ['-C', repo, 'log', '--format=%s'], { encoding: 'utf8' });
    assert.equal(log.status, 0, log.stderr);
    assert.match(log.stdout, /hello\/development/);

    const objects = listFiles(repo).flatMap((file) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as { kind: string; metadata: { name: string } }));
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    assert.ok(kinds.includes('Deployment/hello'), kinds.join(', '));
    assert.ok(kinds.includes('Service/hello'), kinds.join(', '));
    assert.ok(objects.some((o) => o.kind === 'StatefulSet' && o.metadata.name.startsWith('pg-')), 'the default postgres runs in the namespace');
    const deployment = JSON.stringify(objects.find((o) => o.kind === 'Deployment'));
    assert.ok(deployment.includes('DB_PASSWORD') && deployment.includes('secretKeyRef'), 'the database password reaches the workload as a secret reference');
  });
});
