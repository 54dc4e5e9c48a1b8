/**
 * Deploy-time resolution of secret references: a definition's external `driver_inputs.secret_refs` (leaves
 * `{store, ref, version?}`, nested like the driver's `secrets`) become driver secrets read from the stores. Values
 * come back only to the caller, which hands them to the driver and masks them; nothing here stores or logs them.
 */
import { BatonError, SecretStoreFailed } from '../../shared/errors.js';
import { isForbiddenKey, setAt } from '../../shared/safe-path.js';
import type { SecretReference, SecretStoreResolver } from './types.js';

type JsonObject = Record<string, unknown>;

const isPlainObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const isRefLeaf = (node: JsonObject): boolean => typeof node.store === 'string' && typeof node.ref === 'string';

/**
 * Reads secrets through one resolver, each (store, ref, version) once: a deployment whose nodes share a definition,
 * or values sharing a ref, asks the store once. Errors name the store, the ref and `where` it was referenced.
 */
export function createSecretReader(resolver: SecretStoreResolver, orgId: string) {
  const cache = new Map<string, Promise<string>>();
  return async function read(reference: SecretReference, where: string): Promise<string> {
    const key = JSON.stringify([reference.store, reference.ref, reference.version ?? '']);
    let pending = cache.get(key);
    if (!pending) {
      pending = (async () => {
        const client = await resolver(orgId, reference.store);
        return client.read(reference.ref, reference.version);
      })();
      cache.set(key, pending);
    }
    try {
      return await pending;
    } catch (error) {
      const reason = error instanceof BatonError ? error.message : 'the store failed';
      throw new SecretStoreFailed(`${where}: secret reference {store: "${reference.store}", ref: "${reference.ref}"${reference.version ? `, version: "${reference.version}"` : ''}} could not be resolved: ${reason}`, {
        store: reference.store,
        ref: reference.ref,
      });
    }
  };
}

export type SecretReader = ReturnType<typeof createSecretReader>;

/** Every `{store, ref, version?}` leaf of `refs` read, at the same path; `where` names the owner in errors. */
export async function resolveSecretRefs(refs: JsonObject, read: SecretReader, where: string): Promise<JsonObject> {
  const out: JsonObject = {};
  const walk = async (node: JsonObject, path: string[]): Promise<void> => {
    for (const [key, child] of Object.entries(node)) {
      if (!isPlainObject(child)) continue;
      const at = [...path, key];
      if (isRefLeaf(child)) {
        const reference: SecretReference = { store: child.store as string, ref: child.ref as string, ...(typeof child.version === 'string' && child.version !== '' ? { version: child.version } : {}) };
        setAt(out, at, await read(reference, `${where}.${at.join('.')}`));
      } else await walk(child, at);
    }
  };
  await walk(refs, []);
  return out;
}

/** `extra` laid over `base` (objects merged key by key, anything else replaced); neither is changed. */
export function mergeSecrets(base: JsonObject, extra: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    if (isForbiddenKey(key)) continue;
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeSecrets(current, value) : value;
  }
  return out;
}
