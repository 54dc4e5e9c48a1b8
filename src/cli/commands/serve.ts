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

    // SIGTERM / Ctrl-C: stop claiming deployments, give running ones BATON_SHUTDOWN_GRACE_MS to finish (then hand
    // them back to the queue for another replica), close the server and the store, exit. The process exits even
    // when that cannot complete (the database is down): a timer ends it a few seconds after the grace period, and
    // a second signal ends it at once.
    await new Promise<void>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          process.stderr.write(`baton: ${signal} again, exiting now\n`);
          process.exit(1);
        }
        stopping = true;
        process.stderr.write(`baton: ${signal}, stopping (grace period ${config.shutdownGraceMs} ms)\n`);
        const hardLimitMs = config.shutdownGraceMs + Math.min(config.databaseConnectTimeoutMs + config.databaseStatementTimeoutMs, 10_000) + 1_000;
        setTimeout(() => {
          process.stderr.write('baton: shutdown did not complete in time, exiting\n');
          process.exit(1);
        }, hardLimitMs).unref();
        server.close({ graceMs: config.shutdownGraceMs }).then(resolve, (error: unknown) => {
          process.stderr.write(`baton: error while stopping: ${String(error)}\n`);
          resolve();
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    process.exit(0);
  });
}
