/**
 * Reads the data of a Kubernetes Secret as a file target wrote it, decoded to clear text, for tests that check what
 * a deployment put in a Secret. The directory and gitops targets SOPS-encrypt Secrets to Baton's age key by default
 * (docs/internals/profiles-and-targets.md); give the test's identities with `useAgeIdentities` (from `<data dir>/age.agekey`).
 * A plain Secret (`plaintext` mode) is read as is.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseAgeKeyFile } from '../../src/secrets/age.js';
import { sopsDecryptText } from '../../src/secrets/sops.js';

interface SecretFile {
  kind?: string;
  metadata?: { name?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/** The plain format: base64 `data` and clear `stringData` (stringData wins, as the API server merges them). */
export function decodePlainSecret(object: SecretFile): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(object.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
  for (const [k, v] of Object.entries(object.stringData ?? {})) out[k] = v;
  return out;
}

let identities: string[] = [];

/** The age identities SOPS-encrypted Secrets are decrypted with: Baton's own key file of the test's data folder. */
export function useAgeIdentities(dataDir: string): void {
  identities = parseAgeKeyFile(readFileSync(join(dataDir, 'age.agekey'), 'utf8'));
}

/** SOPS documents are decrypted (values and MAC checked), plain ones decoded. */
export let decodeSecretData: (object: SecretFile, file: string) => Record<string, string> = (object, file) =>
  'sops' in (object as object) ? decodePlainSecret(sopsDecryptText(readFileSync(file, 'utf8'), identities).tree) : decodePlainSecret(object);

export function useSecretDecoder(decoder: (object: SecretFile, file: string) => Record<string, string>): void {
  decodeSecretData = decoder;
}

/** Every Secret under `dir` (one YAML file per object), by name, decoded. */
export function readSecrets(dir: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const file = join(dir, name);
    const object = parse(readFileSync(file, 'utf8')) as SecretFile;
    if (object?.kind === 'Secret' && object.metadata?.name) out[object.metadata.name] = decodeSecretData(object, file);
  }
  return out;
}
