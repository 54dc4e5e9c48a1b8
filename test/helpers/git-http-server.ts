/**
 * A real git smart-HTTP server for tests: `git http-backend` (the CGI program shipped with git) behind a tiny Node
 * HTTP server that requires HTTP basic auth. Repositories are bare repositories under `root`; `password` may be
 * changed while it runs (credential rotation). Every Authorization header seen is kept, to prove what git sent.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  url: string;
  /** The credentials the server accepts now. */
  credentials: { username: string; password: string };
  /** Requests refused for missing or wrong credentials. */
  refused: number;
  /** Requests served with good credentials. */
  served: number;
  close(): Promise<void>;
}

/** `git init --bare <root>/<name>` */
export function createBareRepository(root: string, name: string): string {
  const path = `${root}/${name}`;
  const done = spawnSync('git', ['init', '--quiet', '--bare', '--initial-branch', 'main', path]);
  if (done.status !== 0) throw new Error(`git init --bare failed: ${done.stderr.toString()}`);
  return path;
}

export async function startGitHttpServer(root: string, credentials: { username: string; password: string }): Promise<GitHttpServer> {
  const state: GitHttpServer = { url: '', credentials: { ...credentials }, refused: 0, served: 0, close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    const expected = 'Basic ' + Buffer.from(`${state.credentials.username}:${state.credentials.password}`).toString('base64');
    if (req.headers.authorization !== expected) {
      state.refused++;
      req.resume();
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' }).end('authentication required\n');
      return;
    }
    state.served++;
    const url = new URL(req.url ?? '/', 'http://git');
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.replace(/^\?/, ''),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
        ...(typeof req.headers['git-protocol'] === 'string' ? { GIT_PROTOCOL: req.headers['git-protocol'] } : {}),
        REMOTE_USER: state.credentials.username,
        REMOTE_ADDR: '127.0.0.1',
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: root,
      },
    });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    child.stdout.on('end', () => {
      if (!headersDone) res.writeHead(502).end();
      else res.end();
    });
    child.stderr.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
