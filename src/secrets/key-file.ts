import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../shared/private-fs.js';
import { generateSecretKeyText, parseSecretKey, type SecretKey } from './secret-box.js';

export const SECRET_KEY_FILE = 'secret.key';

/**
 * The key-encryption key: `BATON_SECRET_KEY` when set (required when several replicas share one
 * PostgreSQL database, since each must open the others' secrets), otherwise `<dataDir>/secret.key`,
 * created with mode 0600 on first start (the data folder, when this creates it, with 0700).
 */
export function loadOrCreateSecretKey(options: { dataDir: string; secretKey?: string | undefined }): SecretKey {
  if (options.secretKey) return parseSecretKey(options.secretKey);
  const path = join(options.dataDir, SECRET_KEY_FILE);
  if (existsSync(path)) return parseSecretKey(readFileSync(path, 'utf8'));
  ensurePrivateDir(options.dataDir);
  const text = generateSecretKeyText();
  writeFileSync(path, text + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return parseSecretKey(text);
}
