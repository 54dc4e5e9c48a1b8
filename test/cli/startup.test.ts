/**
 * How `node bin/baton.js` starts: bin/ts-hooks.mjs transpiles each TypeScript file once into its cache, and a
 * light command loads only the CLI layer (never the server, the store, drivers or the Score module). Which files
 * a run loaded is read back from the cache: each cached file carries an inline source map naming its source.
 * Start-up time itself is measured by bench/cli-startup.bench.ts, not here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function baton(cacheDir: string, ...args: string[]) {
  return spawnSync(process.execPath, ['bin/baton.js', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, BATON_TS_CACHE_DIR: cacheDir, BATON_CONFIG: join(cacheDir, 'no-config.yaml') },
  });
}

/** The source files (relative to the repository) behind the cached transpiled files. */
function cachedSources(cacheDir: string): string[] {
  return readdirSync(cacheDir)
    .filter((name) => name.endsWith('.mjs'))
    .map((name) => {
      const code = readFileSync(join(cacheDir, name), 'utf8');
      const map = /sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)/.exec(code);
      assert.ok(map, `${name} has no inline source map`);
      const { sources } = JSON.parse(Buffer.from(map[1]!, 'base64').toString('utf8')) as { sources: string[] };
      return relative(REPO_ROOT, sources[0]!);
    })
    .sort();
}

describe('baton start-up (bin/ts-hooks.mjs and lazy command modules)', () => {
  const dirs: string[] = [];
  const freshCache = () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-ts-cache-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('transpiles into the cache once and reuses it on the next run', () => {
    const cache = freshCache();
    const first = baton(cache, 'version');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^baton \d+\.\d+\.\d+/);
    const files = readdirSync(cache);
    assert.ok(files.length > 5, `expected cached files, got ${files.join(', ')}`);
    const times = new Map(files.map((name) => [name, statSync(join(cache, name)).mtimeMs]));

    const second = baton(cache, 'version');
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    assert.deepEqual(readdirSync(cache).sort(), [...times.keys()].sort(), 'the second run transpiled something again');
    for (const [name, mtime] of times) assert.equal(statSync(join(cache, name)).mtimeMs, mtime, `${name} was rewritten`);
  });

  for (const args of [['version'], ['get', 'apps', '--url', 'http://127.0.0.1:9', '--token', 't', '--org', 'local'], ['get', '--help']]) {
    it(`baton ${args.join(' ')} loads the CLI layer only`, () => {
      const cache = freshCache();
      const result = baton(cache, ...args);
      // `get apps` against a closed port fails (exit 1) after having loaded everything it needs.
      assert.ok(result.status === 0 || (args[0] === 'get' && args[1] === 'apps' && result.status === 1), result.stderr);
      const sources = cachedSources(cache);
      assert.ok(sources.includes('src/cli/main.ts'), sources.join(', '));
      const outside = sources.filter((source) => !/^src\/(cli|config|secrets|shared)\//.test(source));
      assert.deepEqual(outside, [], `loaded beyond the CLI layer: ${outside.join(', ')}`);
      for (const heavy of ['src/cli/render/progress.ts', 'src/cli/render/diff.ts']) assert.ok(!sources.includes(heavy), `${heavy} loaded`);
    });
  }

  it('loads the Score module when a score command runs', () => {
    const cache = freshCache();
    const result = baton(cache, 'score', 'validate', 'samples/hello/score.yaml');
    assert.equal(result.status, 0, result.stderr);
    assert.ok(cachedSources(cache).some((source) => source.startsWith('src/score/')));
  });
});
