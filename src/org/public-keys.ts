/**
 * The org's public keys (`/orgs/{orgId}/keys`, Humanitec's PublicKey shape): RSA public keys (PKCS#8/SPKI PEM, a
 * modulus of 4096 bits or more) an org registers, each identified by the hex SHA-256 of its DER form (the
 * fingerprint, unique per org). Baton stores and serves them for the tools that register them; no Baton feature
 * encrypts to or verifies with them yet (docs/compatibility.md).
 */
import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { InvalidInput, NotFound } from '../shared/errors.js';
import type { Store } from '../store/index.js';
import { createCoreRepos, nowIso } from '../store/index.js';
import { createPublicKeysRepo } from '../store/accounts-registries-repo.js';
import type { PublicKeyRow } from '../store/accounts-registries-repo.js';

export const MIN_RSA_BITS = 4096;
export const MAX_PEM_CHARS = 16_384;
/** How long a registered key is valid (`expired_at`): Baton's choice, one year from its registration. */
export const PUBLIC_KEY_VALIDITY_DAYS = 365;

export interface PublicKeyView {
  id: string;
  key: string;
  fingerprint: string;
  created_at: string;
  created_by: string;
  expired_at: string;
}

/**
 * Parses a PEM public key as Humanitec accepts it (real line breaks, or the single-line form with literal `\n`
 * escapes); returns the normalised PEM and its fingerprint. Refuses anything but an RSA key of ≥ 4096 bits.
 */
export function parseRsaPublicKey(text: string): { pem: string; fingerprint: string } {
  if (text.length > MAX_PEM_CHARS) throw new InvalidInput(`the key is longer than ${MAX_PEM_CHARS} characters`, { field: 'body' });
  const pem = text.replace(/\\n/g, '\n').trim();
  if (!pem.startsWith('-----BEGIN PUBLIC KEY-----')) throw new InvalidInput('the body must be a PEM public key ("-----BEGIN PUBLIC KEY-----")', { field: 'body' });
  let key;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new InvalidInput('the body is not a readable PEM public key', { field: 'body' });
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < MIN_RSA_BITS) {
    throw new InvalidInput(`the key must be an RSA key of at least ${MIN_RSA_BITS} bits (got ${key.asymmetricKeyType ?? 'unknown'}${bits ? `, ${bits} bits` : ''})`, { field: 'body' });
  }
  const der = key.export({ type: 'spki', format: 'der' });
  const normalised = key.export({ type: 'spki', format: 'pem' }).toString();
  return { pem: normalised, fingerprint: createHash('sha256').update(der).digest('hex') };
}

export function createPublicKeysService(store: Store) {
  const repo = createPublicKeysRepo(store.db);
  const orgs = createCoreRepos(store).orgs;
  const requireOrg = async (orgId: string): Promise<void> => {
    if (!(await orgs.get(orgId))) throw new NotFound('organization', orgId);
  };
  const view = (row: PublicKeyRow): PublicKeyView => ({ id: row.id, key: row.key, fingerprint: row.fingerprint, created_at: row.created_at, created_by: row.created_by, expired_at: row.expired_at });
  return {
    async list(orgId: string, fingerprint?: string): Promise<PublicKeyView[]> {
      await requireOrg(orgId);
      return (await repo.list(orgId, fingerprint === undefined || fingerprint === '' ? undefined : fingerprint.toLowerCase())).map(view);
    },
    async get(orgId: string, keyId: string): Promise<PublicKeyView> {
      await requireOrg(orgId);
      const row = await repo.get(orgId, keyId);
      if (!row) throw new NotFound('public key', keyId);
      return view(row);
    },
    async create(orgId: string, text: string, actor: string): Promise<PublicKeyView> {
      await requireOrg(orgId);
      const { pem, fingerprint } = parseRsaPublicKey(text);
      const now = new Date();
      const row: PublicKeyRow = {
        org_id: orgId,
        id: randomUUID(),
        key: pem,
        fingerprint,
        created_at: nowIso(now),
        created_by: actor,
        expired_at: nowIso(new Date(now.getTime() + PUBLIC_KEY_VALIDITY_DAYS * 86_400_000)),
      };
      await repo.insert(row);
      return view(row);
    },
    async delete(orgId: string, keyId: string): Promise<void> {
      await requireOrg(orgId);
      if (!(await repo.delete(orgId, keyId))) throw new NotFound('public key', keyId);
    },
  };
}

export type PublicKeysService = ReturnType<typeof createPublicKeysService>;
