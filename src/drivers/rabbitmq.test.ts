import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import amqp from 'amqplib';
import type { ProvisionResult } from './contract.js';
import { DriverFailed } from '../shared/errors.js';
import { assertNoSecretsLogged, provisionRequest, randomGuresid, recordLogs } from './infra/test-support.js';
import { createRabbitmqDriver, rabbitmqNames } from './rabbitmq.js';

const HOST = '127.0.0.1';
const MANAGEMENT = 'http://127.0.0.1:15672';
const driver = createRabbitmqDriver();
const created: string[] = [];
let managementUp = false;

function request(guresid: string, extra: { cookie?: unknown; values?: Record<string, unknown>; log?: ReturnType<typeof recordLogs>['log'] } = {}) {
  return provisionRequest({
    guresid,
    type: 'amqp',
    values: { host: HOST, port: 5672, ...extra.values },
    secrets: { username: 'guest', password: 'guest' },
    cookie: extra.cookie,
    log: extra.log,
  });
}

async function provision(guresid: string, extra: Parameters<typeof request>[1] = {}): Promise<ProvisionResult> {
  created.push(guresid);
  return driver.provision(request(guresid, extra));
}

function connect(result: ProvisionResult): Promise<amqp.ChannelModel> {
  return amqp.connect({
    hostname: String(result.values.host),
    port: Number(result.values.port),
    vhost: String(result.values.vhost),
    username: String(result.secrets.username),
    password: String(result.secrets.password),
  });
}

async function managementStatus(path: string): Promise<number> {
  const response = await fetch(`${MANAGEMENT}/api/${path}`, {
    headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
  });
  await response.body?.cancel();
  return response.status;
}

async function roundTrip(connection: amqp.ChannelModel, queue: string, text: string): Promise<string> {
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, { durable: true });
  channel.sendToQueue(queue, Buffer.from(text), { persistent: true });
  const message = await channel.get(queue, { noAck: true });
  await channel.close();
  return message === false ? '' : message.content.toString();
}

before(async () => {
  managementUp = await managementStatus('overview').then((status) => status === 200, () => false);
});

after(async () => {
  for (const guresid of created) await driver.deprovision(request(guresid)).catch(() => undefined);
});

test('provision creates a vhost and user that can publish and consume; re-provision keeps them; deprovision removes both', async (t) => {
  if (!managementUp) return t.skip('RabbitMQ management API not reachable on :15672 (rabbitmq-plugins enable rabbitmq_management)');
  const guresid = randomGuresid();
  const logs = recordLogs();
  const first = await provision(guresid, { log: logs.log });
  const { vhost, username } = rabbitmqNames(guresid);
  assert.deepEqual(first.values, { host: HOST, port: 5672, vhost });
  assert.equal(first.secrets.username, username);

  const connection = await connect(first);
  assert.equal(await roundTrip(connection, 'greetings', 'hello'), 'hello');
  const channel = await connection.createChannel();
  channel.sendToQueue('greetings', Buffer.from('kept'), { persistent: true });
  await channel.close();
  await connection.close();

  const second = await provision(guresid, { cookie: first.cookie, log: logs.log });
  assert.deepEqual(second.values, first.values);
  assert.deepEqual(second.secrets, first.secrets);
  const again = await amqp.connect(String(second.secrets.url));
  const survivor = await (await again.createChannel()).get('greetings', { noAck: true });
  assert.equal(survivor === false ? '' : survivor.content.toString(), 'kept');
  await again.close();

  await driver.deprovision(request(guresid, { cookie: second.cookie, log: logs.log }));
  await assert.rejects(connect(first), /ACCESS_REFUSED|403|not_allowed|vhost/i);
  assert.equal(await managementStatus(`vhosts/${encodeURIComponent(vhost)}`), 404);
  assert.equal(await managementStatus(`users/${encodeURIComponent(username)}`), 404);
  await driver.deprovision(request(guresid));
  assertNoSecretsLogged(logs.lines, [String(first.secrets.password)]);
});

test('the user cannot reach other vhosts', async (t) => {
  if (!managementUp) return t.skip('RabbitMQ management API not reachable');
  const a = await provision(randomGuresid());
  const b = await provision(randomGuresid());
  await assert.rejects(connect({ ...b, values: { ...b.values, vhost: a.values.vhost } }), /ConnectionClose|not_allowed|access_refused/i);
  await assert.rejects(connect({ ...b, values: { ...b.values, vhost: '/' } }), /ConnectionClose|not_allowed|access_refused/i);
});

test('a provision that lost its cookie adopts the user with a new working password', async (t) => {
  if (!managementUp) return t.skip('RabbitMQ management API not reachable');
  const guresid = randomGuresid();
  const first = await provision(guresid);
  const logs = recordLogs();
  const adopted = await provision(guresid, { log: logs.log });
  assert.equal(adopted.secrets.username, first.secrets.username);
  assert.notEqual(adopted.secrets.password, first.secrets.password);
  assert.ok(logs.lines.some((line) => line.includes('adopting')));
  await assert.rejects(connect(first), /ACCESS_REFUSED|403/);
  const connection = await connect(adopted);
  assert.equal(await roundTrip(connection, 'q', 'after adoption'), 'after adoption');
  await connection.close();
});

test('hostile GUResIDs become safe vhost and user names', async (t) => {
  if (!managementUp) return t.skip('RabbitMQ management API not reachable');
  for (const guresid of ['../../api/users/guest', '%2F; drop', 'очередь'.repeat(40)]) {
    const result = await provision(guresid);
    assert.match(String(result.values.vhost), /^baton-[a-z0-9-]+$/);
    const connection = await connect(result);
    assert.equal(await roundTrip(connection, 'q', 'x'), 'x');
    await connection.close();
    await driver.deprovision(request(guresid));
  }
  assert.equal(await managementStatus('users/guest'), 200);
});

test('wrong admin credentials fail clearly and are not retryable', async (t) => {
  if (!managementUp) return t.skip('RabbitMQ management API not reachable');
  const req = provisionRequest({
    guresid: randomGuresid(),
    type: 'amqp',
    values: { host: HOST },
    secrets: { username: 'guest', password: 'not-the-password' },
  });
  await assert.rejects(driver.provision(req), (error: unknown) => {
    return error instanceof DriverFailed && /401/.test(error.message) && !error.retryable && !error.message.includes('not-the-password');
  });
});
