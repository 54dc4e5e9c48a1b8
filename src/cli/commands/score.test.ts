import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { parse } from 'yaml';
import { defaultScoreIo, registerScoreCommands } from './score.js';
import type { ScoreCommandIo } from './score.js';

async function run(args: string[], cwd: string): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  let code: number | undefined;
  const io: ScoreCommandIo = {
    ...defaultScoreIo,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    cwd: () => cwd,
    setExitCode: (value) => (code = value),
  };
  const program = new Command().exitOverride();
  registerScoreCommands(program, io);
  await program.parseAsync(['node', 'baton', 'score', ...args]);
  return { code, stdout, stderr };
}

function withDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-score-cli-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const threeMistakes = `apiVersion: score.dev/v1b1
metadata:
  name: shop
containers:
  web:
    image: nginx
    variables:
      PORT: 8080
      DB: "\${resources.database.host}"
    before:
      web: {ready: started}
resources:
  db: {type: postgres}
`;

test(
  'score validate prints all three mistakes of a file as file:line:column and exits 1',
  withDir(async (dir) => {
    const file = join(dir, 'shop.yaml');
    writeFileSync(file, threeMistakes);
    const result = await run(['validate', file], dir);
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 4, result.stderr);
    assert.ok(lines[0]!.startsWith(`${file}:8:13: 8080 is not a string`));
    assert.ok(lines[1]!.startsWith(`${file}:9:11: placeholder \${resources.database.host}`));
    assert.ok(lines[2]!.startsWith(`${file}:11:12: container 'web' cannot be started before itself`));
    assert.equal(lines[3], '3 errors');
  }),
);

test(
  'score init writes a starter that validates, refuses to overwrite without --force',
  withDir(async (dir) => {
    const created = await run(['init'], dir);
    assert.equal(created.code, 0);
    const file = join(dir, 'score.yaml');
    assert.match(readFileSync(file, 'utf8'), /apiVersion: score\.dev\/v1b1/);
    const valid = await run(['validate', file], dir);
    assert.equal(valid.code, 0);
    assert.match(valid.stdout, /1 workload valid: hello-world/);
    await assert.rejects(run(['init'], dir), /already exists/);
    writeFileSync(file, 'changed');
    assert.equal((await run(['init', '--force'], dir)).code, 0);
    assert.notEqual(readFileSync(file, 'utf8'), 'changed');
  }),
);

test(
  'score convert prints the delta as JSON or YAML, with extensions, image and properties',
  withDir(async (dir) => {
    await run(['init'], dir);
    const file = join(dir, 'score.yaml');
    const extensions = join(dir, 'humanitec.score.yaml');
    writeFileSync(extensions, 'apiVersion: humanitec.org/v1b1\nprofile: my-org/web\nspec: {deployment: {replicas: 3}}\n');
    const json = await run(
      ['convert', file, '--image', 'ghcr.io/acme/hello:1', '--extensions', extensions, '--property', 'containers.main.variables.MODE=dev', '--env', 'development'],
      dir,
    );
    assert.equal(json.code, 0, json.stderr);
    const delta = JSON.parse(json.stdout);
    const module = delta.modules.add['hello-world'];
    assert.equal(module.profile, 'my-org/web');
    assert.equal(module.spec.containers.main.image, 'ghcr.io/acme/hello:1');
    assert.equal(module.spec.containers.main.variables.DB_HOST, '${externals.db.host}');
    assert.equal(module.spec.containers.main.variables.MODE, 'dev');
    assert.deepEqual(module.spec.deployment, { replicas: 3 });
    assert.equal(delta.metadata.env_id, 'development');
    const yaml = await run(['convert', file, '--image', 'x:1', '-o', 'yaml'], dir);
    assert.equal((parse(yaml.stdout)).modules.add['hello-world'].spec.containers.main.image, 'x:1');
  }),
);

test(
  'score convert without --image for image "." prints the problem and exits 1',
  withDir(async (dir) => {
    await run(['init'], dir);
    const file = join(dir, 'score.yaml');
    const result = await run(['convert', file], dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: container 'main' has image "\\."`));
    assert.equal(result.stdout, '');
  }),
);
