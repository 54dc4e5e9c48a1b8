#!/usr/bin/env node
// `npm start` runs this first (prestart): builds the web UI (src/ui → src/ui/dist) when the bundle is missing or
// older than a source file, and does nothing otherwise, so a start with a current bundle stays fast.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const ui = join(root, 'src', 'ui');
const stamp = join(ui, 'dist', 'index.html');

function newestSource(dir) {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'dist' || name.endsWith('.test.ts')) continue;
    const path = join(dir, name);
    const stat = statSync(path);
    newest = Math.max(newest, stat.isDirectory() ? newestSource(path) : stat.mtimeMs);
  }
  return newest;
}

if (existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource(ui)) process.exit(0);
if (!existsSync(join(root, 'node_modules', 'vite'))) {
  console.error('baton: the web UI is not built and vite is not installed (npm ci installs it); Baton starts without /ui.');
  process.exit(0);
}
console.error('baton: building the web UI (src/ui → src/ui/dist)…');
const result = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(ui, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
