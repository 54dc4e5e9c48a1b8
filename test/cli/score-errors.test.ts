/**
 * Issue #19 acceptance: every error from validate, convert, plan and deploy that concerns a Score file names the
 * file, line and column and the field path; unknown names get a suggestion.
 *
 * A table of bad Score files, each run through the real CLI (`bin/baton.js`): `score validate`, `score convert`
 * (both local), `score deploy --dry-run` (the server's plan) and `score deploy --wait` (plan, deployment and its
 * errors) against a Baton in this process. Development environments get real Redis (BATON_DEV_REDIS_URL), whose
 * driver is not run by the plan, so a mistake in a Redis output surfaces only while deploying.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Stage = 'validate' | 'convert' | 'plan' | 'deploy';
/** What a stage must print: `FILE:at: [warning: ]field: ...` and the suggestion; `ok` when the stage passes silently. */
interface Expectation {
  at: string;
  field: string;
  suggestion?: string;
  warning?: boolean;
  /** The file the message names, when not the Score file (an extensions file). */
  file?: string;
}
interface Row {
  name: string;
  score: string;
  extensions?: string;
  stages: Partial<Record<Stage, Expectation | 'ok'>>;
}

const head = (name: string) => `apiVersion: score.dev/v1b1\nmetadata:\n  name: ${name}\n`;

const ROWS: Row[] = [
  {
    name: 'mistyped Score field',
    score: `${head('field')}contaners:\n  main:\n    image: nginx:1.27\n`,
    stages: Object.fromEntries((['validate', 'convert', 'plan', 'deploy'] as const).map((s) => [s, { at: '4:1', field: 'contaners', suggestion: `did you mean 'containers'?` }])),
  },
  {
    name: 'placeholder naming a resource that is not declared',
    score: `${head('resname')}containers:\n  main:\n    image: nginx:1.27\n    variables:\n      DB_HOST: \${resources.dbb.host}\nresources:\n  db:\n    type: postgres\n`,
    stages: Object.fromEntries((['validate', 'convert', 'plan', 'deploy'] as const).map((s) => [s, { at: '8:16', field: 'containers.main.variables.DB_HOST', suggestion: `did you mean 'db'?` }])),
  },
  {
    name: 'volume source naming no declared resource',
    score: `${head('volsrc')}containers:\n  main:\n    image: nginx:1.27\n    volumes:\n      /data:\n        source: \${resources.dat}\nresources:\n  data:\n    type: volume\n`,
    stages: Object.fromEntries((['validate', 'convert', 'plan', 'deploy'] as const).map((s) => [s, { at: '9:17', field: 'containers.main.volumes./data.source', suggestion: `did you mean 'data'?` }])),
  },
  {
    name: 'mistyped resource type',
    score: `${head('restype')}containers:\n  main:\n    image: nginx:1.27\nresources:\n  db:\n    type: postgress\n`,
    stages: {
      validate: { at: '9:11', field: 'resources.db.type', suggestion: `did you mean 'postgres'?`, warning: true },
      convert: { at: '9:11', field: 'resources.db.type', suggestion: `did you mean 'postgres'?`, warning: true },
      plan: { at: '9:5', field: 'resources.db', suggestion: 'did you mean "postgres"?' },
      deploy: { at: '9:5', field: 'resources.db', suggestion: 'did you mean "postgres"?' },
    },
  },
  {
    name: 'mistyped resource output (known at plan time)',
    score: `${head('output')}containers:\n  main:\n    image: nginx:1.27\n    variables:\n      DB_HOST: \${resources.db.hots}\nresources:\n  db:\n    type: postgres\n`,
    stages: {
      validate: { at: '8:16', field: 'containers.main.variables.DB_HOST', suggestion: `did you mean 'host'?`, warning: true },
      convert: { at: '8:16', field: 'containers.main.variables.DB_HOST', suggestion: `did you mean 'host'?`, warning: true },
      plan: { at: '8:16', field: 'containers.main.variables.DB_HOST', suggestion: 'did you mean "host"?' },
      deploy: { at: '8:16', field: 'containers.main.variables.DB_HOST', suggestion: 'did you mean "host"?' },
    },
  },
  {
    name: 'mistyped resource output known only while deploying (real Redis)',
    score: `${head('late')}containers:\n  main:\n    image: nginx:1.27\n    variables:\n      CACHE: \${resources.cache.hots}\nresources:\n  cache:\n    type: redis\n`,
    stages: {
      validate: { at: '8:14', field: 'containers.main.variables.CACHE', suggestion: `did you mean 'host'?`, warning: true },
      convert: { at: '8:14', field: 'containers.main.variables.CACHE', suggestion: `did you mean 'host'?`, warning: true },
      plan: 'ok',
      deploy: { at: '8:14', field: 'containers.main.variables.CACHE', suggestion: 'did you mean "host"?' },
    },
  },
  {
    name: 'service-port naming an unknown port of a workload validated with it',
    score: `${head('ports')}containers:\n  main:\n    image: nginx:1.27\nservice:\n  ports:\n    http:\n      port: 8080\nresources:\n  self:\n    type: service-port\n    params:\n      workload: ports\n      port: htp\n`,
    stages: Object.fromEntries((['validate', 'convert', 'plan', 'deploy'] as const).map((s) => [s, { at: '16:13', field: 'resources.self.params.port', suggestion: `did you mean 'http'?` }])),
  },
  {
    name: 'service-port naming an unknown workload (checked against the deployment set)',
    score: `${head('shop')}containers:\n  main:\n    image: nginx:1.27\nresources:\n  api:\n    type: service-port\n    params:\n      workload: shpo\n      port: http\n`,
    stages: {
      validate: 'ok',
      convert: 'ok',
      plan: { at: '11:17', field: 'resources.api.params.workload', suggestion: `did you mean 'shop'?` },
      deploy: { at: '11:17', field: 'resources.api.params.workload', suggestion: `did you mean 'shop'?` },
    },
  },
  {
    name: 'extensions file with a mistyped key',
    score: `${head('ext')}containers:\n  main:\n    image: nginx:1.27\n`,
    extensions: 'apiVersion: humanitec.org/v1b1\nspec:\n  labels: {team: a}\ndeplyo:\n  when: before\n',
    stages: Object.fromEntries((['validate', 'convert', 'plan', 'deploy'] as const).map((s) => [s, { at: '4:1', field: 'deplyo', suggestion: `did you mean 'deploy'?`, file: 'ext.yaml' }])),
  },
];

