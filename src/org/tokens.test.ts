import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated } from '../shared/errors.js';
import { createCoreRepos, createStore, nowIso } from '../store/index.js';
import { migrations } from '../store/migrations/index.js';
import { createTestDatabase, forEachDialect } from '../store/testing.js';
import type { UserRow } from '../store/users-repo.js';
import { createTokenHasher, createTokenService, deriveTokenHashKey, mayManageTokensOf, NO_ORG_ROLES, tokenAccess } from './tokens.js';
import type { OrgRoles, TokenManagementFacts } from './tokens.js';

const user = (id: string, type = 'user') => ({ id, type });
const facts = (f: Partial<TokenManagementFacts>): TokenManagementFacts => ({ callerAdministers: [], callerOrgs: [], targetOrgs: [], ...f });

describe('mayManageTokensOf / tokenAccess (the contract rule)', () => {
  const cases: Array<[string, { id: string; type: string }, { id: string; type: string }, TokenManagementFacts, 'allow' | 'forbidden' | 'hidden']> = [
    ['own tokens, no org at all', user('a'), user('a'), facts({}), 'allow'],
    ['own tokens of a service user', user('svc', 'service'), user('svc', 'service'), facts({}), 'allow'],
    ['admin of the service user\'s org', user('admin'), user('svc', 'service'), facts({ callerAdministers: ['o1'], callerOrgs: ['o1'], targetOrgs: ['o1'] }), 'allow'],
    ['admin of one of the service user\'s orgs', user('admin'), user('svc', 'service'), facts({ callerAdministers: ['o2'], callerOrgs: ['o2'], targetOrgs: ['o1', 'o2'] }), 'allow'],
    ['admin of another org only', user('admin'), user('svc', 'service'), facts({ callerAdministers: ['o2'], callerOrgs: ['o2'], targetOrgs: ['o1'] }), 'hidden'],
    ['manager in the same org', user('m'), user('svc', 'service'), facts({ callerOrgs: ['o1'], targetOrgs: ['o1'] }), 'forbidden'],
    ['admin, but the target is a human', user('admin'), user('h'), facts({ callerAdministers: ['o1'], callerOrgs: ['o1'], targetOrgs: ['o1'] }), 'forbidden'],
    ['no shared org, human target', user('x'), user('h'), facts({ callerOrgs: ['o1'], targetOrgs: ['o2'] }), 'hidden'],
  ];
  for (const [name, caller, target, f, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      assert.equal(tokenAccess(caller, target, f), expected);
      assert.equal(mayManageTokensOf(caller, target, f), expected === 'allow');
    });
  }
});

describe('token hashing', () => {
  it('is keyed: another key gives another hash, and the hash does not contain the token', () => {
    const a = createTokenHasher(randomBytes(32));
    const b = createTokenHasher(randomBytes(32));
    assert.match(a.hash('secret-token'), /^hmac-sha256:[0-9a-f]{64}$/);
    assert.equal(a.hash('secret-token'), a.hash('secret-token'));
    assert.notEqual(a.hash('secret-token'), b.hash('secret-token'));
    assert.notEqual(a.hash('secret-token').slice(12), createHash('sha256').update('secret-token').digest('hex'));
  });
  it('derives a stable 32-byte key from the secret key, distinct from it', () => {
    const secret = randomBytes(32);
    assert.deepEqual(deriveTokenHashKey(secret), deriveTokenHashKey(secret));
    assert.equal(deriveTokenHashKey(secret).length, 32);
    assert.notDeepEqual(deriveTokenHashKey(secret), secret);
  });
});

/** A fixed org-role table (what rbac-core's lookup will read from the database). */
function rolesTable(rows: Record<string, Array<{ orgId: string; role: string }>>): OrgRoles {
  return { orgRolesOf: (userId) => Promise.resolve(rows[userId] ?? []) };
}

