import type { Command } from '@commander-js/extra-typings';
import { CONFIG_VARIABLES, loadConfig } from '../../config/index.js';

export function registerServeCommand(program: Command): void {
  const command = program
    .command('serve')
    .description('run the Baton API server (flags override the same-named BATON_* environment variables)');
  for (const variable of CONFIG_VARIABLES) {
    command.option(variable.flag, `${variable.description} [${variable.env}${variable.default !== undefined ? `, default ${variable.default}` : ''}]`);
  }
  command.action(async (options) => {
    const config = loadConfig(process.env, options);
    // The server (fastify, the store, drivers, the engine) is loaded only when it is run, never for --help.
    const { createBaton } = await import('../../baton/create-baton.js');
    const server = await createBaton(config);
    const url = await server.listen();
    if (server.bootstrap.adminTokenFile) {
      process.stderr.write(`baton: generated the administrator's API token; it is in ${server.bootstrap.adminTokenFile}\n`);
    }
    process.stderr.write(`baton: serving on ${url} (org "${config.org}", ${server.store.dialect})\n`);

    // Close cleanly on Ctrl-C / SIGTERM so SQLite checkpoints its WAL and PostgreSQL connections are returned.
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        server.close().then(resolve, (error: unknown) => {
          process.stderr.write(`baton: error while stopping: ${String(error)}\n`);
          resolve();
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  });
}
