import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import mysql from 'mysql2/promise';
import { InvalidInput } from '../shared/errors.js';
import type { ProvisionResult } from './contract.js';
import { assertNoSecretsLogged, provisionRequest, randomGuresid, recordLogs } from './infra/test-support.js';
import { createMariadbDriver, createMysqlDriver, mysqlNames } from './mysql.js';

const HOST = '127.0.0.1';
const PORT = 3306;
const driverValues = { host: HOST, port: PORT };
const driverSecrets = { dbcredentials: { username: 'root', password: '' } };
const driver = createMariadbDriver();
const created: { guresid: string; values: Record<string, unknown> }[] = [];

function request(guresid: string, extra: { cookie?: unknown; values?: Record<string, unknown>; log?: ReturnType<typeof recordLogs>['log'] } = {}) {
  return provisionRequest({
    guresid,
    type: 'mariadb',
    values: { ...driverValues, ...extra.values },
    secrets: driverSecrets,
    cookie: extra.cookie,
    log: extra.log,
  });
}

async function provision(guresid: string, extra: Parameters<typeof request>[1] = {}): Promise<ProvisionResult> {
  created.push({ guresid, values: extra.values ?? {} });
  return driver.provision(request(guresid, extra));
}

function asUser(result: ProvisionResult, database: string | undefined = String(result.values.name)): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: String(result.values.host),
    port: Number(result.values.port),
    user: String(result.secrets.username),
    password: String(result.secrets.password),
    ...(database !== undefined ? { database } : {}),
    connectTimeout: 5000,
  });
}

async function asRoot<T>(work: (c: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ host: HOST, port: PORT, user: 'root' });
  try {
    return await work(connection);
  } finally {
    await connection.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  return asRoot(async (c) => {
    const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
    return rows.length > 0;
  });
}

after(async () => {
  for (const { guresid, values } of created) await driver.deprovision(request(guresid, { values })).catch(() => undefined);
});

test('provision creates a database and user that work, re-provision keeps outputs and data, deprovision removes both', async () => {
  const guresid = randomGuresid();
  const logs = recordLogs();
  const first = await provision(guresid, { log: logs.log });
  const { database, user } = mysqlNames(guresid);
  assert.deepEqual(first.values, { host: HOST, port: PORT, name: database, database });
  assert.equal(first.secrets.username, user);

  const connection = await asUser(first);
  await connection.query('CREATE TABLE items (id int primary key, label text)');
  await connection.query("INSERT INTO items VALUES (1, 'kept')");

  const second = await provision(guresid, { cookie: first.cookie, log: logs.log });
  assert.deepEqual(second.values, first.values);
  assert.deepEqual(second.secrets, first.secrets);
  const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT label FROM items WHERE id = 1');
  assert.equal(rows[0]?.label, 'kept');
  // The recorded password still logs in after the re-provision.
  await (await asUser(second)).end();

  await driver.deprovision(request(guresid, { cookie: second.cookie, log: logs.log }));
  await connection.end().catch(() => undefined);
  await assert.rejects(asUser(first, undefined), /Access denied/);
  assert.equal(await databaseExists(database), false);
  const users = await asRoot(async (c) => (await c.query<mysql.RowDataPacket[]>('SELECT 1 FROM mysql.user WHERE User = ?', [user]))[0]);
  assert.equal(users.length, 0);
  await driver.deprovision(request(guresid));
  assertNoSecretsLogged(logs.lines, [String(first.secrets.password)]);
});

test('the user is confined to its own database', async () => {
  const guresid = randomGuresid();
  const result = await provision(guresid);
  const sibling = `${String(result.values.name).slice(0, 60)}_x`;
  await asRoot((c) => c.query('CREATE DATABASE ??', [sibling]));
  try {
    await assert.rejects(asUser(result, sibling), /Access denied/);
    await assert.rejects(asUser(result, 'mysql'), /Access denied/);
  } finally {
    await asRoot((c) => c.query('DROP DATABASE IF EXISTS ??', [sibling]));
  }
});

test('a provision that lost its cookie adopts the existing user with a new working password', async () => {
  const guresid = randomGuresid();
  const first = await provision(guresid);
  const connection = await asUser(first);
  await connection.query('CREATE TABLE survivor (v text)');
  await connection.query("INSERT INTO survivor VALUES ('still here')");
  await connection.end();

  const logs = recordLogs();
  const adopted = await provision(guresid, { log: logs.log });
  assert.equal(adopted.secrets.username, first.secrets.username);
  assert.notEqual(adopted.secrets.password, first.secrets.password);
  assert.ok(logs.lines.some((line) => line.includes('adopting')));
  await assert.rejects(asUser(first), /Access denied/);
  const again = await asUser(adopted);
  const [rows] = await again.query<mysql.RowDataPacket[]>('SELECT v FROM survivor');
  assert.equal(rows[0]?.v, 'still here');
  await again.end();
  assertNoSecretsLogged(logs.lines, [String(adopted.secrets.password)]);
});

test('hostile GUResIDs provision into valid, bounded names', async () => {
  for (const guresid of [`'; DROP DATABASE mysql; --${randomGuresid()}`, '数据库' + '`'.repeat(5) + randomGuresid(), 'z'.repeat(200)]) {
    const result = await provision(guresid);
    assert.match(String(result.values.name), /^baton[a-z0-9]{1,59}$/);
    assert.ok(String(result.secrets.username).length <= 32);
    const connection = await asUser(result);
    await connection.query('CREATE TABLE ok (v int)');
    await connection.end();
    await driver.deprovision(request(guresid));
  }
  assert.equal(await databaseExists('mysql'), true);
});

test('an injection attempt through user_host never runs the injected SQL', async () => {
  const marker = `injected_${randomGuresid().slice(0, 12)}`;
  const hostile = `%' IDENTIFIED BY 'x'; CREATE DATABASE ${marker}; -- `;
  const guresid = randomGuresid();
  const result = await provision(guresid, { values: { user_host: hostile } });
  // The odd host name is stored as data (the server lower-cases and trims host names); nothing after the quote ran.
  const hosts = await asRoot(
    async (c) => (await c.query<mysql.RowDataPacket[]>('SELECT Host FROM mysql.user WHERE User = ?', [result.secrets.username]))[0],
  );
  assert.deepEqual(hosts.map((row) => String(row.Host)), [hostile.toLowerCase().trimEnd()]);
  assert.equal(await databaseExists(marker), false);
  await driver.deprovision(request(guresid, { values: { user_host: hostile } }));
  const left = await asRoot(
    async (c) => (await c.query<mysql.RowDataPacket[]>('SELECT 1 FROM mysql.user WHERE User = ?', [result.secrets.username]))[0],
  );
  assert.equal(left.length, 0);
});

test('the MySQL flavour answers to its own ids and type', () => {
  const mysqlDriver = createMysqlDriver();
  assert.equal(mysqlDriver.id, 'humanitec/mysql');
  assert.deepEqual(mysqlDriver.aliases, ['baton/mysql']);
  assert.deepEqual(mysqlDriver.types, ['mysql']);
  assert.equal(driver.id, 'humanitec/mariadb');
  assert.deepEqual(driver.aliases, ['baton/mariadb']);
});

test('malformed inputs are rejected before touching the server', async () => {
  await assert.rejects(driver.provision(provisionRequest({ guresid: randomGuresid(), type: 'mariadb', values: {}, secrets: driverSecrets })), InvalidInput);
});