describe('Score errors name file, line, column and field, with a suggestion, at every stage', { timeout: 600_000 }, () => {
  let baton: InProcessBaton;
  let dir: string;

  before(async () => {
    baton = await startInProcessBaton({ listen: true, env: { BATON_DEV_REDIS_URL: 'redis://127.0.0.1:6379' } });
    dir = mkdtempSync(join(tmpdir(), 'baton-score-errors-'));
  });
  after(async () => {
    await baton?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cli = (args: string[]): Promise<{ code: number | null; out: string }> =>
    new Promise((resolve, reject) => {
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
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

  const createAppAndEnv = async (app: string) => {
    const created = await baton.app.inject({ method: 'POST', url: `/orgs/${baton.org}/apps`, headers: baton.authHeaders, payload: { id: app, name: app } });
    assert.equal(created.statusCode, 201, created.body);
    // A new app gets its `development` environment; the plan needs it to exist.
    const env = await baton.app.inject({ method: 'GET', url: `/orgs/${baton.org}/apps/${app}/envs/development`, headers: baton.authHeaders });
    assert.equal(env.statusCode, 200, env.body);
  };

  for (const row of ROWS) {
    it(row.name, async () => {
      const app = `err-${ROWS.indexOf(row)}`;
      const file = join(dir, `${app}.yaml`);
      writeFileSync(file, row.score);
      const extensions = row.extensions === undefined ? [] : ['--extensions', join(dir, 'ext.yaml')];
      if (row.extensions !== undefined) writeFileSync(join(dir, 'ext.yaml'), row.extensions);
      await createAppAndEnv(app);
      const runs: Record<Stage, () => Promise<{ code: number | null; out: string }>> = {
        validate: () => cli(['score', 'validate', file, ...extensions]),
        convert: () => cli(['score', 'convert', file, ...extensions]),
        plan: () => cli(['score', 'deploy', '-f', file, ...extensions, '--app', app, '--env', 'development', '--dry-run']),
        deploy: () => cli(['score', 'deploy', '-f', file, ...extensions, '--app', app, '--env', 'development', '--yes', '--wait']),
      };
      for (const stage of ['validate', 'convert', 'plan', 'deploy'] as const) {
        const expected = row.stages[stage];
        assert.ok(expected, `${row.name}: no expectation for ${stage}`);
        const run = await runs[stage]();
        if (expected === 'ok') {
          assert.equal(run.code, 0, `${stage}: ${run.out}`);
          continue;
        }
        assert.equal(run.code === 0, expected.warning === true, `${stage} exit code ${run.code}: ${run.out}`);
        const named = expected.file === undefined ? file : join(dir, expected.file);
        const prefix = `${named}:${expected.at}: ${expected.warning ? 'warning: ' : ''}${expected.field}: `;
        const line = run.out.split('\n').find((l) => l.trimStart().startsWith(prefix));
        assert.ok(line, `${stage}: no line starting ${JSON.stringify(prefix)} in:\n${run.out}`);
        if (expected.suggestion) assert.ok(line.includes(expected.suggestion), `${stage}: ${JSON.stringify(line)} lacks ${expected.suggestion}`);
        // In Score terms: no internal set paths or placeholders.
        assert.doesNotMatch(line, /\/containers\/|\$\{externals\.|\$\{shared\.|modules\.[a-z0-9-]+\.spec/, `${stage}: ${line}`);
      }
    });
  }

  it('an error on a shared resource names every Score file that declares it', async () => {
    const shared = (name: string) => `${head(name)}containers:\n  main:\n    image: nginx:1.27\nresources:\n  bus:\n    type: amqpp\n    id: events\n`;
    writeFileSync(join(dir, 'front.yaml'), shared('front'));
    writeFileSync(join(dir, 'back.yaml'), shared('back'));
    await createAppAndEnv('shared-err');
    const run = await cli(['score', 'deploy', '-f', join(dir, 'front.yaml'), '-f', join(dir, 'back.yaml'), '--app', 'shared-err', '--env', 'development', '--dry-run']);
    assert.notEqual(run.code, 0, run.out);
    for (const file of ['front.yaml', 'back.yaml']) {
      assert.ok(run.out.includes(`${join(dir, file)}:9:5: resources.bus: unknown resource type "amqpp" (did you mean "amqp"?)`), run.out);
    }
  });
});
