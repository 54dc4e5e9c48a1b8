/**
 * Every command's `--help` exits 0 and shows an example. The tree is walked in-process (fast, and it cannot miss
 * a command); the real binary is run for the root and a nested command to prove the same through a child process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import { buildProgram } from '../../src/cli/main.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function commandPaths(command: CommandUnknownOpts, path: string[] = []): string[][] {
  return [path, ...(command.commands).flatMap((sub) => commandPaths(sub, [...path, sub.name()]))];
}

function captureAll(command: CommandUnknownOpts, sink: { text: string }): void {
  command.configureOutput({ writeOut: (s) => (sink.text += s), writeErr: (s) => (sink.text += s) });
  for (const sub of command.commands) captureAll(sub, sink);
}

describe('--help on every command', () => {
  const paths = commandPaths(buildProgram());

  it('covers the client commands (the walk is not empty)', () => {
    const names = paths.map((p) => p.join(' '));
    for (const expected of ['login', 'config set', 'get', 'create app', 'delete', 'apply', 'api', 'score deploy', 'deploy env', 'rollback', 'diff deploys', 'logs', 'resources graph', 'resources explain', 'resources test-definition', 'status', 'completion']) {
      assert.ok(names.includes(expected), `missing command "${expected}"`);
    }
  });

  for (const path of paths) {
    it(`baton ${[...path, '--help'].join(' ')} exits 0 with an example`, async () => {
      const program = buildProgram() as unknown as CommandUnknownOpts;
      const sink = { text: '' };
      captureAll(program, sink);
      await assert.rejects(program.parseAsync(['node', 'baton', ...path, '--help']), (error: unknown) => {
        const { code, exitCode } = error as { code?: string; exitCode?: number };
        return code === 'commander.helpDisplayed' && exitCode === 0;
      });
      assert.match(sink.text, /Usage: baton/);
      assert.match(sink.text, /Examples?:\n {2}(\S.*)?baton /, `no example in help of "${path.join(' ')}"`);
    });
  }

  for (const argv of [['--help'], ['score', 'deploy', '--help'], ['get', '--help']]) {
    it(`the real binary: baton ${argv.join(' ')} exits 0 with an example`, () => {
      const result = spawnSync(process.execPath, ['bin/baton.js', ...argv], { cwd: REPO_ROOT, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /Examples?:\n {2}.*baton /);
    });
  }
});
