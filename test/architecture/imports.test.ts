/**
 * docs/internals/architecture.md is true to the imports: every folder of src/ has a row in its folder table, and every
 * folder another one imports at run time (type-only imports aside) is listed in that row's "depends on" column.
 * Also the layering the docs promise: only `store` speaks SQL (Kysely, SQLite), only `api` and the composition
 * root know Fastify, and no domain folder imports the API or the CLI.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(REPO, 'src');

interface SourceFile {
  folder: string;
  path: string;
  text: string;
}

function sources(): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'fixtures' && name !== 'testdata') walk(path);
      } else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !/(^|\/)(testing|test-[\w-]+)\.ts$/.test(name)) {
        out.push({ folder: relative(SRC, path).split('/')[0]!, path, text: readFileSync(path, 'utf8') });
      }
    }
  };
  walk(SRC);
  return out;
}

/** Specifiers of imports that exist at run time (static, re-exports and dynamic), not `import type`. */
function runtimeSpecifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'";]*?from\s+['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
  return found;
}

function documentedFolders(): Map<string, Set<string>> {
  const doc = readFileSync(join(REPO, 'docs/internals/architecture.md'), 'utf8');
  const table = doc.slice(doc.indexOf('## Folders'));
  const rows = new Map<string, Set<string>>();
  for (const line of table.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const folder = /^`([a-z-]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!folder || cells.length < 5) continue;
    rows.set(folder, new Set([...(cells[3] ?? '').matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!)));
  }
  return rows;
}

it('every src folder has a row in docs/internals/architecture.md, and its run-time imports are the ones the row lists', () => {
  const documented = documentedFolders();
  const files = sources();
  const folders = new Set(files.map((f) => f.folder));
  for (const folder of folders) assert.ok(documented.has(folder), `docs/internals/architecture.md has no row for src/${folder}`);
  const undocumented: string[] = [];
  for (const file of files) {
    for (const specifier of runtimeSpecifiers(file.text)) {
      if (!specifier.startsWith('.')) continue;
      const target = relative(SRC, resolve(dirname(file.path), specifier)).split('/')[0]!;
      if (target === file.folder || target.startsWith('..') || !folders.has(target)) continue;
      if (!documented.get(file.folder)!.has(target)) undocumented.push(`${relative(REPO, file.path)} imports src/${target}`);
    }
  }
  assert.deepEqual([...new Set(undocumented)], [], 'imports missing from the "depends on" column of docs/internals/architecture.md');
});

it('only store speaks SQL, only api and the composition root know Fastify, and no domain folder imports api or cli', () => {
  const offenders: string[] = [];
  for (const file of sources()) {
    for (const specifier of runtimeSpecifiers(file.text)) {
      if (/^(kysely|better-sqlite3)$/.test(specifier) && file.folder !== 'store') offenders.push(`${relative(REPO, file.path)}: ${specifier}`);
      if (/^(fastify|@fastify\/)/.test(specifier) && file.folder !== 'api') offenders.push(`${relative(REPO, file.path)}: ${specifier}`);
      if (specifier.startsWith('.')) {
        const target = relative(SRC, resolve(dirname(file.path), specifier)).split('/')[0]!;
        if ((target === 'api' || target === 'cli') && file.folder !== target && !['baton', 'cli'].includes(file.folder)) offenders.push(`${relative(REPO, file.path)} imports src/${target}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});
