/**
 * How `node bin/baton.js` starts. Client commands run from an esbuild bundle of src/cli/main.ts
 * (bin/cli-bundle.mjs) that is rebuilt when a source changes, and whose start-up part holds the CLI layer only
 * (the server, the store, drivers and the Score module sit in chunks that only actions load). `serve`, and every
 * command with BATON_CLI_BUNDLE=0, run the sources through bin/ts-hooks.mjs, which transpiles each file once into
 * its cache. Start-up time itself is measured by bench/cli-startup.bench.ts, not here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The bundle cache of a checkout (its folder under node_modules/.cache/baton-cli is named after the checkout). */
const cacheOf = async (checkout: string): Promise<string> =>
  ((await import(pathToFileURL(join(checkout, 'bin', 'cli-bundle.mjs')).href)) as { cacheRoot: string }).cacheRoot;
const BUNDLE_CACHE = await cacheOf(REPO_ROOT);

function baton(env: Record<string, string>, ...args: string[]) {
  const scratch = mkdtempSync(join(tmpdir(), 'baton-startup-'));
  try {
    return spawnSync(process.execPath, ['bin/baton.js', ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, BATON_CONFIG: join(scratch, 'no-config.yaml'), ...env },
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

interface Pointer {
  dir: string;
  inputs: Record<string, [number, number]>;
}
interface Metafile {
  outputs: Record<string, { entryPoint?: string; imports: { path: string; kind: string }[]; inputs: Record<string, unknown> }>;
}

const pointer = (): Pointer => JSON.parse(readFileSync(join(BUNDLE_CACHE, 'current.json'), 'utf8')) as Pointer;

/** The sources in the bundle's entry chunk and every chunk it imports statically: what any command loads at start. */
function startupSources(): string[] {
  const meta = JSON.parse(readFileSync(join(BUNDLE_CACHE, pointer().dir, 'meta.json'), 'utf8')) as Metafile;
  const entry = Object.keys(meta.outputs).find((o) => meta.outputs[o]!.entryPoint === 'src/cli/main.ts');
  assert.ok(entry, 'the bundle has the CLI entry');
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const output = stack.pop()!;
    if (seen.has(output)) continue;
    seen.add(output);
    for (const imported of meta.outputs[output]?.imports ?? []) if (imported.kind === 'import-statement' && meta.outputs[imported.path]) stack.push(imported.path);
  }
  return [...new Set([...seen].flatMap((o) => Object.keys(meta.outputs[o]!.inputs)))].sort();
}

describe('baton start-up (bin/cli-bundle.mjs, bin/ts-hooks.mjs, lazy command modules)', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('builds the bundle when a source changed and reuses it while nothing did', () => {
    const first = baton({}, 'version');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^baton \d+\.\d+\.\d+/);
    const built = pointer();
    assert.ok(Object.keys(built.inputs).includes('src/cli/main.ts'), 'the manifest lists the sources');

    const again = baton({}, 'version');
    assert.equal(again.stdout, first.stdout);
    assert.equal(pointer().dir, built.dir, 'nothing changed: the same bundle');

    // A source "edited" (its mtime moves): the next start rebuilds before running.
    const source = join(REPO_ROOT, 'src/cli/commands/version.ts');
    const { atime, mtime } = statSync(source);
    utimesSync(source, atime, new Date(mtime.getTime() + 1000));
    try {
      const changed = baton({}, 'version');
      assert.equal(changed.status, 0, changed.stderr);
      assert.notEqual(pointer().dir, built.dir, 'a changed source rebuilt the bundle');
    } finally {
      utimesSync(source, atime, mtime);
    }
  });

  it('two checkouts sharing one node_modules (git worktrees with a symlink) each keep their own bundle', async () => {
    // A second checkout: its own copy of the sources (other mtimes, as a worktree has), node_modules linked to ours.
    const other = mkdtempSync(join(tmpdir(), 'baton-startup-checkout-'));
    dirs.push(other);
    for (const path of ['bin', 'src', 'package.json', 'tsconfig.json']) cpSync(join(REPO_ROOT, path), join(other, path), { recursive: true, filter: (from) => !from.includes(join('src', 'ui', 'dist')) });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(other, 'node_modules'));
    const otherCache = await cacheOf(other);
    try {
      assert.notEqual(otherCache, BUNDLE_CACHE);
      assert.equal(baton({}, 'version').status, 0);
      const ours = pointer().dir;
      const run = spawnSync(process.execPath, [join(other, 'bin', 'baton.js'), 'version'], { cwd: other, encoding: 'utf8', env: { ...process.env, BATON_CONFIG: join(other, 'no-config.yaml') } });
      assert.equal(run.status, 0, run.stderr);
      const theirs = JSON.parse(readFileSync(join(otherCache, 'current.json'), 'utf8')) as Pointer;
      assert.ok(Object.keys(theirs.inputs).includes('src/cli/main.ts'), 'the other checkout built its own bundle');
      assert.equal(baton({}, 'version').status, 0);
      assert.equal(pointer().dir, ours, 'a start in the other checkout left ours current (no rebuild)');
    } finally {
      rmSync(otherCache, { recursive: true, force: true });
    }
  });

  it('what every command loads at start is the CLI layer only; the Score module, renderers and the server load in actions', () => {
    assert.equal(baton({}, 'version').status, 0);
    const sources = startupSources();
    assert.ok(sources.includes('src/cli/main.ts'), sources.join(', '));
    const outside = sources.filter((source) => !/^src\/(cli|config|secrets|shared)\//.test(source) && source !== 'package.json');
    assert.deepEqual(outside, [], `loaded at start beyond the CLI layer: ${outside.join(', ')}`);
    for (const heavy of ['src/cli/render/progress.ts', 'src/cli/render/diff.ts']) assert.ok(!sources.includes(heavy), `${heavy} loaded at start`);
  });

  it('a Score command runs from the bundle (the Score module and its schema are in a chunk)', () => {
    const result = baton({}, 'score', 'validate', 'samples/hello/score.yaml');
    assert.equal(result.status, 0, result.stderr);
  });

  it('with BATON_CLI_BUNDLE=0 the sources run through bin/ts-hooks.mjs, transpiled once into its cache', () => {
    const cache = mkdtempSync(join(tmpdir(), 'baton-ts-cache-'));
    dirs.push(cache);
    const env = { BATON_CLI_BUNDLE: '0', BATON_TS_CACHE_DIR: cache };
    const first = baton(env, 'version');
    assert.equal(first.status, 0, first.stderr);
    const files = readdirSync(cache);
    assert.ok(files.length > 5, `expected cached files, got ${files.join(', ')}`);
    const times = new Map(files.map((name) => [name, statSync(join(cache, name)).mtimeMs]));
    const second = baton(env, 'version');
    assert.equal(second.stdout, first.stdout);
    assert.deepEqual(readdirSync(cache).sort(), [...times.keys()].sort(), 'the second run transpiled something again');
    for (const [name, at] of times) assert.equal(statSync(join(cache, name)).mtimeMs, at, `${name} was rewritten`);
    const cachedSources = files.map((name) => {
      const map = /sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)/.exec(readFileSync(join(cache, name), 'utf8'));
      return map ? relative(REPO_ROOT, (JSON.parse(Buffer.from(map[1]!, 'base64').toString('utf8')) as { sources: string[] }).sources[0]!) : name;
    });
    assert.ok(cachedSources.includes('src/cli/main.ts'), cachedSources.join(', '));
  });
});
