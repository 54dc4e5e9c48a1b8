/**
 * Runs the `baton` CLI (or a shell line) as a child process of the test, the way a user's shell would, and collects
 * its exit code and output. One place for the tests of the CLI instead of a copy of the same spawn code in each.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (at once, empty, without it: not a terminal either way). */
  stdin?: string;
  /** Close the reading end of stdout before the child writes, as `| head` does once it has exited. */
  closeStdout?: boolean;
}

export function runProcess(command: string, args: string[], options: CliRunOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    if (options.closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** `baton ARGS` from the repository's bin/baton.js. */
export function runBatonCli(args: string[], options: CliRunOptions): Promise<CliRun> {
  return runProcess(process.execPath, ['bin/baton.js', ...args], options);
}
