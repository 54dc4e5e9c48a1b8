import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { Conflict, DriverFailed, Forbidden, InvalidInput, NotFound, Unauthenticated } from '../shared/errors.js';
import { EXIT, UsageError, exitCodeFor } from './errors.js';
import { formatOutput } from './output.js';

it('maps each domain error to its documented exit code', () => {
  assert.equal(exitCodeFor(new InvalidInput('x')), EXIT.usage);
  assert.equal(exitCodeFor(new UsageError('x')), EXIT.usage);
  assert.equal(exitCodeFor(new Unauthenticated('x')), EXIT.auth);
  assert.equal(exitCodeFor(new Forbidden('x')), EXIT.auth);
  assert.equal(exitCodeFor(new NotFound('application', 'a')), EXIT.notFound);
  assert.equal(exitCodeFor(new Conflict('x')), EXIT.conflict);
  assert.equal(exitCodeFor(new DriverFailed('x')), EXIT.failed);
  assert.equal(exitCodeFor(new Error('x')), EXIT.failed);
});

it('formats rows as a plain table and as json', () => {
  const rows = [{ id: 'a', n: 1 }, { id: 'b', n: 2 }];
  const table = formatOutput(rows, 'table', [{ header: 'ID', value: (r) => r.id }, { header: 'N', value: (r) => r.n }]);
  assert.match(table, /ID.*N/);
  assert.match(table, /b.*2/);
  assert.ok(!table.includes(String.fromCharCode(27)), "no ANSI escape codes");
  assert.deepEqual(JSON.parse(formatOutput(rows, 'json')), rows);
});

const runBaton = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['bin/baton.js', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

it('`baton version` prints the package version and exits 0', () => {
  const result = runBaton(['version']);
  assert.equal(result.status, 0);
  assert.match(result.stdout, /^baton \d+\.\d+\.\d+/);
});

it('an unknown command exits 2 and a bad config value exits 2 naming the variable', () => {
  assert.equal(runBaton(['no-such-command']).status, 2);
  const bad = runBaton(['serve'], { BATON_PORT: 'not-a-port' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /BATON_PORT/);
});
