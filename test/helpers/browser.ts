/**
 * Debian's chromium driven by playwright-core (no browser download): `.ci/run` installs /usr/bin/chromium.
 * Also makes sure the web UI bundle is current (scripts/ensure-ui.mjs, as `npm start` does), since the test starts
 * Baton with `node bin/baton.js serve`, which does not build it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env.BATON_CHROMIUM ?? '/usr/bin/chromium';
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function ensureUiBuilt(): void {
  const r = spawnSync(process.execPath, ['scripts/ensure-ui.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building the web UI failed');
  if (!existsSync(`${REPO_ROOT}/src/ui/dist/index.html`)) throw new Error('src/ui/dist/index.html missing after the build');
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** `/orgs/{orgId}/apps` → a regular expression for one path segment per parameter. */
export function openApiMatchers(doc: { paths: Record<string, Record<string, unknown>> }): { method: string; pattern: RegExp; path: string }[] {
  const out: { method: string; pattern: RegExp; path: string }[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    const source = path
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
      .join('');
    for (const method of Object.keys(ops)) out.push({ method: method.toUpperCase(), pattern: new RegExp(`^${source}$`), path });
  }
  return out;
}
