/**
 * A HashiCorp Vault / OpenBao KV version 2 store over HTTP with token auth (`X-Vault-Token`).
 *
 * `path` is the KV v2 mount, optionally followed by a prefix (`secret` or `secret/baton`); a `ref` is the secret's
 * path under it, and its value is the secret's `value` field (what `vault kv put secret/db value=…` writes; a secret
 * with another single field gives that field). Reads: `GET /v1/<mount>/data/<prefix/ref>[?version=N]`; writes:
 * `POST` of `{data: {value}}` to the same path, answering the new version. Errors name the store, the ref and Vault's
 * own error strings, never the token or a value.
 */
import { SecretStoreFailed } from '../../shared/errors.js';
import { checkRef, MAX_SECRET_CHARS } from './sealed.js';
import type { SecretStoreClient } from './types.js';

export interface VaultSettings {
  /** Store id (for messages). */
  id: string;
  /** Base URL of the Vault server, e.g. `https://vault.example.com:8200`. */
  url: string;
  /** KV v2 mount, optionally with a prefix under it: `secret`, `secret/baton`. */
  path: string;
  token: string;
  /** Time limit of one request (default 10 s). */
  timeoutMs?: number;
}

/** Largest Vault answer read (bytes): a secret is at most MAX_SECRET_CHARS, its envelope a little more. */
const MAX_ANSWER_BYTES = 1024 * 1024;

const encodePath = (path: string): string => path.split('/').filter((s) => s !== '').map(encodeURIComponent).join('/');

export function checkVaultSettings(settings: { url?: unknown; path?: unknown }): string[] {
  const issues: string[] = [];
  if (typeof settings.url !== 'string' || !/^https?:\/\/[^\s]+$/.test(settings.url)) issues.push('vault.url: must be an http(s) URL');
  else {
    try {
      const u = new URL(settings.url);
      if (u.username !== '' || u.password !== '') issues.push('vault.url: must not carry credentials; give vault.auth.token');
    } catch {
      issues.push('vault.url: must be an http(s) URL');
    }
  }
  if (settings.path !== undefined && (typeof settings.path !== 'string' || !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(settings.path) || settings.path.split('/').includes('..'))) {
    issues.push('vault.path: must be a KV v2 mount, optionally with a prefix (e.g. "secret" or "secret/baton")');
  }
  return issues;
}

async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await response.body.cancel().catch(() => undefined);
      throw new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Vault's `{"errors": [...]}` strings (they describe the failure, never a secret), bounded. */
function vaultErrors(text: string): string {
  try {
    const parsed = JSON.parse(text) as { errors?: unknown };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) return `: ${parsed.errors.filter((e) => typeof e === 'string').join('; ').slice(0, 300)}`;
  } catch {
    // not JSON: say nothing more
  }
  return '';
}

export function createVaultClient(settings: VaultSettings): SecretStoreClient {
  const [mount = 'secret', ...prefix] = settings.path.split('/').filter((s) => s !== '');
  const base = settings.url.replace(/\/+$/, '');
  const timeoutMs = settings.timeoutMs ?? 10_000;
  const where = (ref: string) => `${base}/v1/${encodePath(mount)}/data/${encodePath([...prefix, ref].join('/'))}`;

  async function call(method: 'GET' | 'POST', ref: string, url: string, body?: unknown): Promise<{ status: number; text: string }> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { 'x-vault-token': settings.token, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'could not be reached';
      throw new SecretStoreFailed(`store "${settings.id}" (Vault at ${base}) ${reason} for ref "${ref}"`, { store: settings.id, ref });
    }
    try {
      return { status: response.status, text: await readBounded(response) };
    } catch (error) {
      throw new SecretStoreFailed(`store "${settings.id}": Vault's answer for ref "${ref}" was refused (${(error as Error).message})`, { store: settings.id, ref });
    }
  }

  function failure(status: number, text: string, ref: string, action: string): SecretStoreFailed {
    const meaning =
      status === 404 ? 'has no secret at ref' : status === 403 ? 'refused access (HTTP 403: token lacks permission or expired) to ref' : status === 401 ? 'refused the token (HTTP 401) for ref' : `answered HTTP ${status} when asked to ${action} ref`;
    return new SecretStoreFailed(`store "${settings.id}" ${meaning} "${ref}"${status === 404 ? '' : vaultErrors(text)}`, { store: settings.id, ref, status });
  }

  return {
    id: settings.id,
    async read(ref, version) {
      checkRef(settings.id, ref);
      if (version !== undefined && version !== '' && !/^[1-9][0-9]{0,9}$/.test(version)) {
        throw new SecretStoreFailed(`store "${settings.id}": version "${version.slice(0, 40)}" of ref "${ref}" is not a KV v2 version number`, { store: settings.id, ref });
      }
      const url = where(ref) + (version ? `?version=${version}` : '');
      const { status, text } = await call('GET', ref, url);
      if (status !== 200) throw failure(status, text, ref, 'read');
      let data: unknown;
      try {
        data = (JSON.parse(text) as { data?: { data?: unknown } }).data?.data;
      } catch {
        throw new SecretStoreFailed(`store "${settings.id}": Vault's answer for ref "${ref}" is not JSON`, { store: settings.id, ref });
      }
      if (data === null || data === undefined) {
        // KV v2 answers `data: null` for a deleted or destroyed version.
        throw new SecretStoreFailed(`store "${settings.id}": the secret at ref "${ref}"${version ? ` version ${version}` : ''} is deleted`, { store: settings.id, ref });
      }
      const fields = typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
      const keys = Object.keys(fields);
      const value = 'value' in fields ? fields.value : keys.length === 1 ? fields[keys[0]!] : undefined;
      if (typeof value !== 'string') {
        throw new SecretStoreFailed(`store "${settings.id}": the secret at ref "${ref}" has no string field "value" (fields: ${keys.slice(0, 10).join(', ') || 'none'})`, { store: settings.id, ref });
      }
      return value;
    },
    async write(ref, value) {
      checkRef(settings.id, ref);
      if (value.length > MAX_SECRET_CHARS) {
        throw new SecretStoreFailed(`store "${settings.id}": the secret for ref "${ref}" is ${value.length} characters, more than the limit of ${MAX_SECRET_CHARS}`, { store: settings.id, ref });
      }
      const { status, text } = await call('POST', ref, where(ref), { data: { value } });
      if (status !== 200 && status !== 204) throw failure(status, text, ref, 'write');
      try {
        const version = (JSON.parse(text) as { data?: { version?: unknown } }).data?.version;
        return typeof version === 'number' ? { version: String(version) } : {};
      } catch {
        return {};
      }
    },
  };
}
