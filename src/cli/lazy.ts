/**
 * CommonJS packages that only some code paths need, loaded synchronously on first use: `yaml` takes ~40 ms to
 * load and cli-table3 ~20 ms, so `baton version` or `baton get apps -o json` never pay for them. Modules of our
 * own and ESM packages are loaded lazily with `await import()` inside command actions instead (see main.ts).
 */
import { createRequire } from 'node:module';

const requireCjs = createRequire(import.meta.url);

export function yaml(): typeof import('yaml') {
  return requireCjs('yaml') as typeof import('yaml');
}

export function cliTable(): typeof import('cli-table3') {
  return requireCjs('cli-table3') as typeof import('cli-table3');
}
