#!/usr/bin/env node
// Entry point of the `baton` command. The sources are TypeScript run directly (no build step, so
// `npm ci && npm start` is enough): bin/ts-hooks.mjs transpiles each .ts file with esbuild on first use and caches
// the result; every command loads only the modules it uses (src/cli/main.ts), so `baton version` starts fast.
import { register } from 'node:module';

process.setSourceMapsEnabled(true);
register('./ts-hooks.mjs', import.meta.url);
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
