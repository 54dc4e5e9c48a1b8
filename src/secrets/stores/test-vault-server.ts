/**
 * An in-test HTTP server speaking the HashiCorp Vault / OpenBao KV version 2 protocol, for tests only: no Vault or
 * OpenBao server can run on this machine (neither is packaged by Debian; npm has clients only). It implements what
 * Baton uses, as Vault's HTTP API documents it: `GET /v1/<mount>/data/<path>[?version=N]` answering
 * `{data: {data, metadata: {version, …}}}`, `POST` of `{data}` answering `{data: {version, …}}` (a new version each
 * write), `{"errors": []}` with 404 for an absent path or version, and `{"errors": ["permission denied"]}` with 403
 * for a missing or wrong `X-Vault-Token` or a path the token's policy does not cover.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestVaultServer {
  url: string;
  /** Writes a version directly (as `vault kv put` would), returns its number. */
  put(mountAndPath: string, data: Record<string, unknown>): number;
  /** Paths of every request seen, with method. */
  requests: string[];
  close(): Promise<void>;
}

export async function startTestVaultServer(options: { token: string; mounts?: string[]; deny?: (path: string) => boolean }): Promise<TestVaultServer> {
  const mounts = new Set(options.mounts ?? ['secret']);
  const secrets = new Map<string, { version: number; data: Record<string, unknown> | null; created_time: string }[]>();
  const requests: string[] = [];
  const put = (key: string, data: Record<string, unknown>): number => {
    const versions = secrets.get(key) ?? [];
    versions.push({ version: versions.length + 1, data, created_time: new Date().toISOString() });
    secrets.set(key, versions);
    return versions.length;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://vault');
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const match = /^\/v1\/([^/]+)\/data\/(.+)$/.exec(url.pathname);
      if (!match || !mounts.has(decodeURIComponent(match[1]!))) return answer(404, { errors: ['no handler for route'] });
      const path = match[2]!.split('/').map(decodeURIComponent).join('/');
      const key = `${decodeURIComponent(match[1]!)}/${path}`;
      if (req.headers['x-vault-token'] !== options.token || options.deny?.(key)) return answer(403, { errors: ['permission denied'] });
      if (req.method === 'GET') {
        const versions = secrets.get(key);
        const wanted = url.searchParams.get('version');
        const entry = wanted === null || wanted === '0' ? versions?.at(-1) : versions?.find((v) => v.version === Number(wanted));
        if (!entry) return answer(404, { errors: [] });
        return answer(200, { request_id: 'test', lease_id: '', renewable: false, lease_duration: 0, data: { data: entry.data, metadata: { created_time: entry.created_time, deletion_time: '', destroyed: false, version: entry.version } } });
      }
      if (req.method === 'POST' || req.method === 'PUT') {
        let body: { data?: unknown };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: unknown };
        } catch {
          return answer(400, { errors: ['failed to parse JSON input'] });
        }
        if (typeof body.data !== 'object' || body.data === null) return answer(400, { errors: ['no data provided'] });
        const version = put(key, body.data as Record<string, unknown>);
        return answer(200, { data: { created_time: new Date().toISOString(), deletion_time: '', destroyed: false, version } });
      }
      return answer(405, { errors: ['unsupported operation'] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
