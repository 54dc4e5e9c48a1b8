import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { Conflict, InvalidInput, NotFound, SecretStoreFailed } from '../../shared/errors.js';
import { createCoreRepos, nowIso } from '../../store/index.js';
import { forEachDialect } from '../../store/testing.js';
import { SecretBox } from '../secret-box.js';
import { generateSecretKeyText, parseSecretKey } from '../secret-box.js';
import { createSecretReader, resolveSecretRefs } from './resolve.js';
import { createSealedStoreClient } from './sealed.js';
import { createSecretStoresService } from './service.js';
import { startTestVaultServer } from './test-vault-server.js';
import type { TestVaultServer } from './test-vault-server.js';

const TOKEN = 'hvs.service-test-token-0a9b8c7d';
const box = new SecretBox(parseSecretKey(generateSecretKeyText()));

let vault: TestVaultServer;
before(async () => {
  vault = await startTestVaultServer({ token: TOKEN });
});
after(() => vault.close());

forEachDialect('secret stores service', (getStore) => {
  const org = 'acme';
  before(async () => {
    await createCoreRepos(getStore()).orgs.insert({ id: org, name: org, created_at: nowIso(), created_by: 'x' });
  });

  it("lists Baton's own store as primary, then registered stores; the token is sealed and never shown", async () => {
    const service = createSecretStoresService(getStore(), box);
    assert.deepEqual((await service.list(org)).map((s) => [s.id, s.primary]), [['baton', true]]);
    const created = await service.create(org, { id: 'corp-vault', primary: true, vault: { url: vault.url, path: 'secret', auth: { token: TOKEN } } }, 'alice');
    assert.deepEqual(created.vault, { url: vault.url, path: 'secret' });
    assert.ok(!JSON.stringify(created).includes(TOKEN));
    assert.deepEqual((await service.list(org)).map((s) => [s.id, s.primary]), [['baton', false], ['corp-vault', true]]);
    const rows = await getStore().db.selectFrom('secret_stores').selectAll().execute();
    assert.ok(!JSON.stringify(rows).includes(TOKEN), 'the token is in the database in clear');
    // the primary store is what an undefined store id reads from
    vault.put('secret/p/one', { value: 'primary-read-424242' });
    assert.equal(await (await service.resolver(org, undefined)).read('p/one'), 'primary-read-424242');
  });

  it('PATCH switches the primary store, changes settings and rotates the token; baton cannot be deleted or unset', async () => {
    const service = createSecretStoresService(getStore(), box);
    assert.equal((await service.update(org, 'baton', { primary: true }, 'bob')).primary, true);
    assert.equal((await service.get(org, 'corp-vault')).primary, false);
    await assert.rejects(service.update(org, 'baton', { primary: false }, 'bob'), InvalidInput);
    await assert.rejects(service.delete(org, 'baton'), /cannot be deleted/);
    await service.update(org, 'corp-vault', { vault: { auth: { token: 'hvs.wrong-now' } } }, 'bob');
    await assert.rejects((await service.resolver(org, 'corp-vault')).read('p/one'), /refused access \(HTTP 403/);
    const back = await service.update(org, 'corp-vault', { vault: { auth: { token: TOKEN }, path: 'secret' } }, 'bob');
    assert.equal(back.updated_by, 'bob');
    assert.equal(await (await service.resolver(org, 'corp-vault')).read('p/one'), 'primary-read-424242');
  });

  it('refuses duplicates, reserved ids, unsupported kinds, role auth, agents and URLs with credentials', async () => {
    const service = createSecretStoresService(getStore(), box);
    const vaultSpec = { url: vault.url, auth: { token: TOKEN } };
    await assert.rejects(service.create(org, { id: 'corp-vault', primary: false, vault: vaultSpec }, 'a'), Conflict);
    await assert.rejects(service.create(org, { id: 'baton', primary: false, vault: vaultSpec }, 'a'), /reserved/);
    await assert.rejects(service.create(org, { id: 'Bad_Id', primary: false, vault: vaultSpec }, 'a'), /id: must match/);
    await assert.rejects(service.create(org, { id: 'aws', primary: false, awssm: { region: 'x' } }, 'a'), /supports HashiCorp Vault \/ OpenBao stores \("vault"\) only/);
    await assert.rejects(service.create(org, { id: 'role', primary: false, vault: { url: vault.url, auth: { role: 'r' } } }, 'a'), /only token auth is supported/);
    await assert.rejects(service.create(org, { id: 'agent', primary: false, vault: { ...vaultSpec, agent_id: 'a1' } }, 'a'), /Baton has no agents/);
    await assert.rejects(service.create(org, { id: 'creds', primary: false, vault: { url: 'http://u:p@vault:8200', auth: { token: TOKEN } } }, 'a'), /must not carry credentials/);
    await assert.rejects(service.get(org, 'nope'), NotFound);
    await assert.rejects(service.list('no-such-org'), NotFound);
    await assert.rejects(service.resolver(org, 'nope'), (e: unknown) => e instanceof SecretStoreFailed && /secret store "nope" does not exist/.test(e.message));
  });

  it("Baton's own store keeps every version sealed; a version or ref that is absent is named, never a value", async () => {
    const client = createSealedStoreClient(getStore(), box, org);
    assert.deepEqual(await client.write('db/password', 'sealed-value-one-1111'), { version: '1' });
    assert.deepEqual(await client.write('db/password', 'sealed-value-two-2222'), { version: '2' });
    assert.equal(await client.read('db/password'), 'sealed-value-two-2222');
    assert.equal(await client.read('db/password', '1'), 'sealed-value-one-1111');
    await assert.rejects(client.read('db/password', '3'), /store "baton" has no secret at ref "db\/password" in version 3/);
    await assert.rejects(client.read('db/other'), /store "baton" has no secret at ref "db\/other"/);
    const rows = JSON.stringify(await getStore().db.selectFrom('secret_store_entries').selectAll().execute());
    assert.ok(!rows.includes('sealed-value-'), 'a value is in the database in clear');
    // another org does not see them
    await createCoreRepos(getStore()).orgs.insert({ id: 'other', name: 'other', created_at: nowIso(), created_by: 'x' });
    await assert.rejects(createSealedStoreClient(getStore(), box, 'other').read('db/password'), /has no secret/);
  });

  it('resolves nested secret_refs through the resolver, each reference read once, errors naming where, store and ref', async () => {
    const service = createSecretStoresService(getStore(), box);
    vault.put('secret/app/key', { value: 'nested-vault-value-77' });
    const before = vault.requests.length;
    const read = createSecretReader(service.resolver, org);
    const refs = { creds: { user: { store: 'baton', ref: 'db/password', version: '1' }, key: { store: 'corp-vault', ref: 'app/key' } }, again: { store: 'corp-vault', ref: 'app/key' } };
    assert.deepEqual(await resolveSecretRefs(refs, read, 'definition "d"'), { creds: { user: 'sealed-value-one-1111', key: 'nested-vault-value-77' }, again: 'nested-vault-value-77' });
    assert.equal(vault.requests.length - before, 1);
    await assert.rejects(resolveSecretRefs({ x: { store: 'corp-vault', ref: 'app/absent' } }, read, 'definition "d" driver_inputs.secret_refs'), (e: unknown) => {
      assert.ok(e instanceof SecretStoreFailed);
      assert.match(e.message, /^definition "d" driver_inputs\.secret_refs\.x: secret reference \{store: "corp-vault", ref: "app\/absent"\} could not be resolved: store "corp-vault" has no secret at ref "app\/absent"$/);
      return true;
    });
  });
});
