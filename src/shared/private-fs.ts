/**
 * Files only Baton's own user may read: the data folder (0700), the SQLite database with its -wal/-shm companions,
 * the secret key, the admin token and the CLI's config file (0600). Modes are set explicitly (not left to the
 * umask), and a file holding a secret is written to a fresh 0600 file that is then renamed into place, so it is
 * never readable by others, not even for a moment, and not even when an older copy had a wider mode.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and missing parents) with mode 0700. A folder that already exists keeps its mode: it may be one the
 * operator chose and shares on purpose (docs/operations.md says how to check it).
 */
export function ensurePrivateDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates `path` empty when missing; either way its mode becomes 0600 (Baton owns the file). */
export function ensurePrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodSync(path, PRIVATE_FILE_MODE);
}

/** Sets 0600 on `path` when it exists. */
export function restrictIfExists(path: string): void {
  if (existsSync(path)) chmodSync(path, PRIVATE_FILE_MODE);
}

/** Writes `content` to `path` with mode 0600 atomically (fresh temp file in the same folder, then rename). */
export function writePrivateFile(path: string, content: string): void {
  ensurePrivateDir(dirname(path));
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, content, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    chmodSync(temp, PRIVATE_FILE_MODE);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
