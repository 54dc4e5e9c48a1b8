/**
 * scripts/run-tests.mjs fails, by name, a test file that registers no test or whose process ends before its tests
 * finish (a stray process.exit(0), which Node 20's runner reports as a pass), and ends with `N passed, N failed`.
 * The fixture test files are written to a temporary directory (BATON_TEST_ROOTS), never under src/ or test/.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const FIXTURES: Record<string, string> = {
  'passing.test.ts': `import { describe, it } from 'node:test';
describe('passing', () => {
  it('one', () => {});
  it('two', async () => { await new Promise((resolve) => setTimeout(resolve, 5)); });
  it('skipped', { skip: 'not today' }, () => {});
});
`,
  'no-tests.test.ts': `import assert from 'node:assert/strict';
// Forgot to wrap the checks in a test: nothing is registered.
export const value: number = 1;
assert.equal(value, 1);
`,
  'skipped-suite.test.ts': `import { describe, it } from 'node:test';
describe('needs a tool this machine lacks', { skip: 'the tool is not installed' }, () => {
  it('would use the tool', () => { throw new Error('unreachable'); });
});
`,
  'exits-early.test.ts': `import { it } from 'node:test';
it('runs', () => {});
it('exits the process in the middle of the file', async () => {
  await new Promise((resolve) => setTimeout(resolve, 20));
  process.exit(0);
});
it('never runs', () => { throw new Error('unreachable'); });
`,
};

interface Run {
  status: number | null;
  output: string;
  lastLine: string;
}

function runTests(roots: string, ...filter: string[]): Run {
  const result = spawnSync(process.execPath, ['scripts/run-tests.mjs', ...filter], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, BATON_TEST_ROOTS: roots, BATON_TEST_CONCURRENCY: '2' },
  });
  const output = result.stdout + result.stderr;
  return { status: result.status, output, lastLine: result.stdout.trimEnd().split('\n').at(-1) ?? '' };
}

describe('scripts/run-tests.mjs', () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'baton-run-tests-fixture-'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
    for (const [name, text] of Object.entries(FIXTURES)) writeFileSync(join(dir, name), text);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('fails a file with no tests and a file that exits early, naming both, and ends with the summary line', () => {
    const run = runTests(dir);
    assert.equal(run.status, 1, run.output);
    // passing: 2 passed, 1 skipped; skipped-suite: 1 skipped; exits-early: its first test may or may not be
    // reported before the exit; the two bad files count as one failure each.
    assert.match(run.lastLine, /^\d+ passed, 2 failed, 2 skipped$/, run.output);
    const passed = Number(/^(\d+) passed/.exec(run.lastLine)![1]);
    assert.ok(passed === 2 || passed === 3, run.lastLine);
    assert.match(run.output, new RegExp(`${join(dir, 'no-tests.test.ts').replaceAll('/', '\\/')}: registered no tests`));
    assert.match(run.output, /exits-early\.test\.ts: exited before its tests finished: process\.exit\(0\) at .*exits-early\.test\.ts:5:/);
    assert.doesNotMatch(run.output, /passing\.test\.ts: /);
  });

  it('exits 0 with "N passed, 0 failed" when every file is fine', () => {
    const run = runTests(dir, 'passing');
    assert.equal(run.status, 0, run.output);
    assert.equal(run.lastLine, '2 passed, 0 failed, 1 skipped');
  });

  it('counts a file whose only suite is skipped (a tool missing here) as skipped, not as a file with no tests', () => {
    const run = runTests(dir, 'skipped-suite');
    assert.equal(run.status, 0, run.output);
    assert.equal(run.lastLine, '0 passed, 0 failed, 1 skipped');
  });

  it('fails when no file matches', () => {
    const run = runTests(dir, 'no-such-file');
    assert.equal(run.status, 1);
    assert.match(run.output, /no test files found matching no-such-file/);
  });
});
