import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    assert.ok(lines[0]!.startsWith(`${file}:8:13: containers.web.variables.PORT: 8080 is not a string`), lines[0]);
    assert.ok(lines[1]!.startsWith(`${file}:9:11: containers.web.variables.DB: placeholder \${resources.database.host}`), lines[1]);
    assert.ok(lines[2]!.startsWith(`${file}:11:12: containers.web.before.web: container 'web' cannot be started before itself`), lines[2]);
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
    assert.match(result.stderr, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: containers\\.main\\.image: container 'main' has image "\\."`));
    assert.equal(result.stdout, '');
  }),
);

// Issue #19 theme 3: an empty input file is an error, not "0 workloads valid"; theme 6: errors name the field
// and suggest the name meant; issue #26 item 6: "is not an integer".
test(
  'score validate: an empty file is an error; errors name the field, suggest a mistyped property, and say "an integer"',
  withDir(async (dir) => {
    const empty = join(dir, 'empty.yaml');
    writeFileSync(empty, '# nothing yet\n');
    const none = await run(['validate', empty], dir);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /empty\.yaml:1:1: the file holds no Score workload/);
    assert.equal(none.stdout, '');

    const file = join(dir, 'score.yaml');
    writeFileSync(
      file,
      `apiVersion: score.dev/v1b1
metadata: {name: web}
service: {ports: {www: {port: "80x"}}}
containers:
  main:
    image: nginx
    livenessProbe: {}
    varaibles: {A: b}
`,
    );
    const result = await run(['validate', file], dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /score\.yaml:3:\d+: service\.ports\.www\.port: "80x" is not an integer/);
    assert.match(result.stderr, /score\.yaml:7:\d+: containers\.main\.livenessProbe: at least one of httpGet, exec is required/);
    assert.match(result.stderr, /score\.yaml:8:5: containers\.main\.varaibles: unknown property 'varaibles' is not allowed here \(did you mean 'variables'\?\)/);
  }),
);

test(
  'score convert: --image with several Score files is refused; --workload-source-url and --overrides-file apply; file sources stay below --file-root',
  withDir(async (dir) => {
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, 'apiVersion: score.dev/v1b1\nmetadata: {name: wa}\ncontainers: {main: {image: .}}\n');
    writeFileSync(b, 'apiVersion: score.dev/v1b1\nmetadata: {name: wb}\ncontainers: {main: {image: nginx}}\n');
    await assert.rejects(run(['convert', a, b, '--image', 'x:1'], dir), /--image applies to one Score file/);

    const overrides = join(dir, 'overrides.yaml');
    writeFileSync(overrides, 'containers: {main: {variables: {MODE: prod}}}\n');
    const ok = await run(['convert', a, '--image', 'x:1', '--workload-source-url', 'https://git.example.com/a', '--overrides-file', overrides], dir);
    assert.equal(ok.code, 0, ok.stderr);
    const module = JSON.parse(ok.stdout).modules.add.wa;
    assert.deepEqual(module.spec.annotations, { 'humanitec.io/workload-source': 'https://git.example.com/a' });
    assert.deepEqual(module.spec.containers.main.variables, { MODE: 'prod' });

    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'shared.conf'), 'shared=1');
    const withSource = join(dir, 'app', 'score.yaml');
    writeFileSync(withSource, 'apiVersion: score.dev/v1b1\nmetadata: {name: wc}\ncontainers: {main: {image: nginx, files: {/etc/s.conf: {source: ../shared.conf}}}}\n');
    const refused = await run(['convert', withSource], dir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /containers\.main\.files\.\/etc\/s\\\.conf\.source: file '\/etc\/s\.conf': source '\.\.\/shared\.conf' is outside the Score file's directory/);
    const widened = await run(['convert', withSource, '--file-root', dir], dir);
    assert.equal(widened.code, 0, widened.stderr);
    assert.deepEqual(JSON.parse(widened.stdout).modules.add.wc.spec.containers.main.files, { '/etc/s.conf': { value: 'shared=1' } });
  }),
);

// Issue #18 item 5: humctl's ScoreDeployConfig names the workloads and their extension files; each is applied.
test(
  'score convert --deploy-config reads a ScoreDeployConfig: every listed workload with its own extensions and image',
  withDir(async (dir) => {
    mkdirSync(join(dir, 'front'));
    mkdirSync(join(dir, 'back'));
    writeFileSync(join(dir, 'front', 'score.yaml'), 'apiVersion: score.dev/v1b1\nmetadata: {name: front}\ncontainers: {web: {image: .}}\n');
    writeFileSync(join(dir, 'front', 'humanitec.score.yaml'), 'apiVersion: humanitec.org/v1b1\nprofile: humanitec/default-module\nspec: {pod: {annotations: {team: front}}}\n');
    writeFileSync(join(dir, 'back', 'score.yaml'), 'apiVersion: score.dev/v1b1\nmetadata: {name: back}\ncontainers: {api: {image: .}}\n');
    writeFileSync(join(dir, 'back', 'ext.yaml'), 'apiVersion: humanitec.org/v1b1\nprofile: humanitec/default-job\ndeploy: {when: before}\n');
    const config = join(dir, 'deploy-config.yaml');
    writeFileSync(
      config,
      `apiVersion: config.humanitec.io/v1b1
kind: ScoreDeployConfig
workloads:
  - {name: front, specFile: front/score.yaml, extensionsFile: front/humanitec.score.yaml, image: "reg/front:1"}
  - {name: back, specFile: back/score.yaml, extensionsFile: back/ext.yaml, image: "reg/back:2"}
`,
    );
    const result = await run(['convert', '--deploy-config', config], dir);
    assert.equal(result.code, 0, result.stderr);
    const add = JSON.parse(result.stdout).modules.add;
    assert.deepEqual(Object.keys(add).sort(), ['back', 'front']);
    assert.equal(add.front.spec.containers.web.image, 'reg/front:1');
    assert.deepEqual(add.front.spec.pod, { annotations: { team: 'front' } });
    assert.equal(add.back.spec.containers.api.image, 'reg/back:2');
    assert.equal(add.back.profile, 'humanitec/default-job');
    assert.deepEqual(add.back.deploy, { when: 'before' });

    writeFileSync(join(dir, 'back', 'ext.yaml'), 'apiVersion: humanitec.org/v1b1\nprofil: humanitec/default-job\n');
    const badExtensions = await run(['convert', '--deploy-config', config], dir);
    assert.equal(badExtensions.code, 1);
    // At the key's own line and column in the extensions file, with the key meant.
    assert.ok(badExtensions.stderr.includes(`${join(dir, 'back', 'ext.yaml')}:2:1: profil: extensions for 'back': unknown property 'profil' (did you mean 'profile'?)`), badExtensions.stderr);

    writeFileSync(config, 'apiVersion: config.humanitec.io/v1b1\nkind: ScoreDeployConfig\nworkloads:\n  - {name: front, specFile: back/score.yaml}\n');
    await assert.rejects(run(['convert', '--deploy-config', config], dir), /workload 'front': .*back\/score\.yaml must hold exactly that workload, found 'back'/);
    writeFileSync(config, 'apiVersion: config.humanitec.io/v1b1\nkind: ScoreDeployConfig\nworkloads:\n  - {name: front, specFile: front/score.yaml, extensionFile: x.yaml}\n');
    await assert.rejects(run(['convert', '--deploy-config', config], dir), /unknown property 'extensionFile'/);
  }),
);

const deprecatedFiles = `apiVersion: score.dev/v1b1
metadata:
  name: shop
containers:
  web:
    image: nginx
    files:
      - target: /etc/app.conf
        content: hello
`;

test(
  'score validate --strict fails on what is otherwise a warning',
  withDir(async (dir) => {
    const file = join(dir, 'shop.yaml');
    writeFileSync(file, deprecatedFiles);
    const lenient = await run(['validate', file], dir);
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.match(lenient.stderr, /warning: .*array form is deprecated/);
    const strict = await run(['validate', '--strict', file], dir);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /error \(--strict\): .*array form is deprecated/);
    assert.match(strict.stderr, /1 error/);
  }),
);

test(
  'score validate --extensions checks the extensions file against the workloads',
  withDir(async (dir) => {
    const file = join(dir, 'shop.yaml');
    writeFileSync(file, deprecatedFiles);
    const good = join(dir, 'ext.yaml');
    writeFileSync(good, 'apiVersion: humanitec.org/v1b1\nprofile: humanitec/default-module\nspec:\n  labels: {team: shop}\n');
    const ok = await run(['validate', '--extensions', good, file], dir);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /1 workload valid: shop \(with .*ext\.yaml\)/);
    const bad = join(dir, 'bad-ext.yaml');
    writeFileSync(bad, 'apiVersion: humanitec.org/v9\nprofile: 12\n');
    const refused = await run(['validate', '--extensions', bad, file], dir);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /bad-ext\.yaml/);
  }),
);
