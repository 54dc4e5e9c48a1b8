/**
 * Keys Baton derives from its secret key (BATON_SECRET_KEY / `<data dir>/secret.key`) with HKDF-SHA-256, one purpose
 * label each, so the key that seals secrets at rest is never used for anything else and one derived key says
 * nothing about another. (The API-token hash key, `baton/api-token-hash/v1`, is derived in src/org/tokens.ts.)
 */
import { hkdfSync } from 'node:crypto';

/** HKDF `info` of the manifest hash key; a new version of the label gives a new key (and new hashes). */
export const MANIFEST_HASH_KEY_LABEL = 'baton/manifest-hash/v1';

/**
 * Key of the HMACs written into rendered manifests (`baton.dev/config-hash` on pod templates, `baton.dev/content-hash`
 * on every object): those cover Secret data, and an unkeyed hash of it would let anyone who reads the gitops
 * repository or the cluster's annotations test guesses of a secret offline.
 */
export function deriveManifestHashKey(secretKeyMaterial: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', secretKeyMaterial, Buffer.alloc(0), MANIFEST_HASH_KEY_LABEL, 32));
}
