import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import type { ProvisionResult } from './contract.js';
import { assertNoSecretsLogged, provisionRequest, randomGuresid, recordLogs } from './infra/test-support.js';
import { createRedisDriver, redisNames } from './redis.js';

const HOST = '127.0.0.1';
const PORT = 6379;
const driver = createRedisDriver();
const created: string[] = [];
const clients: Redis[] = [];

function request(guresid: string, extra: { cookie?: unknown; values?: Record<string, unknown>; log?: ReturnType<typeof recordLogs>['log'] } = {}) {
  return provisionRequest({ guresid, type: 'redis', values: { host: HOST, port: PORT, ...extra.values }, cookie: extra.cookie, log: extra.log });
}

async function provision(guresid: string, extra: Parameters<typeof request>[1] = {}): Promise<ProvisionResult> {
  created.push(guresid);
  return driver.provision(request(guresid, extra));
}

async function connect(options: { username?: string; password?: string }): Promise<Redis> {
  const client = new Redis({ host: HOST, port: PORT, ...options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  clients.push(client);
  await client.connect();
  return client;
}

const asUser = (result: ProvisionResult) =>
  connect({ username: String(result.secrets.username), password: String(result.secrets.password) });

/** AUTH on a fresh unauthenticated connection, so the server's own verdict comes back as the error. */
async function authenticate(result: ProvisionResult): Promise<unknown> {
  const client = await connect({});
  return client.call('AUTH', String(result.secrets.username), String(result.secrets.password));
}

after(async () => {
  for (const client of clients) client.disconnect();
  for (const guresid of created) await driver.deprovision(request(guresid, { values: { delete_data: true } })).catch(() => undefined);
});

test('provision creates an ACL user confined to its key prefix; re-provision keeps it; deprovision removes user and, if asked, data', async () => {
  const guresid = randomGuresid();
  const logs = recordLogs();
  const first = await provision(guresid, { log: logs.log });
  const { username, keyPrefix } = redisNames(guresid);
  assert.deepEqual(first.values, { host: HOST, port: PORT, key_prefix: keyPrefix });
  assert.equal(first.secrets.username, username);

  const user = await asUser(first);
  await user.set(`${keyPrefix}:greeting`, 'hello');
  await user.hset(`${keyPrefix}:hash`, 'field', 'value');
  assert.equal(await user.get(`${keyPrefix}:greeting`), 'hello');
  await assert.rejects(user.set('someone-else:key', 'x'), /NOPERM/);
  await assert.rejects(user.get('unprefixed'), /NOPERM/);
  await assert.rejects(user.flushall(), /NOPERM/);
  await assert.rejects(user.call('CONFIG', 'GET', 'maxmemory'), /NOPERM/);
  await assert.rejects(user.keys('*'), /NOPERM/);
  await assert.rejects(user.eval("return redis.call('get', 'unprefixed')", 0), /NOPERM/);

  const second = await provision(guresid, { cookie: first.cookie, log: logs.log });
  assert.deepEqual(second.values, first.values);
  assert.deepEqual(second.secrets, first.secrets);
  const again = await asUser(second);
  assert.equal(await again.get(`${keyPrefix}:greeting`), 'hello');

  const admin = await connect({});
  const outside = `outside-${randomGuresid()}`;
  await admin.set(outside, 'untouched');
  await driver.deprovision(request(guresid, { cookie: second.cookie, values: { delete_data: true }, log: logs.log }));
  await assert.rejects(authenticate(first), /WRONGPASS/);
  assert.equal(await admin.call('ACL', 'GETUSER', username), null);
  assert.equal(await admin.exists(`${keyPrefix}:greeting`, `${keyPrefix}:hash`), 0);
  assert.equal(await admin.get(outside), 'untouched');
  await admin.del(outside);
  assertNoSecretsLogged(logs.lines, [String(first.secrets.password)]);
});

test('deprovision without delete_data keeps the keys', async () => {
  const guresid = randomGuresid();
  const result = await provision(guresid);
  const user = await asUser(result);
  const key = `${String(result.values.key_prefix)}:kept`;
  await user.set(key, '1');
  await driver.deprovision(request(guresid));
  const admin = await connect({});
  assert.equal(await admin.get(key), '1');
  await admin.del(key);
});

test('a provision that lost its cookie adopts the ACL user with a new working password', async () => {
  const guresid = randomGuresid();
  const first = await provision(guresid);
  const logs = recordLogs();
  const adopted = await provision(guresid, { log: logs.log });
  assert.equal(adopted.secrets.username, first.secrets.username);
  assert.notEqual(adopted.secrets.password, first.secrets.password);
  assert.ok(logs.lines.some((line) => line.includes('adopting')));
  await assert.rejects(authenticate(first), /WRONGPASS/);
  const user = await asUser(adopted);
  assert.equal(await user.set(`${String(adopted.values.key_prefix)}:k`, 'v'), 'OK');
});

test('hostile GUResIDs become safe ACL names without glob characters', async () => {
  for (const guresid of ['* ~* +@all', 'user on >pw ~* &* +@all', 'ключ'.repeat(60)]) {
    const result = await provision(guresid);
    assert.match(String(result.secrets.username), /^baton-[a-z0-9-]+$/);
    const user = await asUser(result);
    await assert.rejects(user.set('victim', 'x'), /NOPERM/);
    await driver.deprovision(request(guresid));
  }
});