forEachDialect('token service', (getStore, dialect) => {
  let clock = new Date('2030-01-01T00:00:00.000Z');
  const service = (orgRoles: OrgRoles = NO_ORG_ROLES) =>
    createTokenService({ repos: createCoreRepos(getStore()), hasher: createTokenHasher(Buffer.alloc(32, 7)), orgRoles, now: () => clock });
  const at = nowIso(clock);
  const users: Record<string, UserRow> = {};
  const addUser = async (id: string, type = 'user') => {
    users[id] = await createCoreRepos(getStore()).users.insert({ id, name: id, email: null, type, created_at: at });
    return users[id];
  };

  it('creates a token shown once, stores only its keyed hash, lists and reads its metadata, and it authenticates', async () => {
    const alice = await addUser('alice');
    const s = service();
    const { token, row } = await s.create(alice, 'alice', { id: 'ci', type: 'static', description: 'CI' });
    assert.ok(token.length >= 40);
    assert.equal(row.created_by, 'alice');
    assert.equal((await s.authenticate(token)).id, 'alice');
    const stored = await getStore().db.selectFrom('tokens').selectAll().where('user_id', '=', 'alice').execute();
    assert.equal(stored.length, 1);
    assert.ok(!JSON.stringify(stored).includes(token), `token in clear in ${dialect} rows`);
    assert.equal(stored[0]!.token_hash, createTokenHasher(Buffer.alloc(32, 7)).hash(token));
    assert.deepEqual((await s.list(alice, 'alice')).map((t) => [t.id, t.description, t.expires_at]), [['ci', 'CI', null]]);
    assert.equal((await s.get(alice, 'alice', 'ci')).id, 'ci');
    await assert.rejects(s.get(alice, 'alice', 'nope'), NotFound);
    await assert.rejects(s.create(alice, 'alice', { id: 'ci', type: 'static' }), Conflict);
  });

  it('refuses bad input: wrong type, bad id, expiry in the past or unparsable', async () => {
    const bob = await addUser('bob');
    const s = service();
    await assert.rejects(s.create(bob, 'bob', { id: 'x', type: 'jwt' }), (e: unknown) => e instanceof InvalidInput && e.details.field === 'type');
    await assert.rejects(s.create(bob, 'bob', { id: 'Bad_Id', type: 'static' }), (e: unknown) => e instanceof InvalidInput && e.details.field === 'id');
    await assert.rejects(s.create(bob, 'bob', { id: 'old', type: 'static', expires_at: '2029-12-31T23:59:59.000Z' }), (e: unknown) => e instanceof InvalidInput && e.details.field === 'expires_at');
    await assert.rejects(s.create(bob, 'bob', { id: 'odd', type: 'static', expires_at: 'tomorrow' }), InvalidInput);
  });

  it('an expired token no longer authenticates', async () => {
    const carol = await addUser('carol');
    const s = service();
    const { token } = await s.create(carol, 'carol', { id: 'short', type: 'static', expires_at: '2030-01-01T01:00:00.000Z' });
    assert.equal((await s.authenticate(token)).id, 'carol');
    clock = new Date('2030-01-01T01:00:00.000Z');
    await assert.rejects(s.authenticate(token), Unauthenticated);
    clock = new Date('2030-01-01T00:00:00.000Z');
  });

  it('authenticates as the full user row of the token\'s owner, and no longer once that user is deleted', async () => {
    const erin = await addUser('erin', 'service');
    const s = service();
    const { token } = await s.create(erin, 'erin', { id: 'svc', type: 'static' });
    assert.deepEqual(await s.authenticate(token), users.erin);
    await createCoreRepos(getStore()).users.delete('erin');
    await assert.rejects(s.authenticate(token), Unauthenticated);
  });

  it('a revoked token fails on the very next call; revoking twice is NotFound', async () => {
    const dave = await addUser('dave');
    const s = service();
    const { token } = await s.create(dave, 'dave', { id: 'gone', type: 'static' });
    assert.equal((await s.authenticate(token)).id, 'dave');
    await s.revoke(dave, 'dave', 'gone');
    await assert.rejects(s.authenticate(token), Unauthenticated);
    await assert.rejects(s.revoke(dave, 'dave', 'gone'), NotFound);
  });

  it('enforces mayManageTokensOf: others\' tokens are hidden (404) or forbidden (403); an org admin manages a service user\'s', async () => {
    const admin = await addUser('erin');
    const member = await addUser('frank');
    const stranger = await addUser('gina');
    await addUser('robot', 'service');
    const roles = rolesTable({
      erin: [{ orgId: 'o1', role: 'administrator' }],
      frank: [{ orgId: 'o1', role: 'member' }],
      robot: [{ orgId: 'o1', role: 'member' }],
      gina: [{ orgId: 'o2', role: 'administrator' }],
    });
    const s = service(roles);
    const { token } = await s.create(admin, 'robot', { id: 'deploy', type: 'static' });
    assert.equal((await s.authenticate(token)).id, 'robot');
    assert.equal((await s.get(admin, 'robot', 'deploy')).created_by, 'erin');
    await assert.rejects(s.list(member, 'robot'), (e: unknown) => e instanceof Forbidden && /administrator/.test(e.message));
    await assert.rejects(s.revoke(member, 'robot', 'deploy'), Forbidden);
    await assert.rejects(s.list(stranger, 'robot'), (e: unknown) => e instanceof NotFound && e.details.kind === 'user');
    await assert.rejects(s.list(admin, 'frank'), Forbidden);
    await assert.rejects(s.list(admin, 'no-such-user'), NotFound);
    // Without org roles (this branch's default) nobody manages anyone else's tokens.
    await assert.rejects(service().list(admin, 'robot'), NotFound);
    await s.revoke(admin, 'robot', 'deploy');
    await assert.rejects(s.authenticate(token), Unauthenticated);
  });
});

