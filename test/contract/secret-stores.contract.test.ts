/**
 * Secret stores through Humanitec's generated client (`@humanitec/autogen`, tag SecretStore): list, create a Vault
 * store, get, patch (primary switch, token rotation), delete, and the 4xx answers; the Vault token never comes back in
 * any response. The Vault endpoint is an in-test Vault-protocol server (no Vault or OpenBao can run here).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublicApi, ResponseError, apiConfig } from '@humanitec/autogen';
import { startTestVaultServer } from '../../src/secrets/stores/test-vault-server.js';
import type { TestVaultServer } from '../../src/secrets/stores/test-vault-server.js';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';

const TOKEN = 'hvs.contract-token-aa11bb22cc33';
const ROTATED = 'hvs.contract-token-rotated-dd44ee55';

async function status(call: Promise<unknown>): Promise<{ status: number; body: { error: string; message: string } }> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected an HTTP error, got ${String(error)}`);
    return { status: error.response.status, body: (await error.response.json()) as { error: string; message: string } };
  }
  assert.fail('expected the call to fail');
}

describe('secret stores contract via @humanitec/autogen [sqlite]', () => {
  let baton: InProcessBaton;
  let vault: TestVaultServer;
  let api: PublicApi;
  const bodies: string[] = [];
  const orgId = 'local';

  before(async () => {
    vault = await startTestVaultServer({ token: ROTATED });
    baton = await startInProcessBaton({ listen: true });
    api = new PublicApi(apiConfig({ token: baton.token, apiHost: baton.url! })).withPostMiddleware(async ({ response }) => {
      bodies.push(await response.clone().text());
      return response;
    });
  });
  after(async () => {
    await baton.stop();
    await vault.close();
  });

  it('lists Baton\'s own store as the primary, creates, reads, patches and deletes a Vault store', async () => {
    assert.deepEqual((await api.orgsOrgIdSecretstoresGet({ orgId })).map((s) => [s.id, s.primary]), [['baton', true]]);
    const created = await api.orgsOrgIdSecretstoresPost({ orgId, CreateSecretStorePayloadRequest: { id: 'corp-vault', primary: true, vault: { url: vault.url, path: 'secret', auth: { token: TOKEN } } } });
    assert.equal(created.id, 'corp-vault');
    assert.equal(created.primary, true);
    assert.equal(created.vault?.url, vault.url);
    assert.ok(created.created_at && created.created_by && created.updated_at);
    assert.deepEqual((await api.orgsOrgIdSecretstoresGet({ orgId })).map((s) => [s.id, s.primary]), [['baton', false], ['corp-vault', true]]);
    assert.equal((await api.orgsOrgIdSecretstoresStoreIdGet({ orgId, storeId: 'corp-vault' })).vault?.path, 'secret');

    const patched = await api.orgsOrgIdSecretstoresStoreIdPatch({ orgId, storeId: 'corp-vault', UpdateSecretStorePayloadRequest: { primary: false, vault: { auth: { token: ROTATED } } } });
    assert.equal(patched.primary, false);
    assert.equal((await api.orgsOrgIdSecretstoresStoreIdGet({ orgId, storeId: 'baton' })).primary, true);

    await api.orgsOrgIdSecretstoresStoreIdDelete({ orgId, storeId: 'corp-vault' });
    assert.equal((await status(api.orgsOrgIdSecretstoresStoreIdGet({ orgId, storeId: 'corp-vault' }))).status, 404);
  });

  it('answers 400 for unsupported kinds and bad specifications, 409 for a duplicate, 404 for unknown stores and orgs', async () => {
    await api.orgsOrgIdSecretstoresPost({ orgId, CreateSecretStorePayloadRequest: { id: 'dup-vault', primary: false, vault: { url: vault.url, auth: { token: TOKEN } } } });
    assert.equal((await status(api.orgsOrgIdSecretstoresPost({ orgId, CreateSecretStorePayloadRequest: { id: 'dup-vault', primary: false, vault: { url: vault.url, auth: { token: TOKEN } } } }))).status, 409);
    const aws = await status(api.orgsOrgIdSecretstoresPost({ orgId, CreateSecretStorePayloadRequest: { id: 'aws', primary: false, awssm: { region: 'eu-west-1' } } }));
    assert.equal(aws.status, 400);
    assert.match(aws.body.message, /Vault/);
    assert.equal((await status(api.orgsOrgIdSecretstoresPost({ orgId, CreateSecretStorePayloadRequest: { id: 'no-token', primary: false, vault: { url: vault.url } } }))).status, 400);
    assert.equal((await status(api.orgsOrgIdSecretstoresPost({ orgId, CreateSecretStorePayloadRequest: { id: 'bad-url', primary: false, vault: { url: 'ftp://x', auth: { token: TOKEN } } } }))).status, 400);
    assert.equal((await status(api.orgsOrgIdSecretstoresStoreIdDelete({ orgId, storeId: 'baton' }))).status, 400);
    assert.equal((await status(api.orgsOrgIdSecretstoresStoreIdPatch({ orgId, storeId: 'nope', UpdateSecretStorePayloadRequest: { primary: true } }))).status, 404);
    assert.equal((await status(api.orgsOrgIdSecretstoresGet({ orgId: 'no-such-org' }))).status, 404);
  });

  it('never returns a token', () => {
    assert.ok(bodies.length > 10);
    for (const body of bodies) {
      assert.ok(!body.includes(TOKEN) && !body.includes(ROTATED), `a response holds a token: ${body}`);
      assert.ok(!body.includes('"auth"'));
    }
  });
});
