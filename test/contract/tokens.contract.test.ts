/**
 * API tokens through Humanitec's own generated client (`@humanitec/autogen` PublicApi) against `baton serve` in a
 * child process, on SQLite and PostgreSQL: create a token, use it, list and read it, revoke it, and the next call
 * with it is 401. (Service users and roles come with the other half of issue 16; here the user manages its own.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublicApi, ResponseError, apiConfig } from '@humanitec/autogen';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';

async function status(call: Promise<unknown>): Promise<number> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected an HTTP error, got ${String(error)}`);
    return error.response.status;
  }
  assert.fail('expected the call to fail');
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`tokens via @humanitec/autogen [${dialect}]`, () => {
    let baton: BatonProcess;
    let admin: PublicApi;
    before(async () => {
      baton = await startBatonProcess({ dialect, startTimeoutMs: 120_000 });
      admin = new PublicApi(apiConfig({ token: baton.token, apiHost: baton.url }));
    });
    after(() => baton.stop());

    it('create token → use it → list/get metadata → revoke → 401', async () => {
      const me = await admin.getCurrentUser();
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const created = await admin.createUserToken({
        userId: me.id,
        TokenDefinitionRequest: { id: 'pipeline', type: 'static', description: 'CI pipeline', expires_at: expiresAt },
      });
      assert.equal(created.type, 'static');
      assert.ok(created.token.length >= 40);

      const asPipeline = new PublicApi(apiConfig({ token: created.token, apiHost: baton.url }));
      assert.equal((await asPipeline.getCurrentUser()).id, me.id);
      const app = await asPipeline.createApplication({ orgId: 'local', ApplicationCreationRequest: { id: 'made-by-ci', name: 'CI' } });
      assert.equal(app.id, 'made-by-ci');

      const tokens = await admin.listUserTokens({ userId: me.id });
      const info = tokens.find((t) => t.id === 'pipeline');
      assert.ok(info, JSON.stringify(tokens));
      assert.equal(info.type, 'static');
      assert.equal(info.description, 'CI pipeline');
      assert.equal(info.created_by, me.id);
      assert.equal(String(info.expires_at), expiresAt);
      assert.ok(!JSON.stringify(tokens).includes(created.token));
      assert.equal((await admin.getUserToken({ userId: me.id, tokenId: 'pipeline' })).id, 'pipeline');

      assert.equal(await status(admin.createUserToken({ userId: me.id, TokenDefinitionRequest: { id: 'pipeline', type: 'static' } })), 409);

      await asPipeline.deleteUserToken({ userId: me.id, tokenId: 'pipeline' });
      assert.equal(await status(asPipeline.getCurrentUser()), 401);
      assert.equal(await status(admin.getUserToken({ userId: me.id, tokenId: 'pipeline' })), 404);
      // The administrator's own token is untouched.
      assert.equal((await admin.getCurrentUser()).id, me.id);
    });
  });
}
