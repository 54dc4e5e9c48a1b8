/**
 * Baton's own secret store (`baton`): values kept in Baton's database, each version sealed with the SecretBox
 * (AAD = org, store, ref and version, so a sealed value copied to another ref or version does not open). Every write
 * appends a version ("1", "2", …); a read takes the newest or the version asked for.
 */
import { SecretStoreFailed } from '../../shared/errors.js';
import type { Store } from '../../store/index.js';
import { nowIso } from '../../store/index.js';
import { createSecretStoreEntriesRepo } from '../../store/secret-stores-repo.js';
import type { SecretBox } from '../secret-box.js';
import type { SecretStoreClient } from './types.js';

/** The id of Baton's own store: always there, primary unless another store of the org is. */
export const BATON_STORE_ID = 'baton';
/** Largest value (characters) one secret may hold in Baton's store; the same limit as a shared value. */
export const MAX_SECRET_CHARS = 65_536;
/** Largest `ref` (characters). */
export const MAX_REF_CHARS = 512;

export function entryAad(orgId: string, storeId: string, ref: string, version: number): string {
  return `orgs/${orgId}/secretstores/${storeId}/${ref}#${version}`;
}

/** A ref: printable, no leading slash, bounded; versions are positive integers. */
export function checkRef(storeId: string, ref: string): void {
  if (ref.length === 0 || ref.length > MAX_REF_CHARS || ref.startsWith('/') || [...ref].some((c) => c.charCodeAt(0) < 0x20) || ref.split('/').some((s) => s === '..')) {
    throw new SecretStoreFailed(`store "${storeId}": ref "${ref.slice(0, 80)}" is not a valid secret reference (1–${MAX_REF_CHARS} printable characters, no leading "/" nor ".." segment)`, {
      store: storeId,
      ref: ref.slice(0, 80),
    });
  }
}

export function createSealedStoreClient(store: Store, box: SecretBox, orgId: string, storeId: string = BATON_STORE_ID): SecretStoreClient {
  const entries = createSecretStoreEntriesRepo(store.db);
  return {
    id: storeId,
    async read(ref, version) {
      checkRef(storeId, ref);
      let wanted: number | undefined;
      if (version !== undefined && version !== '') {
        wanted = Number(version);
        if (!Number.isInteger(wanted) || wanted < 1) {
          throw new SecretStoreFailed(`store "${storeId}": version "${version}" of ref "${ref}" is not a version number`, { store: storeId, ref, version });
        }
      }
      const row = await entries.get(orgId, storeId, ref, wanted);
      if (!row) {
        throw new SecretStoreFailed(`store "${storeId}" has no secret at ref "${ref}"${wanted !== undefined ? ` in version ${wanted}` : ''}`, { store: storeId, ref, ...(wanted !== undefined ? { version: String(wanted) } : {}) });
      }
      const value = box.open(row.sealed, entryAad(orgId, storeId, ref, row.version));
      if (typeof value !== 'string') throw new SecretStoreFailed(`store "${storeId}": the secret at ref "${ref}" is not a string`, { store: storeId, ref });
      return value;
    },
    async write(ref, value) {
      checkRef(storeId, ref);
      if (value.length > MAX_SECRET_CHARS) {
        throw new SecretStoreFailed(`store "${storeId}": the secret for ref "${ref}" is ${value.length} characters, more than the limit of ${MAX_SECRET_CHARS}`, { store: storeId, ref });
      }
      return store.transaction(async (trx) => {
        const latest = await entries.get(orgId, storeId, ref, undefined, trx);
        const version = (latest?.version ?? 0) + 1;
        await entries.insert({ org_id: orgId, store_id: storeId, ref, version, sealed: box.seal(value, entryAad(orgId, storeId, ref, version)), created_at: nowIso() }, trx);
        return { version: String(version) };
      });
    },
  };
}