for (const dialect of ['sqlite', 'postgres'] as const) {
  it(`migration 0011 keeps tokens issued before it; their unkeyed hash is upgraded on first use [${dialect}]`, async () => {
    const database = await createTestDatabase(dialect);
    try {
      const before = migrations.filter((m) => m.name < '0011');
      const old = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir, migrations: before });
      const legacyToken = 'old-admin-token';
      const legacyHash = createHash('sha256').update(legacyToken).digest('hex');
      try {
        await old.db.insertInto('users').values({ id: 'u1', name: 'Admin', email: null, type: 'user', created_at: nowIso() }).execute();
        await (old.db as unknown as { insertInto(t: string): { values(v: object): { execute(): Promise<unknown> } } })
          .insertInto('tokens')
          .values({ id: '4f1c0a2e-uuid', user_id: 'u1', token_hash: legacyHash, description: 'bootstrap', created_at: nowIso(), expires_at: null })
          .execute();
      } finally {
        await old.close();
      }
      const store = await createStore({ databaseUrl: database.databaseUrl, dataDir: database.dataDir });
      try {
        const hasher = createTokenHasher(Buffer.alloc(32, 9));
        const s = createTokenService({ repos: createCoreRepos(store), hasher, orgRoles: NO_ORG_ROLES });
        const row = await store.db.selectFrom('tokens').selectAll().executeTakeFirstOrThrow();
        assert.equal(row.created_by, 'u1');
        assert.equal(row.token_hash, legacyHash);
        assert.equal((await s.authenticate(legacyToken)).id, 'u1');
        assert.equal((await store.db.selectFrom('tokens').select('token_hash').executeTakeFirstOrThrow()).token_hash, hasher.hash(legacyToken));
        assert.equal((await s.authenticate(legacyToken)).id, 'u1');
        await assert.rejects(s.authenticate('wrong'), Unauthenticated);
      } finally {
        await store.close();
      }
    } finally {
      await database.cleanup();
    }
  });
}
