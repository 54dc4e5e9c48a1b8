// Module hooks that let `node bin/baton.js` run Baton's TypeScript sources directly (registered by bin/baton.js).
//
// Why not tsx here: registering tsx costs ~200 ms of CPU before the first line of Baton runs (it loads its own
// bundle and esbuild into the hooks thread), more than the whole start-up budget of `baton version` or
// `baton get apps`. These hooks do the two things Baton's sources need and nothing else:
//   - resolve: a relative `./x.js` imported from a .ts file names `./x.ts` when that file exists (NodeNext style);
//   - load: a .ts file is transpiled by esbuild (the one tsx itself uses) with the tsconfig.json compiler options,
//     and the result is cached on disk, keyed by the source text, so a file is transpiled once per change.
// Tests, benchmarks and scripts still run through tsx (`node --import tsx`); both produce the same JavaScript
// semantics (esbuild, type annotations removed, `target` = this Node version).
//
// Cache: $BATON_TS_CACHE_DIR, else $XDG_CACHE_HOME/baton/ts, else ~/.cache/baton/ts, else <tmpdir>/baton-ts-<uid>.
// Files are written atomically (temporary name, then rename), so concurrent processes never read half a file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HOOKS_VERSION = '1';
const root = new URL('../', import.meta.url);
const requireFromTsx = createRequire(createRequire(root).resolve('tsx/package.json'));

/** @type {string | undefined} */
let cacheDir;
/** @type {string} */
let optionsKey = '';
/** @type {import('esbuild').TransformOptions} */
let transformOptions = {};
/** @type {Promise<typeof import('esbuild')> | undefined} */
let esbuild;

function chooseCacheDir() {
  const env = process.env;
  if (env.BATON_TS_CACHE_DIR) return env.BATON_TS_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'baton', 'ts');
  try {
    return join(homedir(), '.cache', 'baton', 'ts');
  } catch {
    return join(tmpdir(), `baton-ts-${process.getuid?.() ?? 'user'}`);
  }
}

/** The cache directory, or undefined when it belongs to another user (its files would run as our code). */
function ownCacheDir() {
  const dir = chooseCacheDir();
  try {
    const owner = statSync(dir).uid;
    return process.getuid === undefined || owner === process.getuid() ? dir : undefined;
  } catch {
    return dir; // created on first write, with mode 0700
  }
}

export function initialize() {
  cacheDir = ownCacheDir();
  const tsconfig = JSON.parse(readFileSync(new URL('tsconfig.json', root), 'utf8'));
  const esbuildVersion = JSON.parse(readFileSync(requireFromTsx.resolve('esbuild/package.json'), 'utf8')).version;
  transformOptions = {
    loader: 'ts',
    format: 'esm',
    target: `node${process.versions.node}`,
    sourcemap: 'inline',
    sourcesContent: false,
    tsconfigRaw: { compilerOptions: tsconfig.compilerOptions ?? {} },
  };
  optionsKey = JSON.stringify([HOOKS_VERSION, esbuildVersion, transformOptions]);
}

export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL;
  if (
    parent !== undefined &&
    parent.startsWith('file:') &&
    parent.endsWith('.ts') &&
    specifier.endsWith('.js') &&
    (specifier.startsWith('./') || specifier.startsWith('../'))
  ) {
    const url = new URL(`${specifier.slice(0, -3)}.ts`, parent);
    if (existsSync(url)) return { url: url.href, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const path = fileURLToPath(url);
  const source = readFileSync(path, 'utf8');
  const key = createHash('sha256').update(optionsKey).update('\0').update(path).update('\0').update(source).digest('hex');
  const cached = cacheDir === undefined ? undefined : join(cacheDir, `${key.slice(0, 40)}.mjs`);
  if (cached !== undefined) {
    try {
      return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true };
    } catch {
      // not cached yet
    }
  }
  esbuild ??= import(pathToFileURL(requireFromTsx.resolve('esbuild')).href);
  const { code } = await (await esbuild).transform(source, { ...transformOptions, sourcefile: path });
  if (cached !== undefined) {
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
      const temporary = `${cached}.${process.pid}.tmp`;
      writeFileSync(temporary, code, { mode: 0o600 });
      renameSync(temporary, cached);
    } catch {
      // a read-only or full cache directory only costs speed
    }
  }
  return { format: 'module', source: code, shortCircuit: true };
}
