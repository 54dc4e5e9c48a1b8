import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ageRecipientOf, generateAgeIdentity, parseAgeKeyFile } from './age.js';

export const AGE_KEY_FILE = 'age.agekey';

export interface AgeKey {
  /** `AGE-SECRET-KEY-1…`: never logged, never returned by the API. */
  identity: string;
  /** `age1…`: shown by `baton status`; SOPS files list it. */
  recipient: string;
  /** The key file, or undefined when the key came from `BATON_AGE_KEY`. */
  path: string | undefined;
}

/**
 * Baton's age key, which file targets SOPS-encrypt Kubernetes Secrets to: `BATON_AGE_KEY` when set (replicas that
 * share a gitops remote must share it), otherwise `<dataDir>/age.agekey` in age-keygen's format, created with mode
 * 0600 on first start. The cluster decrypts with the same file (`fluxSopsSecretCommand`).
 */
export function loadOrCreateAgeKey(options: { dataDir: string; ageKey?: string | undefined }): AgeKey {
  if (options.ageKey) {
    const [identity] = parseAgeKeyFile(options.ageKey);
    if (identity === undefined) throw new Error('BATON_AGE_KEY holds no age identity');
    return { identity, recipient: ageRecipientOf(identity), path: undefined };
  }
  const path = join(options.dataDir, AGE_KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(options.dataDir, { recursive: true });
    const { identity, recipient } = generateAgeIdentity();
    const text = `# created: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}\n# public key: ${recipient}\n${identity}\n`;
    try {
      writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    chmodSync(path, 0o600);
  }
  const [identity] = parseAgeKeyFile(readFileSync(path, 'utf8'));
  if (identity === undefined) throw new Error(`${path} holds no age identity`);
  return { identity, recipient: ageRecipientOf(identity), path };
}

/**
 * What a cluster operator runs once so Flux's kustomize-controller decrypts the repository's Secrets
 * (`spec.decryption: { provider: sops, secretRef: { name: sops-age } }` on the Kustomization).
 */
export function fluxSopsSecretCommand(keyFile: string | undefined): string {
  return `kubectl create secret generic sops-age --namespace=flux-system --from-file=age.agekey=${keyFile ?? '<file holding BATON_AGE_KEY>'}`;
}
