import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SecretStoreFailed } from '../../shared/errors.js';
import { startTestVaultServer } from './test-vault-server.js';
import type { TestVaultServer } from './test-vault-server.js';
import { createVaultClient } from './vault.js';

const TOKEN = 'hvs.test-token-5e6f7a8b9c0d';

describe('Vault KV v2 store against an in-test Vault-protocol HTTP server (no Vault/OpenBao can run here)', () => {
  let vault: TestVaultServer;
  before(async () => {
    vault = await startTestVaultServer({ token: TOKEN, mounts: ['secret', 'kv'], deny: (path) => path.startsWith('secret/forbidden/') });
  });
  after(() => vault.close());

  it('writes and reads a secret, each write a new version, older versions still readable', async () => {
    const client = createVaultClient({ id: 'corp-vault', url: vault.url, path: 'secret', token: TOKEN });
    assert.deepEqual(await client.write('apps/shop/redis', 'first-password-0001'), { version: '1' });
    assert.deepEqual(await client.write('apps/shop/redis', 'second-password-0002'), { version: '2' });
    assert.equal(await client.read('apps/shop/redis'), 'second-password-0002');
    assert.equal(await client.read('apps/shop/redis', '1'), 'first-password-0001');
    assert.ok(vault.requests.includes('GET /v1/secret/data/apps/shop/redis?version=1'));
  });

  it('reads the "value" field of a secret written by `vault kv put`, or its only field', async () => {
    vault.put('kv/team/db', { value: 'from-kv-put-3141', other: 'x' });
    vault.put('kv/team/api', { token: 'only-field-2718' });
    const client = createVaultClient({ id: 'kv', url: vault.url + '/', path: 'kv/team', token: TOKEN });
    assert.equal(await client.read('db'), 'from-kv-put-3141');
    assert.equal(await client.read('api'), 'only-field-2718');
    vault.put('kv/team/multi', { a: '1', b: '2' });
    await assert.rejects(client.read('multi'), /store "kv": the secret at ref "multi" has no string field "value" \(fields: a, b\)/);
  });

  it('an absent secret or version is a SecretStoreFailed naming store and ref (404)', async () => {
    const client = createVaultClient({ id: 'corp-vault', url: vault.url, path: 'secret', token: TOKEN });
    await assert.rejects(client.read('apps/nope'), (error: unknown) => error instanceof SecretStoreFailed && /store "corp-vault" has no secret at ref "apps\/nope"/.test(error.message) && error.details.store === 'corp-vault');
    await assert.rejects(client.read('apps/shop/redis', '9'), /has no secret at ref "apps\/shop\/redis"/);
  });

  it('a wrong token or a denied path is a 403 naming store and ref, never the token', async () => {
    const wrong = createVaultClient({ id: 'corp-vault', url: vault.url, path: 'secret', token: 'hvs.wrong-token-zzzz' });
    await assert.rejects(wrong.read('apps/shop/redis'), (error: unknown) => {
      assert.ok(error instanceof SecretStoreFailed);
      assert.match(error.message, /store "corp-vault" refused access \(HTTP 403.*\) to ref "apps\/shop\/redis": permission denied/);
      assert.ok(!error.message.includes('hvs.'));
      return true;
    });
    const client = createVaultClient({ id: 'corp-vault', url: vault.url, path: 'secret', token: TOKEN });
    await assert.rejects(client.write('forbidden/x', 'some-value-123456'), /refused access \(HTTP 403/);
  });

  it('an unreachable server fails naming the store; bad refs and versions are refused before any request', async () => {
    const client = createVaultClient({ id: 'gone', url: 'http://127.0.0.1:1', path: 'secret', token: TOKEN, timeoutMs: 2000 });
    await assert.rejects(client.read('a'), /store "gone" \(Vault at http:\/\/127.0.0.1:1\) could not be reached for ref "a"/);
    const live = createVaultClient({ id: 'corp-vault', url: vault.url, path: 'secret', token: TOKEN });
    const before = vault.requests.length;
    await assert.rejects(live.read('../sys/seal'), /is not a valid secret reference/);
    await assert.rejects(live.read('/abs'), /is not a valid secret reference/);
    await assert.rejects(live.read('a', 'latest'), /is not a KV v2 version number/);
    assert.equal(vault.requests.length, before);
  });

  it('an answer larger than 1 MiB is refused without reading it all', async () => {
    const huge = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{"data":{"value":"' + 'x'.repeat(2 * 1024 * 1024) + '"}}}'));
    await new Promise<void>((resolve) => huge.listen(0, '127.0.0.1', resolve));
    try {
      const client = createVaultClient({ id: 'huge', url: `http://127.0.0.1:${(huge.address() as AddressInfo).port}`, path: 'secret', token: TOKEN });
      await assert.rejects(client.read('big'), /store "huge": Vault's answer for ref "big" was refused \(answer larger than 1048576 bytes\)/);
    } finally {
      huge.closeAllConnections();
      huge.close();
    }
  });
});
