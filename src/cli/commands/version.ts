import type { Command } from '@commander-js/extra-typings';
import { BATON_VERSION } from '../../config/index.js';

export function registerVersionCommand(program: Command): void {
  program
    .command('version')
    .description("print Baton's version")
    .action(() => {
      process.stdout.write(`baton ${BATON_VERSION}\n`);
    });
}
