/** Every client command of the `baton` CLI (one registrar for src/cli/main.ts). Runs after the score registrar. */
import type { Command, CommandUnknownOpts } from '@commander-js/extra-typings';
import { example } from './common.js';
import { registerCompletionCommand } from './completion.js';
import { registerConfigCommands } from './config.js';
import { registerDeployCommands } from './deploy.js';
import { registerInspectCommands } from './inspect.js';
import { registerObjectCommands } from './objects.js';

/** Examples for commands registered elsewhere (serve, version, score ...) so every `--help` shows one. */
const EXAMPLES_FOR_OTHER_COMMANDS: Record<string, string[]> = {
  '': ['baton login http://127.0.0.1:8080 --token "$TOKEN"', 'baton score deploy -f score.yaml --app my-app --env development --wait', 'baton get deploys -o json'],
  serve: ['BATON_DATA_DIR=./data baton serve'],
  version: ['baton version'],
  score: ['baton score validate score.yaml', 'baton score deploy -f score.yaml --app my-app --wait'],
  'score validate': ['baton score validate score.yaml other.yaml'],
  'score convert': ['baton score convert score.yaml --image nginx:1.27 --app my-app --env development -o yaml'],
  'score init': ['baton score init'],
};

function addMissingExamples(command: CommandUnknownOpts, path: string[]): void {
  const lines = EXAMPLES_FOR_OTHER_COMMANDS[path.join(' ')];
  if (lines) example(command, ...lines);
  for (const sub of command.commands) addMissingExamples(sub, [...path, sub.name()]);
}

export function registerClientCommands(program: Command): void {
  registerConfigCommands(program);
  registerObjectCommands(program);
  registerDeployCommands(program);
  registerInspectCommands(program);
  registerCompletionCommand(program);
  addMissingExamples(program, []);
}
