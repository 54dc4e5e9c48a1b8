// The CLI's fast start: `baton` commands other than `serve` run from an esbuild bundle of src/cli/main.ts (code
// split, so heavy modules stay in chunks loaded by the actions that need them), which needs no TypeScript loader
// thread at start: Node's off-thread module hooks alone cost ~90 ms, a third of the start-up budget. The bundle
// is rebuilt when any of its source files changed (a manifest of paths, sizes and mtimes is checked on every start:
// a few stat calls), so there is no build step to remember. npm packages stay external and resolve from the
// repository's node_modules, which is why the bundle lives under node_modules/.cache (BATON_CLI_BUNDLE=0 turns the
// fast path off; `serve` always runs the sources through bin/ts-hooks.mjs).
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
// One cache folder per checkout: several checkouts (git worktrees) may share one node_modules through a symlink,
// and with one shared pointer each would find the other's manifest stale (its files have other mtimes) and rebuild
// on every start, replacing the bundle under the other's feet.
const checkout = createHash('sha256').update(realpathSync(root)).digest('hex').slice(0, 12);
export const cacheRoot = join(root, 'node_modules', '.cache', 'baton-cli', checkout);
const pointerFile = join(cacheRoot, 'current.json');
const BUNDLE_FORMAT = '1';

function fingerprint(path) {
  const stat = statSync(join(root, path));
  return [stat.size, stat.mtimeMs];
}

/** The entry of a bundle whose every input is unchanged, else undefined. */
export function freshBundle() {
  let pointer;
  try {
    pointer = JSON.parse(readFileSync(pointerFile, 'utf8'));
  } catch {
    return undefined;
  }
  if (pointer.format !== BUNDLE_FORMAT || pointer.node !== process.version) return undefined;
  try {
    for (const [path, [size, mtime]] of Object.entries(pointer.inputs)) {
      const [nowSize, nowMtime] = fingerprint(path);
      if (nowSize !== size || nowMtime !== mtime) return undefined;
    }
  } catch {
    return undefined; // an input was removed
  }
  return pathToFileURL(join(cacheRoot, pointer.dir, 'main.mjs')).href;
}

/** Builds the bundle and makes it current; returns its entry, or undefined when it cannot be built here. */
export async function buildBundle() {
  const requireFromTsx = createRequire(createRequire(join(root, 'package.json')).resolve('tsx/package.json'));
  const esbuild = await import(pathToFileURL(requireFromTsx.resolve('esbuild')).href);
  const dir = `b-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const outdir = join(cacheRoot, dir);
  try {
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: { main: 'src/cli/main.ts' },
      outdir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: `node${process.versions.node}`,
      packages: 'external',
      sourcemap: 'linked',
      tsconfig: join(root, 'tsconfig.json'),
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = {};
    for (const path of [...Object.keys(result.metafile.inputs), 'package.json', 'tsconfig.json', 'bin/cli-bundle.mjs']) inputs[path] = fingerprint(path);
    writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
    const temporary = `${pointerFile}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ format: BUNDLE_FORMAT, node: process.version, dir, inputs }));
    renameSync(temporary, pointerFile);
    pruneOldBundles(dir);
    return pathToFileURL(join(outdir, 'main.mjs')).href;
  } catch {
    rmSync(outdir, { recursive: true, force: true });
    return undefined; // e.g. a read-only installation: the caller runs the sources instead
  }
}

/** Removes bundles replaced more than an hour ago (a process started before may still be loading from a newer one). */
function pruneOldBundles(current) {
  try {
    for (const name of readdirSync(cacheRoot)) {
      if (!name.startsWith('b-') || name === current) continue;
      const path = join(cacheRoot, name);
      if (Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    }
  } catch {
    // pruning is best effort
  }
}

/** Creates the cache folder; false when it cannot be written. */
export function cacheWritable() {
  try {
    mkdirSync(cacheRoot, { recursive: true });
    return true;
  } catch {
    return false;
  }
}
