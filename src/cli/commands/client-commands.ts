/** Every client command of the `baton` CLI (one registrar for src/cli/main.ts). Runs after the score registrar. */
import type { Command } from '@commander-js/extra-typings';
import { registerCompletionCommand } from './completion.js';
import { registerConfigCommands } from './config.js';
import { registerDeployCommands } from './deploy.js';
import { registerInspectCommands } from './inspect.js';
import { registerObjectCommands } from './objects.js';

export function registerClientCommands(program: Command): void {
  registerConfigCommands(program);
  registerObjectCommands(program);
  registerDeployCommands(program);
  registerInspectCommands(program);
  registerCompletionCommand(program);
}
