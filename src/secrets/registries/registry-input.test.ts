import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRegistry } from './registry-input.js';

describe('registry records', () => {
  it('accepts each type with what it needs', () => {
    assert.equal(checkRegistry({ id: 'docker-hub', registry: 'docker.io', type: 'public' }).enable_ci, false);
    const basic = checkRegistry({ id: 'ghcr', registry: 'ghcr.io/acme', type: 'basic', enable_ci: true, creds: { username: 'bot', password: 'pw', expires: '2030-01-01T00:00:00Z' } });
    assert.deepEqual(basic.creds, { username: 'bot', password: 'pw', expires: '2030-01-01T00:00:00Z' });
    const ref = checkRegistry({ id: 'internal', registry: 'registry.corp', type: 'secret_ref', secrets: { '*': { namespace: 'dev-secrets', secret: 'regcred' } } });
    assert.deepEqual(ref.secrets, { '*': { namespace: 'dev-secrets', secret: 'regcred' } });
  });

  it('refuses bad ids, names, types and the credentials a type does not take or lacks', () => {
    assert.throws(() => checkRegistry({ id: 'A', registry: 'x.io', type: 'public' }), /id: must match/);
    assert.throws(() => checkRegistry({ id: 'reg', registry: 'https://x.io', type: 'public' }), /registry: must be/);
    assert.throws(() => checkRegistry({ id: 'reg', registry: 'x.io', type: 'ftp' }), /type: must be one of/);
    assert.throws(() => checkRegistry({ id: 'reg', registry: 'x.io', type: 'basic' }), /needs creds/);
    assert.throws(() => checkRegistry({ id: 'reg', registry: 'x.io', type: 'public', creds: { username: 'u', password: 'p' } }), /takes no credentials/);
    assert.throws(() => checkRegistry({ id: 'reg', registry: 'x.io', type: 'secret_ref' }), /needs at least one cluster/);
    assert.throws(() => checkRegistry({ id: 'reg', registry: 'x.io', type: 'basic', creds: { username: 'u', password: 'p', expires: 'tomorrow' } }), /creds.expires/);
    assert.throws(() => checkRegistry({ id: 'reg', registry: 'x.io', type: 'secret_ref', secrets: { '*': { namespace: 'Bad NS', secret: 's' } } }), /namespace/);
  });

  it('never names a credential value in its messages', () => {
    try {
      checkRegistry({ id: 'reg', registry: 'x.io', type: 'public', creds: { username: 'u', password: 'hunter2-secret' } });
      assert.fail('expected a refusal');
    } catch (error) {
      assert.ok(error instanceof Error && !error.message.includes('hunter2-secret'));
    }
  });
});
