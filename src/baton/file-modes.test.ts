import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { loadConfig } from '../config/index.js';
import { createBaton } from './create-baton.js';

it('a first start creates the data folder 0700 and the database (with -wal/-shm), secret key and admin token 0600', async () => {
  const root = mkdtempSync(join(tmpdir(), 'baton-modes-'));
  const dataDir = join(root, 'nested', 'data');
  const umask = process.umask(0o022); // the usual umask: left to it, the folder would be 0755 and files 0644
  try {
    const baton = await createBaton(loadConfig({ BATON_DATA_DIR: dataDir, BATON_LOG_LEVEL: 'silent', BATON_PORT: '0' }));
    try {
      // Migrations and the first-start seed have written, so the -wal and -shm files exist.
      assert.equal(statSync(dataDir).mode & 0o777, 0o700, 'data folder');
      for (const file of ['baton.db', 'baton.db-wal', 'baton.db-shm', 'secret.key', 'admin-token']) {
        const path = join(dataDir, file);
        assert.ok(existsSync(path), `${file} exists`);
        assert.equal((statSync(path).mode & 0o777).toString(8), '600', file);
      }
    } finally {
      await baton.close();
    }
  } finally {
    process.umask(umask);
    rmSync(root, { recursive: true, force: true });
  }
});
