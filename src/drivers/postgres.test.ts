import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { after, test } from 'node:test';
import pg from 'pg';
import { DriverFailed, InvalidInput } from '../shared/errors.js';
import type { ProvisionResult } from './contract.js';
import { assertNoSecretsLogged, provisionRequest, randomGuresid, recordLogs } from './infra/test-support.js';
import { createPostgresDriver, postgresNames } from './postgres.js';

const HOST = '127.0.0.1';
const PORT = 5432;
const driverValues = { host: HOST, port: PORT, name: 'test' };
const driverSecrets = { dbcredentials: { username: 'postgres', password: '' } };
const driver = createPostgresDriver();
const created: string[] = [];

function request(guresid: string, extra: { cookie?: unknown; values?: Record<string, unknown>; log?: ReturnType<typeof recordLogs>['log'] } = {}) {
  return provisionRequest({
    guresid,
    type: 'postgres',
    values: { ...driverValues, ...extra.values },
    secrets: driverSecrets,
    cookie: extra.cookie,
    log: extra.log,
  });
}

async function provision(guresid: string, extra: Parameters<typeof request>[1] = {}): Promise<ProvisionResult> {
  created.push(guresid);
  return driver.provision(request(guresid, extra));
}

async function asUser(result: ProvisionResult, database = String(result.values.name)): Promise<pg.Client> {
  const client = new pg.Client({
    host: String(result.values.host),
    port: Number(result.values.port),
    database,
    user: String(result.secrets.username),
    password: String(result.secrets.password),
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: HOST, port: PORT, database: 'test', user: 'postgres' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function tableExists(name: string, database = 'test'): Promise<boolean> {
  const client = new pg.Client({ host: HOST, port: PORT, database, user: 'postgres' });
  await client.connect();
  try {
    const result = await client.query('SELECT 1 FROM pg_tables WHERE tablename = $1', [name]);
    return (result.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/**
 * This machine's PostgreSQL trusts every local login, so a wrong password would still connect.
 * To prove the server holds exactly the returned password, check it against the stored verifier
 * (SCRAM-SHA-256 per RFC 5802/7677, or legacy md5) the way the server would at login.
 */
async function serverAcceptsPassword(role: string, password: string): Promise<boolean> {
  const stored = await admin(async (c) => {
    const result = await c.query<{ rolpassword: string | null }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role]);
    return result.rows[0]?.rolpassword ?? null;
  });
  if (stored === null) return false;
  const scram = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(stored);
  if (scram) {
    const [, iterations, salt, storedKey] = scram as unknown as [string, string, string, string];
    const salted = pbkdf2Sync(password, Buffer.from(salt, 'base64'), Number(iterations), 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    return createHash('sha256').update(clientKey).digest('base64') === storedKey;
  }
  return stored === 'md5' + createHash('md5').update(password + role).digest('hex');
}

after(async () => {
  for (const guresid of created) {
    await driver.deprovision(request(guresid)).catch(() => undefined);
  }
});

test('provision creates a database and role that work, re-provision keeps outputs and data, deprovision removes both', async () => {
  const guresid = randomGuresid();
  const logs = recordLogs();
  const first = await provision(guresid, { log: logs.log });
  const { database, role } = postgresNames(guresid);
  assert.deepEqual(first.values, { host: HOST, port: PORT, name: database, database });
  assert.equal(first.secrets.username, role);
  assert.match(String(first.secrets.password), /^[A-Za-z0-9]{32}$/);
  assert.equal(await serverAcceptsPassword(role, String(first.secrets.password)), true);
  assert.equal(await serverAcceptsPassword(role, 'wrong-password'), false);

  const client = await asUser(first);
  await client.query('CREATE TABLE items (id int primary key, label text)');
  await client.query("INSERT INTO items VALUES (1, 'kept')");
  const owner = await client.query<{ owner: string }>(
    'SELECT pg_catalog.pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()',
  );
  assert.equal(owner.rows[0]?.owner, role);

  const second = await provision(guresid, { cookie: first.cookie, log: logs.log });
  assert.deepEqual(second.values, first.values);
  assert.deepEqual(second.secrets, first.secrets);
  assert.deepEqual(second.cookie, first.cookie);
  assert.equal(await serverAcceptsPassword(role, String(first.secrets.password)), true);
  const rows = await client.query<{ label: string }>('SELECT label FROM items WHERE id = 1');
  assert.equal(rows.rows[0]?.label, 'kept');

  // An open session must not stop deprovisioning: it is terminated.
  await driver.deprovision(request(guresid, { cookie: second.cookie, log: logs.log }));
  await client.end().catch(() => undefined);
  await assert.rejects(asUser(first), /does not exist|authentication failed/);
  const left = await admin(async (c) => ({
    db: (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount,
    role: (await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount,
  }));
  assert.deepEqual(left, { db: 0, role: 0 });
  // Deprovisioning something already gone succeeds.
  await driver.deprovision(request(guresid));
  assertNoSecretsLogged(logs.lines, [String(first.secrets.password)]);
});

test('other roles cannot connect to the provisioned database', async () => {
  const a = await provision(randomGuresid());
  const b = await provision(randomGuresid());
  await assert.rejects(asUser(b, String(a.values.name)), /permission denied/);
});

test('a provision that lost its cookie adopts the existing role with a new working password', async () => {
  const guresid = randomGuresid();
  const first = await provision(guresid);
  const client = await asUser(first);
  await client.query('CREATE TABLE survivor (v text)');
  await client.query("INSERT INTO survivor VALUES ('still here')");
  await client.end();

  // As if Baton died after creating the role and never stored the cookie.
  const logs = recordLogs();
  const adopted = await provision(guresid, { log: logs.log });
  assert.equal(adopted.secrets.username, first.secrets.username);
  assert.notEqual(adopted.secrets.password, first.secrets.password);
  assert.ok(logs.lines.some((line) => line.includes('adopting')), logs.lines.join('\n'));
  const again = await asUser(adopted);
  const rows = await again.query<{ v: string }>('SELECT v FROM survivor');
  assert.equal(rows.rows[0]?.v, 'still here');
  await again.end();
  const role = String(adopted.secrets.username);
  assert.equal(await serverAcceptsPassword(role, String(adopted.secrets.password)), true);
  assert.equal(await serverAcceptsPassword(role, String(first.secrets.password)), false);
  const stable = await provision(guresid, { cookie: adopted.cookie });
  assert.deepEqual(stable.secrets, adopted.secrets);
  assert.equal(await serverAcceptsPassword(role, String(adopted.secrets.password)), true);
  assertNoSecretsLogged(logs.lines, [String(adopted.secrets.password)]);
});

test('hostile GUResIDs provision safely into valid, bounded identifiers', async () => {
  const hostile = [
    `x'; DROP TABLE pg_marker_${Date.now()}; --`,
    `"; CREATE TABLE injected_marker (id int); --` + randomGuresid(),
    'ü'.repeat(40) + '💥' + randomGuresid(),
    'a'.repeat(200) + randomGuresid(),
  ];
  for (const guresid of hostile) {
    const result = await provision(guresid);
    const name = String(result.values.name);
    assert.ok(Buffer.byteLength(name) <= 63, name);
    assert.match(name, /^baton_[a-z0-9_]+$/);
    const client = await asUser(result);
    await client.query('CREATE TABLE ok (v int)');
    await client.end();
    await driver.deprovision(request(guresid));
  }
  assert.equal(await tableExists('injected_marker'), false);
});

test('an injection attempt through template_name fails clearly and never runs the injected SQL', async () => {
  const marker = `pg_injected_${randomGuresid().slice(0, 10)}`;
  const guresid = randomGuresid();
  await assert.rejects(
    provision(guresid, { values: { template_name: `template1"; CREATE TABLE ${marker} (id int); --` } }),
    (error: unknown) => error instanceof DriverFailed && /template database .* does not exist/.test(error.message),
  );
  assert.equal(await tableExists(marker), false);
  assert.equal(await tableExists(marker, 'postgres'), false);
});

test('template_name creates the database from that template', async () => {
  const template = `baton_tpl_${randomGuresid().slice(0, 12)}`;
  await admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(template)}`));
  try {
    const client = new pg.Client({ host: HOST, port: PORT, database: template, user: 'postgres' });
    await client.connect();
    await client.query('CREATE TABLE from_template (v int)');
    await client.end();
    const result = await provision(randomGuresid(), { values: { template_name: template } });
    const user = await asUser(result);
    const rows = await user.query("SELECT 1 FROM pg_tables WHERE tablename = 'from_template'");
    assert.equal(rows.rowCount, 1);
    await user.end();
  } finally {
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(template)}`));
  }
});

test('missing or malformed driver inputs are rejected before touching the server', async () => {
  await assert.rejects(
    driver.provision(provisionRequest({ guresid: randomGuresid(), type: 'postgres', values: { port: 'x' }, secrets: driverSecrets })),
    InvalidInput,
  );
  await assert.rejects(
    driver.provision(provisionRequest({ guresid: randomGuresid(), type: 'postgres', values: driverValues, secrets: {} })),
    InvalidInput,
  );
});

test('an unreachable server is a retryable failure', async () => {
  await assert.rejects(
    driver.provision(
      provisionRequest({ guresid: randomGuresid(), type: 'postgres', values: { host: HOST, port: 1 }, secrets: driverSecrets }),
    ),
    (error: unknown) => error instanceof DriverFailed && error.retryable,
  );
});

test('a non-superuser admin with CREATEROLE and CREATEDB provisions and deprovisions (PostgreSQL 15+ membership rule)', async () => {
  const adminRole = `baton_admin_${randomGuresid().slice(0, 12)}`;
  await admin((c) => c.query(`CREATE ROLE ${c.escapeIdentifier(adminRole)} LOGIN CREATEROLE CREATEDB NOSUPERUSER PASSWORD 'admin-pw'`));
  try {
    const asAdmin = (guresid: string, values: Record<string, unknown> = {}) =>
      provisionRequest({ guresid, type: 'postgres', values: { ...driverValues, ...values }, secrets: { dbcredentials: { username: adminRole, password: 'admin-pw' } } });
    const guresid = randomGuresid();
    const { database, role } = postgresNames(guresid);
    const result = await driver.provision(asAdmin(guresid));
    const user = await asUser(result);
    const owner = await user.query<{ owner: string }>('SELECT pg_catalog.pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()');
    assert.equal(owner.rows[0]?.owner, role);
    await user.query('CREATE TABLE t (v int)');
    // Re-provision (idempotent) and deprovision with an open session, all as the non-superuser.
    await driver.provision(asAdmin(guresid));
    await driver.deprovision(asAdmin(guresid));
    await user.end().catch(() => undefined);
    assert.equal(await catalogHas('SELECT 1 FROM pg_database WHERE datname = $1', database), false);
    assert.equal(await catalogHas('SELECT 1 FROM pg_roles WHERE rolname = $1', role), false);

    // A failing step (CREATE DATABASE from a template that does not exist) leaves neither role nor database behind.
    const failing = randomGuresid();
    const names = postgresNames(failing);
    await assert.rejects(driver.provision(asAdmin(failing, { template_name: 'no_such_template_db' })), /template database .* does not exist/);
    assert.equal(await catalogHas('SELECT 1 FROM pg_roles WHERE rolname = $1', names.role), false, 'the role created by the failed provision is dropped');
    assert.equal(await catalogHas('SELECT 1 FROM pg_database WHERE datname = $1', names.database), false);
  } finally {
    await admin((c) => c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(adminRole)}`));
  }
});

test('a superuser admin whose provision fails also leaves no role behind', async () => {
  const guresid = randomGuresid();
  const { role } = postgresNames(guresid);
  await assert.rejects(provision(guresid, { values: { template_name: 'no_such_template_db' } }), DriverFailed);
  assert.equal(await catalogHas('SELECT 1 FROM pg_roles WHERE rolname = $1', role), false);
});

async function catalogHas(sql: string, name: string): Promise<boolean> {
  return admin(async (c) => ((await c.query(sql, [name])).rowCount ?? 0) > 0);
}
