#!/usr/bin/env node
// Entry point of the `baton` command. The sources are TypeScript run through tsx,
// so `npm ci && npm start` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
await main(process.argv);
