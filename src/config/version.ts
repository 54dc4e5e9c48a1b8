import { readFileSync } from 'node:fs';

/** Baton's version, from package.json (read once; the sources run unbuilt, through tsx or bin/ts-hooks.mjs, so the file is always there). */
export const BATON_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
