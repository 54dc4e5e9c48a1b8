/**
 * Reads the data of a Kubernetes Secret as a file target wrote it, decoded to clear text, for tests that check what
 * a deployment put in a Secret. Today the directory and gitops targets write a plain Secret (`data` base64,
 * `stringData` clear); once they encrypt Secrets (SOPS/age, issue 15 item 1), point `decodeSecretData` at the
 * decrypting reader and every test using this helper keeps working.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

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

/** How this branch's targets encode Secrets; the SOPS branch swaps this for its decrypting reader. */
export let decodeSecretData: (object: SecretFile, file: string) => Record<string, string> = (object) => decodePlainSecret(object);

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
