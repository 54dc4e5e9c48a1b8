/**
 * The terraform driver on Terraform's `pg` backend (Baton on PostgreSQL), against the real PostgreSQL and the real
 * `terraform` on this machine: state and locks live in the database, so a replica with an empty data folder carries
 * on where another stopped, and state files from SQLite days move into the database.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createPgTestSchema, TEST_POSTGRES_URL } from '../store/testing.js';
import type { PgTestSchema } from '../store/testing.js';
import { assertNoSecretsLogged, provisionRequest, randomGuresid, recordLogs } from './infra/test-support.js';
import { createTerraformDriver, migrateLocalTerraformState, terraformPgBackend } from './terraform.js';
import type { TerraformPgBackend } from './terraform.js';
import { terraformStateFilesUnder } from './infra/test-support.js';

const terraformBin = process.env.BATON_TERRAFORM_BIN ?? 'terraform';
const terraformMissing = spawnSync(terraformBin, ['version'], { stdio: 'ignore' }).status !== 0;
const skip = terraformMissing ? `terraform binary "${terraformBin}" not found; set BATON_TERRAFORM_BIN` : false;
const moduleDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'terraform', 'module');

let scratch = '';
let schema: PgTestSchema;
let backend: TerraformPgBackend;
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'baton-tf-pg-test-'));
  schema = await createPgTestSchema();
  backend = terraformPgBackend(schema.url);
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
  await withClient((client) => client.query(`drop schema if exists "${backend.schemaName}" cascade`));
  await schema.drop();
});

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function workspaces(): Promise<string[]> {
  return withClient(async (client) => {
    const exists = await client.query(`select 1 from information_schema.tables where table_schema = $1 and table_name = 'states'`, [backend.schemaName]);
    if (exists.rowCount === 0) return [];
    return (await client.query<{ name: string }>(`select name from "${backend.schemaName}".states order by name`)).rows.map((r) => r.name);
  });
}


test('terraformPgBackend: same server and login as Baton, a schema per installation, only libpq parameters kept', () => {
  const confined = terraformPgBackend('postgres://baton:p%40ss@db.example:5433/baton?options=-c%20search_path%3Dtenant_a&sslmode=require&max=20');
  assert.equal(confined.schemaName, 'tenant_a_terraform');
  const url = new URL(confined.connectionString);
  assert.equal(url.host, 'db.example:5433');
  assert.equal(url.username, 'baton');
  assert.equal(decodeURIComponent(url.password), 'p@ss');
  assert.equal(url.pathname, '/baton');
  assert.deepEqual([...url.searchParams.keys()], ['sslmode']);
  assert.equal(url.searchParams.get('sslmode'), 'require');
  const plain = terraformPgBackend('postgresql://baton@127.0.0.1/baton');
  assert.equal(plain.schemaName, 'baton_terraform');
  assert.equal(new URL(plain.connectionString).searchParams.get('sslmode'), 'disable');
});

test('on the pg backend a replica with an empty data folder destroys what another created; no state on disk, workspace dropped, connection never logged', { skip }, async () => {
  const guresid = randomGuresid();
  const markerDir = await mkdtemp(join(scratch, 'marker-'));
  const [dirA, dirB] = [join(scratch, 'replica-a'), join(scratch, 'replica-b')];
  const a = createTerraformDriver({ stateDir: dirA, pgBackend: backend });
  const b = createTerraformDriver({ stateDir: dirB, pgBackend: backend });
  const logs = recordLogs();
  const values = { source: { path: moduleDir }, variables: { greeting: 'hello', marker_dir: markerDir } };
  const secrets = { variables: { api_token: 'tf-pg-s3cr3t' } };

  const created = await a.provision(provisionRequest({ guresid, type: 'config', values, secrets, log: logs.log }));
  assert.equal(created.values.message, 'hello, world');
  assert.deepEqual(terraformStateFilesUnder(dirA), [], 'replica A keeps no terraform state on disk');
  assert.equal((await workspaces()).filter((w) => w === `res-${guresid}`).length, 1, 'one workspace for the resource in PostgreSQL');

  // Replica B has never seen the resource: it updates it in place (same id), from the state in the database.
  const changed = { ...values, variables: { ...values.variables, greeting: 'bonjour' } };
  const updated = await b.provision(provisionRequest({ guresid, type: 'config', values: changed, secrets, log: logs.log }));
  assert.equal(updated.values.thing_id, created.values.thing_id);

  await rm(dirB, { recursive: true, force: true }); // B's folder is only a cache
  await b.deprovision(provisionRequest({ guresid, type: 'config', values: changed, secrets, log: logs.log }));
  assert.equal((await readFile(join(markerDir, 'destroyed'), 'utf8')).trim(), 'destroyed', 'the destroy provisioner ran on B');
  assert.equal((await workspaces()).includes(`res-${guresid}`), false, 'the resource\'s workspace is gone');
  assertNoSecretsLogged(logs.lines, ['tf-pg-s3cr3t', backend.connectionString]);
});

const serialScript = `
variable "run" { type = string }
variable "log_file" { type = string }
resource "terraform_data" "step" {
  triggers_replace = var.run
  provisioner "local-exec" {
    command = "echo start-\${var.run} >> '\${var.log_file}'; sleep 1; echo end-\${var.run} >> '\${var.log_file}'"
  }
}
output "run" { value = var.run }
`;

test('two replicas (separate folders) applying one resource at once serialise on the pg backend\'s lock', { skip }, async () => {
  const guresid = randomGuresid();
  const logFile = join(scratch, `serial-${guresid}.log`);
  const a = createTerraformDriver({ stateDir: join(scratch, 'lock-a'), pgBackend: backend });
  const b = createTerraformDriver({ stateDir: join(scratch, 'lock-b'), pgBackend: backend });
  // The workspace exists first (as after any first deployment); the two applies then race for its lock.
  await a.provision(provisionRequest({ guresid, type: 'config', values: { script: serialScript, variables: { run: 'init', log_file: logFile } } }));
  await rm(logFile, { force: true });
  const results = await Promise.all([
    a.provision(provisionRequest({ guresid, type: 'config', values: { script: serialScript, variables: { run: 'a', log_file: logFile } } })),
    b.provision(provisionRequest({ guresid, type: 'config', values: { script: serialScript, variables: { run: 'b', log_file: logFile } } })),
  ]);
  assert.deepEqual(results.map((r) => r.values.run).sort(), ['a', 'b']);
  const lines = (await readFile(logFile, 'utf8')).trim().split('\n');
  assert.equal(lines.length, 4, lines.join('\n'));
  assert.equal(lines[1], lines[0]?.replace('start', 'end'));
  assert.equal(lines[3], lines[2]?.replace('start', 'end'));
  await b.deprovision(provisionRequest({ guresid, type: 'config', values: { script: serialScript, variables: { run: 'b', log_file: logFile } } }));
});

test('state files from SQLite days move into PostgreSQL (start-up migration), and an empty replica then destroys the resource', { skip }, async () => {
  const guresid = randomGuresid();
  const markerDir = await mkdtemp(join(scratch, 'marker-'));
  const oldDir = join(scratch, 'sqlite-days');
  const values = { source: { path: moduleDir }, variables: { greeting: 'hi', marker_dir: markerDir } };
  const secrets = { variables: { api_token: 'x' } };
  const local = createTerraformDriver({ stateDir: oldDir });
  const created = await local.provision(provisionRequest({ guresid, type: 'config', values, secrets }));
  assert.equal(terraformStateFilesUnder(oldDir).length, 1, 'local mode keeps a state file');

  const logs = recordLogs();
  const migrated = await migrateLocalTerraformState({ stateDir: oldDir, terraformBin, pgBackend: backend, log: logs.log });
  assert.equal(migrated.length, 1);
  assert.deepEqual(terraformStateFilesUnder(oldDir), [], 'the state file left the disk');
  assert.deepEqual(await migrateLocalTerraformState({ stateDir: oldDir, terraformBin, pgBackend: backend, log: logs.log }), [], 'a second run has nothing to do');
  assertNoSecretsLogged(logs.lines, [backend.connectionString]);

  const fresh = createTerraformDriver({ stateDir: join(scratch, 'after-move'), pgBackend: backend });
  const same = await fresh.provision(provisionRequest({ guresid, type: 'config', values, secrets }));
  assert.equal(same.values.thing_id, created.values.thing_id, 'the resource was adopted, not created again');
  await fresh.deprovision(provisionRequest({ guresid, type: 'config', values, secrets }));
  assert.equal((await readFile(join(markerDir, 'destroyed'), 'utf8')).trim(), 'destroyed');
});

test('a state file found at provision time (no start-up migration) is pushed into the resource\'s workspace', { skip }, async () => {
  const guresid = randomGuresid();
  const markerDir = await mkdtemp(join(scratch, 'marker-'));
  const dir = join(scratch, 'lazy');
  const values = { source: { path: moduleDir }, variables: { greeting: 'hi', marker_dir: markerDir } };
  const secrets = { variables: { api_token: 'x' } };
  const created = await createTerraformDriver({ stateDir: dir }).provision(provisionRequest({ guresid, type: 'config', values, secrets }));
  const onPg = createTerraformDriver({ stateDir: dir, pgBackend: backend });
  const again = await onPg.provision(provisionRequest({ guresid, type: 'config', values, secrets }));
  assert.equal(again.values.thing_id, created.values.thing_id);
  assert.deepEqual(terraformStateFilesUnder(dir), []);
  await createTerraformDriver({ stateDir: join(scratch, 'lazy-other'), pgBackend: backend }).deprovision(provisionRequest({ guresid, type: 'config', values, secrets }));
  assert.ok(existsSync(join(markerDir, 'destroyed')));
});
