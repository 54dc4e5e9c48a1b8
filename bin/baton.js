#!/usr/bin/env node
// Entry point of the `baton` command. The sources are TypeScript run directly (no build step, so
// `npm ci && npm start` is enough). Client commands run from a bundle rebuilt whenever a source changes
// (bin/cli-bundle.mjs: no loader thread, so `baton version` starts fast); `serve`, and any command when the bundle
// cannot be built, run the sources through bin/ts-hooks.mjs, which transpiles each .ts file once into a cache.
import { register } from 'node:module';

process.setSourceMapsEnabled(true);
const command = process.argv[2];
let entry;
if (command !== 'serve' && process.env.BATON_CLI_BUNDLE !== '0') {
  const bundle = await import('./cli-bundle.mjs');
  entry = bundle.freshBundle() ?? (bundle.cacheWritable() ? await bundle.buildBundle() : undefined);
}
if (entry === undefined) {
  register('./ts-hooks.mjs', import.meta.url);
  entry = new URL('../src/cli/main.ts', import.meta.url).href;
}
const { main } = await import(entry);
await main(process.argv);
