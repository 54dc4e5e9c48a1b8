/**
 * The `baton` command. Each command lives in src/cli/commands/<verb>.ts and exports a registrar;
 * extension point: add it to COMMAND_REGISTRARS (one line). Errors become exit codes in src/cli/errors.ts only.
 *
 * Start-up budget: every invocation registers every command, so registrars and what they import statically must
 * stay cheap (commander definitions, help text, small CLI helpers). Anything heavier (the server, the Score and
 * sets modules, drivers, ora) is imported with `await import()` inside the action that needs it, and the CommonJS
 * packages yaml and cli-table3 through src/cli/lazy.ts. test/cli/startup.test.ts checks that `baton version` and
 * `baton get` load the CLI layer only; bench/cli-startup.bench.ts measures the start-up time.
 */
import { Command } from '@commander-js/extra-typings';
import { BATON_VERSION } from '../config/index.js';
import { registerClientCommands } from './commands/client-commands.js';
import { registerScoreCommands } from './commands/score.js';
import { registerServeCommand } from './commands/serve.js';
import { registerVersionCommand } from './commands/version.js';
import { EXIT, describeError, exitCodeFor, isCommanderError } from './errors.js';

export type CommandRegistrar = (program: Command) => void;

export const COMMAND_REGISTRARS: readonly CommandRegistrar[] = [
  registerServeCommand,
  registerVersionCommand,
  (program) => registerScoreCommands(program),
  registerClientCommands,
];

export function buildProgram(): Command {
  const program = new Command()
    .name('baton')
    .description('Baton: a self-hosted, Humanitec-compatible Platform Orchestrator')
    .version(BATON_VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError();
  for (const register of COMMAND_REGISTRARS) register(program);
  return program;
}

/** Runs the CLI; sets `process.exitCode` rather than exiting, so pending output is flushed. */
export async function main(argv: string[]): Promise<void> {
  quietOnClosedPipe();
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    // commander has already printed its own usage messages (and help/version output, which exit 0).
    if (!isCommanderError(error)) process.stderr.write(describeError(error) + '\n');
    process.exitCode = exitCodeFor(error);
    return;
  }
  process.exitCode ??= EXIT.ok;
}

/**
 * `baton get ... | head`: once the reader has gone, a write fails with EPIPE, which Node raises as an unhandled
 * 'error' event (a stack trace). Nobody is left to read anything, so the CLI stops at once, quietly, with the exit
 * code so far (0 unless a failure was already recorded).
 */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw error;
    });
  }
}
