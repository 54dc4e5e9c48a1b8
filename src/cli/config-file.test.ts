import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InvalidInput } from '../shared/errors.js';
import { DEFAULT_URL, configPath, loadConfig, parseConfig, resolveContext, saveConfig, setContextValue } from './config-file.js';

describe('CLI config file', () => {
  it('BATON_CONFIG overrides the path; otherwise ~/.config/baton/config.yaml', () => {
    assert.equal(configPath({ BATON_CONFIG: '/x/c.yaml' }), '/x/c.yaml');
    assert.equal(configPath({ HOME: '/home/u' }), '/home/u/.config/baton/config.yaml');
  });

  it('round-trips contexts through the file, written with mode 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-cfg-'));
    try {
      const path = join(dir, 'sub', 'config.yaml');
      let config = loadConfig(path);
      assert.deepEqual(config.contexts, {});
      config = setContextValue(config, 'url', 'http://h:1');
      config = setContextValue(config, 'token', 'secret');
      config = setContextValue(config, 'app', 'a', 'other');
      const umask = process.umask(0o022); // a typical umask: without explicit modes the folder would be 0755
      try {
        saveConfig(config, path);
      } finally {
        process.umask(umask);
      }
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'sub')).mode & 0o777, 0o700, 'the config folder created for it is 0700');
      assert.deepEqual(readdirSync(join(dir, 'sub')), ['config.yaml'], 'no temporary file left behind');
      const loaded = loadConfig(path);
      assert.deepEqual(loaded.contexts, { default: { url: 'http://h:1', token: 'secret' }, other: { app: 'a' } });
      const removed = setContextValue(loaded, 'token', undefined);
      assert.deepEqual(removed.contexts.default, { url: 'http://h:1' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an existing config file with a wider mode is replaced by a 0600 one, never rewritten in place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-cfg-'));
    try {
      const path = join(dir, 'config.yaml');
      writeFileSync(path, 'contexts: {}\n');
      chmodSync(path, 0o644);
      saveConfig(setContextValue(loadConfig(path), 'token', 'secret'), path);
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(loadConfig(path).contexts.default?.token, 'secret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses unknown keys and non-string values with the file name', () => {
    assert.throws(() => parseConfig('contexts:\n  default:\n    orgg: x\n', 'c.yaml'), (e: unknown) => e instanceof InvalidInput && /c\.yaml.*unknown key "orgg"/.test(e.message));
    assert.throws(() => parseConfig('contexts:\n  default:\n    org: 3\n'), InvalidInput);
  });

  it('precedence: flag > BATON_* > HUMANITEC_* > context; url defaults', () => {
    const config = parseConfig('current-context: c\ncontexts:\n  c:\n    org: from-config\n    app: cfg-app\n    env: cfg-env\n    token: cfg-token\n');
    const env = { BATON_ORG: 'from-baton-env', HUMANITEC_ORG: 'from-humanitec', HUMANITEC_APP: 'h-app', HUMANITEC_TOKEN: 'h-token' };
    assert.deepEqual(resolveContext({ org: 'from-flag' }, env, config), { url: DEFAULT_URL, org: 'from-flag', app: 'h-app', env: 'cfg-env', token: 'h-token' });
    assert.equal(resolveContext({}, env, config).org, 'from-baton-env');
    assert.equal(resolveContext({}, { HUMANITEC_ORG: 'h' }, config).org, 'h');
    assert.equal(resolveContext({}, {}, config).org, 'from-config');
    assert.equal(resolveContext({}, { BATON_URL: 'http://x' }, config).url, 'http://x');
  });

  it('an empty flag (--env "") means no env, whatever the variables and the context say; an empty variable is skipped', () => {
    const config = setContextValue({ currentContext: 'default', contexts: {} }, 'env', 'development');
    assert.equal(resolveContext({ env: '' }, { BATON_ENV: 'staging' }, config).env, undefined);
    assert.equal(resolveContext({}, { BATON_ENV: '' }, config).env, 'development');
    assert.equal(resolveContext({}, {}, config).env, 'development');
  });
});
