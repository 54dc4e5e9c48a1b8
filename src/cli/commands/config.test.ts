import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('baton config set --delete', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baton-config-set-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k))), BATON_CONFIG: join(dir, 'config.yaml'), HOME: dir };
  const baton = (...args: string[]) => spawnSync(process.execPath, ['bin/baton.js', 'config', ...args], { cwd: REPO_ROOT, env, encoding: 'utf8' });

  it('removes a key the way an empty value does; a value with --delete, or neither, is a usage error', () => {
    assert.equal(baton('set', 'app', 'shop').status, 0);
    assert.match(readFileSync(join(dir, 'config.yaml'), 'utf8'), /app: shop/);
    const removed = baton('set', 'app', '--delete');
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stdout, /app removed/);
    assert.doesNotMatch(readFileSync(join(dir, 'config.yaml'), 'utf8'), /app: shop/);
    const both = baton('set', 'app', 'shop', '--delete');
    assert.equal(both.status, 2);
    assert.match(both.stderr, /either a value or --delete/);
    const neither = baton('set', 'app');
    assert.equal(neither.status, 2);
    assert.match(neither.stderr, /give a value for "app"/);
  });
});
