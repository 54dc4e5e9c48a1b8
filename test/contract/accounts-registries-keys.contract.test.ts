/**
 * Resource accounts, account types, registries and the org's public keys through Humanitec's generated client
 * (`@humanitec/autogen`, tags ResourceAccount, Registry, PublicKeys) against a running Baton: every operation, the
 * 4xx answers, who may read a registry's credentials, and that no response ever holds a credential in clear except
 * `GET …/registries/{regId}/creds`, which the contract defines to return them.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { PublicApi, ResponseError, apiConfig } from '@humanitec/autogen';
import { databaseText } from '../helpers/database-text.js';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/contract-secret-access-key';
const AWS_ROTATED = 'rotated/K7MDENG/contract-secret-access-key-2';
const AZURE_PASSWORD = 'azure~contract~client~secret~value';
const REGISTRY_PASSWORD = 'ghp_contractRegistryToken0123456789';
const SECRETS = [AWS_SECRET, AWS_ROTATED, AZURE_PASSWORD, REGISTRY_PASSWORD];
const orgId = 'local';

async function failure(call: Promise<unknown>): Promise<{ status: number; body: { error: string; message: string; details?: Record<string, unknown> } }> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected an HTTP error, got ${String(error)}`);
    return { status: error.response.status, body: (await error.response.json()) as { error: string; message: string } };
  }
  assert.fail('expected the call to fail');
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`accounts, registries and keys contract via @humanitec/autogen [${dialect}]`, () => {
    let baton: InProcessBaton;
    let api: PublicApi;
    /** Every response body this client received, except the deliberate `…/creds` answers. */
    const bodies: string[] = [];
    const rawFetch = async (method: string, path: string, token = baton.token, body?: string): Promise<Response> =>
      fetch(`${baton.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body } : {}) });

    before(async () => {
      baton = await startInProcessBaton({ listen: true, dialect });
      api = new PublicApi(apiConfig({ token: baton.token, apiHost: baton.url! })).withPostMiddleware(async ({ url, response }) => {
        if (!url.endsWith('/creds')) bodies.push(await response.clone().text());
        return response;
      });
    });
    after(() => baton.stop());

    it('lists the account types Baton can hand to drivers, with the schema of their credentials', async () => {
      const types = await api.listResourceAccountTypes({ orgId });
      assert.deepEqual(types.map((t) => t.type), ['aws', 'azure', 'gcp']);
      assert.deepEqual((types.find((t) => t.type === 'azure')?.inputs_schema as { required: string[] }).required, ['appId', 'password', 'tenant']);
    });

    it('creates, lists, reads, renames, rotates, checks and deletes resource accounts', async () => {
      const created = await api.createResourceAccount({ orgId, CreateResourceAccountRequestRequest: { id: 'aws-dev', name: 'AWS dev', type: 'aws', credentials: { aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE', aws_secret_access_key: AWS_SECRET } } });
      assert.deepEqual([created.id, created.name, created.type, created.is_used], ['aws-dev', 'AWS dev', 'aws', false]);
      assert.ok(created.created_by.length > 0);
      assert.ok(created.created_at instanceof Date && !Number.isNaN(created.created_at.getTime()));
      await api.createResourceAccount({ orgId, CreateResourceAccountRequestRequest: { id: 'azure-dev', name: 'Azure dev', type: 'azure', credentials: { appId: 'app-1', password: AZURE_PASSWORD, tenant: 'tenant-1' } } });
      assert.deepEqual((await api.listResourceAccounts({ orgId })).map((a) => a.id), ['aws-dev', 'azure-dev']);
      assert.equal((await api.getResourceAccount({ orgId, accId: 'azure-dev' })).type, 'azure');
      const renamed = await api.patchResourceAccount({ orgId, accId: 'aws-dev', UpdateResourceAccountRequestRequest: { name: 'AWS development', credentials: { aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE', aws_secret_access_key: AWS_ROTATED } } });
      assert.equal(renamed.name, 'AWS development');

      const checked = await rawFetch('POST', `/orgs/${orgId}/resources/accounts/aws-dev/actions/check`);
      assert.equal(checked.status, 200);
      const checkBody = await checked.text();
      bodies.push(checkBody);
      assert.deepEqual((JSON.parse(checkBody) as { identity_fields: Array<{ id: string; value: string }> }).identity_fields.map((f) => [f.id, f.value]), [['aws_access_key_id', '****MPLE']]);

      await api.deleteResourceAccount({ orgId, accId: 'azure-dev' });
      assert.equal((await failure(api.getResourceAccount({ orgId, accId: 'azure-dev' }))).status, 404);
    });

    it('dry_run validates without storing (204); bad accounts are 400, duplicates 409, unknown 404', async () => {
      const dry = await rawFetch('POST', `/orgs/${orgId}/resources/accounts?dry_run=true&check_credential=true`, baton.token, JSON.stringify({ id: 'dry-acct', name: 'dry', type: 'aws', credentials: { aws_access_key_id: 'AKIA0000', aws_secret_access_key: AWS_SECRET } }));
      assert.equal(dry.status, 204);
      assert.equal((await failure(api.getResourceAccount({ orgId, accId: 'dry-acct' }))).status, 404);
      const bad = await failure(api.createResourceAccount({ orgId, CreateResourceAccountRequestRequest: { id: 'bad', name: 'bad', type: 'aws', credentials: { aws_access_key_id: 'AKIA', aws_secret_access_key: 7 } } }));
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /aws_secret_access_key: must be a string/);
      const temporary = await failure(api.createResourceAccount({ orgId, CreateResourceAccountRequestRequest: { id: 'role', name: 'role', type: 'aws-role', credentials: { aws_role: 'arn:aws:iam::1:role/x' } } }));
      assert.equal(temporary.status, 400);
      assert.match(temporary.body.message, /temporary credentials/);
      assert.equal((await failure(api.createResourceAccount({ orgId, CreateResourceAccountRequestRequest: { id: 'aws-dev', name: 'again', type: 'aws', credentials: { aws_access_key_id: 'A', aws_secret_access_key: 'B' } } }))).status, 409);
      assert.equal((await failure(api.patchResourceAccount({ orgId, accId: 'nope', UpdateResourceAccountRequestRequest: { name: 'x' } }))).status, 404);
      assert.equal((await failure(api.listResourceAccounts({ orgId: 'no-such-org' }))).status, 404);
    });

    it('a definition naming the account makes it used, and deleting it is refused naming the definition', async () => {
      await api.createResourceDefinition({ orgId, CreateResourceDefinitionRequestRequest: { id: 'uses-aws', name: 'uses aws', type: 'config', driver_type: 'humanitec/template', driver_account: 'aws-dev', driver_inputs: { values: {} } } });
      assert.equal((await api.getResourceAccount({ orgId, accId: 'aws-dev' })).is_used, true);
      const refused = await failure(api.deleteResourceAccount({ orgId, accId: 'aws-dev' }));
      assert.equal(refused.status, 400);
      assert.deepEqual((refused.body.details as { referencing_resources: { resource_definitions: Array<{ id: string }> } }).referencing_resources.resource_definitions.map((d) => d.id), ['uses-aws']);
      await api.deleteResourceDefinition({ orgId, defId: 'uses-aws' });
      assert.equal((await api.getResourceAccount({ orgId, accId: 'aws-dev' })).is_used, false);
      await api.deleteResourceAccount({ orgId, accId: 'aws-dev' });
    });

    it('creates, lists, reads, patches and deletes registries; credentials come back only from …/creds of an enable_ci registry', async () => {
      const created = await api.orgsOrgIdRegistriesPost({ orgId, RegistryRequest: { id: 'ghcr', registry: 'ghcr.io/acme', type: 'basic', enable_ci: true, creds: { username: 'acme-bot', password: REGISTRY_PASSWORD } } });
      assert.deepEqual([created.id, created.registry, created.type, created.enable_ci], ['ghcr', 'ghcr.io/acme', 'basic', true]);
      await api.orgsOrgIdRegistriesPost({ orgId, RegistryRequest: { id: 'internal', registry: 'registry.corp', type: 'secret_ref', secrets: { '*': { namespace: 'dev-secrets', secret: 'regcred' } } } });
      assert.deepEqual((await api.orgsOrgIdRegistriesGet({ orgId })).map((r) => r.id), ['ghcr', 'internal']);
      assert.deepEqual((await api.orgsOrgIdRegistriesRegIdGet({ orgId, regId: 'internal' })).secrets, { '*': { namespace: 'dev-secrets', secret: 'regcred' } });

      const creds = await api.orgsOrgIdRegistriesRegIdCredsGet({ orgId, regId: 'ghcr' });
      assert.deepEqual([creds.registry, creds.username, creds.password], ['ghcr.io/acme', 'acme-bot', REGISTRY_PASSWORD]);
      // PATCH keeps the credentials it is not given, and can close the CI door.
      const patched = await api.orgsOrgIdRegistriesRegIdPatch({ orgId, regId: 'ghcr', RegistryRequest: { id: 'ghcr', registry: 'ghcr.io/acme', type: 'basic', enable_ci: false } });
      assert.equal(patched.enable_ci, false);
      const closed = await failure(api.orgsOrgIdRegistriesRegIdCredsGet({ orgId, regId: 'ghcr' }));
      assert.equal(closed.status, 403);
      await api.orgsOrgIdRegistriesRegIdPatch({ orgId, regId: 'ghcr', RegistryRequest: { id: 'ghcr', registry: 'ghcr.io/acme', type: 'basic', enable_ci: true } });
      assert.equal((await api.orgsOrgIdRegistriesRegIdCredsGet({ orgId, regId: 'ghcr' })).password, REGISTRY_PASSWORD);

      assert.equal((await failure(api.orgsOrgIdRegistriesPost({ orgId, RegistryRequest: { id: 'ghcr', registry: 'other.io', type: 'public' } }))).status, 409);
      assert.equal((await failure(api.orgsOrgIdRegistriesPost({ orgId, RegistryRequest: { id: 'no-creds', registry: 'x.io', type: 'basic' } }))).status, 400);
      assert.equal((await failure(api.orgsOrgIdRegistriesRegIdPatch({ orgId, regId: 'ghcr', RegistryRequest: { id: 'renamed', registry: 'ghcr.io/acme', type: 'basic' } }))).status, 400);
      await api.orgsOrgIdRegistriesRegIdDelete({ orgId, regId: 'internal' });
      assert.equal((await failure(api.orgsOrgIdRegistriesRegIdGet({ orgId, regId: 'internal' }))).status, 404);
    });

    it('registry credentials: an artefact contributor may read them, a member may not; a member may not write accounts', async () => {
      const ci = await api.createServiceUserInOrg({ orgId, NewServiceUserRequest: { name: 'CI', role: 'artefactContributor' } });
      const member = await api.createServiceUserInOrg({ orgId, NewServiceUserRequest: { name: 'Dev', role: 'member' } });
      const ciToken = (await baton.services.tokens.issue(ci.id, { id: 'ci', description: 'ci' })).token;
      const memberToken = (await baton.services.tokens.issue(member.id, { id: 'dev', description: 'dev' })).token;
      assert.equal((await rawFetch('GET', `/orgs/${orgId}/registries/ghcr/creds`, ciToken)).status, 200);
      assert.equal((await rawFetch('GET', `/orgs/${orgId}/registries/ghcr/creds`, memberToken)).status, 403);
      const memberList = await rawFetch('GET', `/orgs/${orgId}/registries`, memberToken);
      assert.equal(memberList.status, 200);
      bodies.push(await memberList.text());
      assert.equal((await rawFetch('POST', `/orgs/${orgId}/resources/accounts`, memberToken, JSON.stringify({ id: 'm', name: 'm', type: 'aws', credentials: { aws_access_key_id: 'A', aws_secret_access_key: 'B' } }))).status, 403);
    });

    it("registers the org's RSA public keys (as a generated client sends them), finds one by fingerprint, refuses duplicates and short keys", async () => {
      const pem = generateKeyPairSync('rsa', { modulusLength: 4096 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const key = await api.createPublicKey({ orgId, body: pem });
      assert.match(key.fingerprint, /^[0-9a-f]{64}$/);
      assert.ok(key.expired_at > key.created_at);
      assert.equal((await api.getPublicKey({ orgId, keyId: key.id })).fingerprint, key.fingerprint);
      // The same key as a JSON string with literal \n, as Humanitec's docs produce it: the same fingerprint, so 409.
      const asString = await rawFetch('POST', `/orgs/${orgId}/keys`, baton.token, JSON.stringify(pem.trim().replace(/\n/g, '\\n')));
      assert.equal(asString.status, 409);
      assert.deepEqual((await api.listPublicKeys({ orgId, fingerprint: key.fingerprint })).map((k) => k.id), [key.id]);
      assert.deepEqual(await api.listPublicKeys({ orgId, fingerprint: '00'.repeat(32) }), []);
      const short = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      assert.equal((await failure(api.createPublicKey({ orgId, body: short }))).status, 400);
      await api.deletePublicKey({ orgId, keyId: key.id });
      assert.equal((await failure(api.getPublicKey({ orgId, keyId: key.id }))).status, 404);
    });

    it("GET /humanitec-keys stays a documented 501 (Humanitec's own signing keys)", async () => {
      const answer = await failure(api.listHumanitecPublicKeys({ orgId }));
      assert.equal(answer.status, 501);
      assert.match(answer.body.message, /Humanitec Operator/);
    });

    it('no response but …/creds ever held a credential in clear, nor does any row of the database', async () => {
      assert.ok(bodies.length > 25, `only ${bodies.length} bodies seen`);
      for (const body of bodies) for (const secret of SECRETS) assert.ok(!body.includes(secret), `a response holds a credential: ${body.slice(0, 300)}`);
      for (const text of await databaseText(baton.store, dialect === 'sqlite' ? baton.dataDir : undefined)) {
        for (const secret of SECRETS) assert.ok(!text.includes(secret), 'a credential is in the database in clear');
      }
    });
  });
}
