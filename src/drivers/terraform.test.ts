import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DriverFailed, InvalidInput } from '../shared/errors.js';
import { acquireFileLock } from './infra/file-lock.js';
import { assertNoSecretsLogged, provisionRequest, randomGuresid, recordLogs } from './infra/test-support.js';
import { createTerraformDriver } from './terraform.js';
import { MAX_DRIVER_ANSWER_BYTES } from './contract.js';

const terraformBin = process.env.BATON_TERRAFORM_BIN ?? 'terraform';
const terraformMissing = spawnSync(terraformBin, ['version'], { stdio: 'ignore' }).status !== 0;
const skip = terraformMissing ? `terraform binary "${terraformBin}" not found; set BATON_TERRAFORM_BIN` : false;
const moduleDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'terraform', 'module');

let scratch = '';
let stateDir = '';
before(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'baton-tf-test-'));
  stateDir = join(scratch, 'state');
});
after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

function request(guresid: string, values: Record<string, unknown>, extra: Partial<Parameters<typeof provisionRequest>[0]> = {}) {
  return provisionRequest({ guresid, type: 'config', values, ...extra });
}

test('provision applies with variables, a sensitive output lands in secrets, a changed variable updates in place, deprovision destroys', { skip }, async () => {
  const driver = createTerraformDriver({ stateDir });
  const guresid = randomGuresid();
  const markerDir = await mkdtemp(join(scratch, 'marker-'));
  const logs = recordLogs();
  const values = { source: { path: moduleDir }, variables: { greeting: 'hello', marker_dir: markerDir } };
  const secrets = { variables: { api_token: 's3cr3t-value' } };

  const first = await driver.provision(request(guresid, values, { secrets, log: logs.log }));
  assert.equal(first.values.message, 'hello, world');
  assert.equal(first.values.region, 'none');
  assert.equal(first.secrets.token, 'token-s3cr3t-value');
  assert.equal('token' in first.values, false);
  assert.ok(logs.lines.some((line) => line.includes('Apply complete')), 'terraform log lines reach request.log');

  const same = await driver.provision(request(guresid, values, { secrets, log: logs.log }));
  assert.deepEqual(same, first);
  assert.ok(logs.lines.some((line) => line.includes('No changes')));

  const changed = { ...values, variables: { ...values.variables, greeting: 'bonjour' } };
  const second = await driver.provision(request(guresid, changed, { secrets, log: logs.log }));
  assert.equal(second.values.message, 'bonjour, world');
  // Same resource id: updated in place from the kept state, not recreated.
  assert.equal(second.values.thing_id, first.values.thing_id);
  assert.ok(logs.lines.some((line) => /1 changed, 0 destroyed/.test(line)));
  assert.equal(existsSync(join(markerDir, 'destroyed')), false);

  await driver.deprovision(request(guresid, changed, { secrets, log: logs.log }));
  assert.equal((await readFile(join(markerDir, 'destroyed'), 'utf8')).trim(), 'destroyed');
  // Gone means gone: deprovisioning again is a no-op, and a new provision starts from empty state.
  await driver.deprovision(request(guresid, changed, { secrets }));
  const fresh = await driver.provision(request(guresid, changed, { secrets }));
  assert.notEqual(fresh.values.thing_id, first.values.thing_id);
  await driver.deprovision(request(guresid, changed, { secrets }));
  assertNoSecretsLogged(logs.lines, ['s3cr3t-value']);
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

test('two concurrent provisions of the same GUResID serialise on the lock', { skip }, async () => {
  const guresid = randomGuresid();
  const logFile = join(scratch, `serial-${guresid}.log`);
  // Two driver instances, as two deployments in different workers would have.
  const [a, b] = [createTerraformDriver({ stateDir }), createTerraformDriver({ stateDir })];
  const results = await Promise.all([
    a.provision(request(guresid, { script: serialScript, variables: { run: 'a', log_file: logFile } })),
    b.provision(request(guresid, { script: serialScript, variables: { run: 'b', log_file: logFile } })),
  ]);
  assert.deepEqual(results.map((r) => r.values.run).sort(), ['a', 'b']);
  const lines = (await readFile(logFile, 'utf8')).trim().split('\n');
  assert.equal(lines.length, 4);
  // Each run's start is immediately followed by its own end: no interleaving.
  assert.equal(lines[1], lines[0]?.replace('start', 'end'));
  assert.equal(lines[3], lines[2]?.replace('start', 'end'));
  await a.deprovision(request(guresid, { script: serialScript, variables: { run: 'b', log_file: logFile } }));
});

test('a provision waits while another holder has the resource lock, and a lock left by a dead process is broken', { skip }, async () => {
  const driver = createTerraformDriver({ stateDir });
  const guresid = 'lock-test-' + randomGuresid();
  const script = 'output "ok" { value = "yes" }';
  // Find the lock path the driver uses by provisioning once.
  await driver.provision(request(guresid, { script }));
  const lockName = (await import('node:fs')).readdirSync(stateDir).find((n) => n.includes(guresid.slice(-20)) && !n.endsWith('.lock'));
  assert.ok(lockName);
  const lockPath = join(stateDir, `${lockName}.lock`);
  const release = await acquireFileLock(lockPath);
  let finished = false;
  const pending = driver.provision(request(guresid, { script })).then((r) => {
    finished = true;
    return r;
  });
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(finished, false);
  await release();
  assert.equal((await pending).values.ok, 'yes');

  await writeFile(lockPath, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), acquiredAt: '' }));
  assert.equal((await driver.provision(request(guresid, { script }))).values.ok, 'yes');
  await driver.deprovision(request(guresid, { script }));
});

