/**
 * The web UI (docs/ui.md): the static bundle `npm run build` writes to src/ui/dist, served under `/ui` on the API's
 * own port; `/` redirects there. These routes are public (a browser cannot send a bearer token when it loads a page)
 * and hidden from the OpenAPI document: the UI itself signs in with an API token and calls the public API only.
 *
 * Paths under /ui that name no file get `index.html`, so every screen's URL can be opened directly (deep links).
 * Files are looked up by name in a listing of the bundle made at start, so no request path reaches the file system.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import type { RouteModule } from './types.js';

/** Where `npm run build` (vite, src/ui/vite.config.ts) writes the bundle. */
export const UI_DIST = fileURLToPath(new URL('../../ui/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

interface UiFile {
  body: Buffer;
  type: string;
  /** Vite names files under assets/ by content hash: they never change under the same name. */
  immutable: boolean;
}

/** Every file of the bundle by its path relative to the bundle (`index.html`, `assets/index-abc.js`). */
function listBundle(dir: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>();
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const rel = relative(dir, path).split(sep).join('/');
        files.set(rel, { body: readFileSync(path), type: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', immutable: rel.startsWith('assets/') });
      }
    }
  };
  walk(dir);
  return files;
}

const NOT_BUILT = 'The web UI is not built: run `npm run build` (npm start does it when the bundle is missing).';

export function createUiRoutes(dist: string = UI_DIST): RouteModule {
  return (app) => {
    let bundle: Map<string, UiFile> | undefined;
    const load = (): Map<string, UiFile> | undefined => {
      if (bundle) return bundle;
      try {
        if (statSync(join(dist, 'index.html')).isFile()) bundle = listBundle(dist);
      } catch {
        // not built yet; answered 503 below, and looked for again on the next request
      }
      return bundle;
    };

    const options = { config: { public: true }, schema: { hide: true } } as const;
    app.get('/', options, (_request, reply) => reply.redirect('/ui/', 302));
    const serve = (path: string) => {
      const files = load();
      if (!files) return { status: 503, file: undefined };
      const file = files.get(path) ?? (path.startsWith('assets/') ? undefined : files.get('index.html'));
      return file ? { status: 200, file } : { status: 404, file: undefined };
    };
    const handler = (path: string, reply: FastifyReply) => {
      const { status, file } = serve(path);
      if (!file) {
        return reply
          .status(status)
          .type('text/plain; charset=utf-8')
          .send(status === 503 ? NOT_BUILT : 'Not found');
      }
      return reply
        .status(200)
        .type(file.type)
        .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .send(file.body);
    };
    // The router ignores trailing slashes: this one route answers both /ui and /ui/.
    app.get('/ui', options, (_request, reply) => handler('index.html', reply));
    app.get<{ Params: { '*': string } }>('/ui/*', options, (request, reply) => handler(request.params['*'], reply));
  };
}

export const registerUiRoutes: RouteModule = createUiRoutes();
