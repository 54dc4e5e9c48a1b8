/**
 * Issue 17, acceptance 3: a workload artefact version with a Score spec and `dry_run` (Accept
 * application/x.workload-deployment-set+json) returns the same set that `baton score convert` produces, and stores
 * nothing; stored, its spec and set are served back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from '@commander-js/extra-typings';
import { parse } from 'yaml';
import { defaultScoreIo, registerScoreCommands } from '../../src/cli/commands/score.js';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';

const SCORE = {
  apiVersion: 'score.dev/v1b1',
  metadata: { name: 'web' },
  containers: { main: { image: '.', variables: { DB_HOST: '${resources.db.host}', GREETING: 'hello' } } },
  service: { ports: { http: { port: 80, targetPort: 8080 } } },
  resources: { db: { type: 'postgres' }, dns: { type: 'dns', id: 'shared-dns' } },
};
const EXTENSIONS = { apiVersion: 'humanitec.org/v1b1', spec: { deployment: { replicas: 2 } } };
const IMAGE = 'registry.example.com/acme/web:2.0.0';

async function scoreConvert(dir: string, args: string[]): Promise<{ modules: { add: Record<string, unknown> }; shared: { op: string; path: string; value: unknown }[] }> {
  let stdout = '';
  const program = new Command().exitOverride();
  registerScoreCommands(program, { ...defaultScoreIo, stdout: (text) => (stdout += text), stderr: () => undefined, cwd: () => dir, setExitCode: (code) => assert.equal(code, 0) });
  await program.parseAsync(['node', 'baton', 'score', 'convert', ...args]);
  return JSON.parse(stdout) as never;
}

describe('workload artefact versions', () => {
  let baton: InProcessBaton;
  let dir: string;
  before(async () => {
    baton = await startInProcessBaton();
    dir = mkdtempSync(join(tmpdir(), 'baton-workload-artefact-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await baton.stop();
  });

  const post = (url: string, body: unknown, accept?: string) =>
    baton.app.inject({ method: 'POST', url, headers: { ...baton.authHeaders, ...(accept ? { accept } : {}) }, payload: body as Record<string, unknown> });

  it('dry_run with the deployment-set Accept header returns what `baton score convert` produces, storing nothing', async () => {
    writeFileSync(join(dir, 'score.json'), JSON.stringify(SCORE));
    writeFileSync(join(dir, 'humanitec.score.json'), JSON.stringify(EXTENSIONS));
    const delta = await scoreConvert(dir, [join(dir, 'score.json'), '--image', IMAGE, '--extensions', join(dir, 'humanitec.score.json'), '--property', 'containers.main.variables.MODE=ci']);
    const expected = {
      modules: delta.modules.add,
      shared: Object.fromEntries(delta.shared.map((op) => [op.path.slice(1), op.value])),
    };
    assert.ok(Object.keys(expected.shared).length > 0, 'the spec has a shared resource');

    const body = { type: 'workload', name: 'acme/web-workload', version: '2.0.0', ref: 'refs/heads/main', spec: SCORE, image: IMAGE, extensions: EXTENSIONS, property_overrides: { 'containers.main.variables.MODE': 'ci' } };
    const res = await post('/orgs/local/artefact-versions?dry_run=true', body, 'application/x.workload-deployment-set+json');
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/x\.workload-deployment-set\+json/);
    assert.deepEqual(res.json(), expected);

    const yaml = await post('/orgs/local/artefact-versions?dry_run=true', body, 'application/x.workload-deployment-set+x-yaml');
    assert.match(String(yaml.headers['content-type']), /^application\/x\.workload-deployment-set\+x-yaml/);
    assert.deepEqual(parse(yaml.body), expected);

    const plain = await post('/orgs/local/artefact-versions?dry_run=true', body);
    assert.equal(plain.statusCode, 204, 'dry_run without that Accept header validates only');
    const list = await baton.app.inject({ method: 'GET', url: '/orgs/local/artefact-versions', headers: baton.authHeaders });
    assert.deepEqual(list.json(), [], 'a dry run stores nothing');

    const bad = await post('/orgs/local/artefact-versions?dry_run=true', { ...body, spec: { ...SCORE, containers: { main: {} } } }, 'application/x.workload-deployment-set+json');
    assert.equal(bad.statusCode, 400, 'a spec that does not convert is 400');
  });

  it('a stored workload version serves its spec and its deployment set', async () => {
    const body = { type: 'workload', name: 'acme/web-workload', version: '2.0.1', spec: SCORE, image: IMAGE };
    const res = await post('/orgs/local/artefact-versions', body);
    assert.equal(res.statusCode, 200, res.body);
    const version = res.json<{ id: string; type: string; archived: boolean; digest?: string }>();
    assert.equal(version.type, 'workload');
    assert.equal(version.digest, undefined);
    const spec = await baton.app.inject({ method: 'GET', url: `/orgs/local/artefact-versions/${version.id}/workload-spec`, headers: baton.authHeaders });
    assert.deepEqual(spec.json(), SCORE);
    const set = await baton.app.inject({ method: 'GET', url: `/orgs/local/artefact-versions/${version.id}/workload-deployment-set`, headers: baton.authHeaders });
    const dry = await post('/orgs/local/artefact-versions?dry_run=true', body, 'application/x.workload-deployment-set+json');
    assert.deepEqual(set.json(), dry.json());
  });
});