test('manifests_output turns an output into driver manifests and keeps it out of values', { skip }, async () => {
  const driver = createTerraformDriver({ stateDir });
  const guresid = randomGuresid();
  const script = `
output "manifests" {
  value = {
    "config.yaml" = { location = "namespace", data = { apiVersion = "v1", kind = "ConfigMap", metadata = { name = "cm" } } }
  }
}
output "plain" { value = 42 }
`;
  const result = await driver.provision(request(guresid, { script, manifests_output: 'manifests' }));
  assert.deepEqual(result.manifests, [
    { name: 'config.yaml', location: 'namespace', data: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } } },
  ]);
  assert.deepEqual(result.values, { plain: 42 });
  await driver.deprovision(request(guresid, { script }));
});

test('credentials_config maps driver-account fields to variables and environment without logging them', { skip }, async () => {
  const driver = createTerraformDriver({ stateDir });
  const guresid = randomGuresid();
  const envFile = join(scratch, `env-${guresid}`);
  const script = `
variable "access_key" {
  type      = string
  sensitive = true
}
resource "terraform_data" "env" {
  provisioner "local-exec" { command = "printf '%s' \\"$SECRET_KEY\\" > '${envFile}'" }
}
output "key" {
  value     = var.access_key
  sensitive = true
}
`;
  const logs = recordLogs();
  const result = await driver.provision(
    request(
      guresid,
      { script, credentials_config: { variables: { access_key: 'AccessKeyId' }, environment: { SECRET_KEY: 'SecretAccessKey' } } },
      { account: { AccessKeyId: 'AKIA-test-id', SecretAccessKey: 'very-secret-key' }, log: logs.log },
    ),
  );
  assert.equal(result.secrets.key, 'AKIA-test-id');
  assert.equal(await readFile(envFile, 'utf8'), 'very-secret-key');
  assertNoSecretsLogged(logs.lines, ['AKIA-test-id', 'very-secret-key']);
  await assert.rejects(
    driver.provision(request(randomGuresid(), { script, credentials_config: { variables: { access_key: 'Missing' } } }, { account: {} })),
    InvalidInput,
  );
  await driver.deprovision(request(guresid, { script, credentials_config: { variables: { access_key: 'AccessKeyId' }, environment: { SECRET_KEY: 'SecretAccessKey' } } }, { account: { AccessKeyId: 'x', SecretAccessKey: 'y' } }));
});

test('a git source at a given rev is checked out and applied', { skip }, async () => {
  const repo = await mkdtemp(join(scratch, 'repo-'));
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-C', repo, '-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  git('init', '--quiet', '-b', 'main');
  await (await import('node:fs/promises')).mkdir(join(repo, 'mod'));
  await writeFile(join(repo, 'mod', 'main.tf'), 'output "version" { value = "v1" }\n');
  git('add', '.');
  git('commit', '--quiet', '-m', 'v1');
  const v1 = git('rev-parse', 'HEAD');
  await writeFile(join(repo, 'mod', 'main.tf'), 'output "version" { value = "v2" }\n');
  git('commit', '--quiet', '-am', 'v2');
  const driver = createTerraformDriver({ stateDir });
  const guresid = randomGuresid();
  const at = (rev: string) => request(guresid, { source: { url: `file://${repo}`, rev, path: 'mod' } });
  assert.equal((await driver.provision(at(v1))).values.version, 'v1');
  assert.equal((await driver.provision(at('refs/heads/main'))).values.version, 'v2');
  await driver.deprovision(at('refs/heads/main'));
});

test('bad HCL fails with terraform\'s error; missing script/source is invalid input', { skip }, async () => {
  const driver = createTerraformDriver({ stateDir });
  await assert.rejects(
    driver.provision(request(randomGuresid(), { script: 'resource "terraform_data" {' })),
    (error: unknown) => error instanceof DriverFailed && /terraform (init|apply) failed/.test(error.message),
  );
  await assert.rejects(driver.provision(request(randomGuresid(), {})), InvalidInput);
});

test('a missing terraform binary is reported clearly', async () => {
  const driver = createTerraformDriver({ stateDir: join(scratch, 'missing-bin'), terraformBin: '/nonexistent/terraform' });
  await assert.rejects(
    driver.provision(request(randomGuresid(), { script: 'output "x" { value = 1 }' })),
    (error: unknown) => error instanceof DriverFailed && /not installed/.test(error.message),
  );
});

test('a module whose outputs are larger than any driver result may be fails naming the limit instead of buffering them', { skip }, async () => {
  const driver = createTerraformDriver({ stateDir });
  const guresid = randomGuresid();
  // format's width pads to MAX_DRIVER_ANSWER_BYTES + 1 characters: one output, more than the driver reads.
  const script = `output "huge" {\n  value = format("%0${MAX_DRIVER_ANSWER_BYTES + 1}d", 0)\n}\n`;
  await assert.rejects(driver.provision(request(guresid, { script })), (error: unknown) => {
    assert.ok(error instanceof DriverFailed);
    assert.match(error.message, new RegExp(`more than the limit of ${MAX_DRIVER_ANSWER_BYTES} characters`));
    return true;
  });
  await driver.deprovision(request(guresid, { script }));
});
