/**
 * Issue 15, first acceptance point: the README's sample deployment on the embedded defaults leaves no secret value
 * in the gitops repository, neither in its working tree nor anywhere in its history (clear or base64), and the
 * encrypted Secrets decrypt back to the right values with Baton's age key — the data key by the Debian `age`
 * command, the values by an independent SOPS value decoder written here (not src/secrets/sops.ts), the MAC by
 * Baton's implementation. `baton status` shows the public key and the `kubectl create secret … sops-age` line.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { sopsDecryptText } from '../../src/secrets/sops.js';
import { startEngineHarness } from '../engine/harness.js';
import type { EngineHarness } from '../engine/harness.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

function cli(h: EngineHarness, args: string[]): Promise<{ code: number | null; out: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/baton.js', ...args], {
      cwd: REPO_ROOT,
      env: { ...env, BATON_URL: h.url, BATON_TOKEN: h.token, BATON_ORG: h.org, BATON_CONFIG: join(h.database.dataDir, 'cli.yaml') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out }));
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.name === '.git' ? [] : e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

function git(repo: string, args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Everything the repository ever held: working tree, `git log -p --all`, and every object's content. */
function repositoryText(repo: string): string {
  const tree = filesUnder(repo).map((f) => readFileSync(f, 'utf8'));
  const history = git(repo, ['log', '-p', '--all', '--format=%H %s%n%b']);
  const objects = git(repo, ['rev-list', '--all', '--objects'])
    .split('\n')
    .map((line) => line.split(' ')[0])
    .filter((id): id is string => !!id)
    .map((id) => execFileSync('git', ['-C', repo, 'cat-file', '-p', id], { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 }));
  return [...tree, history, ...objects].join('\n');
}

/**
 * The independent decoder: `ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]`, AES-256-GCM with the key path plus `:` as
 * additional data (SOPS' aes/cipher.go and sops.go define it).
 */
function decodeSopsValue(value: string, dataKey: Buffer, path: string[]): string {
  const match = /^ENC\[AES256_GCM,data:([^,]*),iv:([^,]+),tag:([^,]+),type:str\]$/.exec(value);
  assert.ok(match, `a SOPS string value at ${path.join('.')}`);
  const decipher = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(match[2]!, 'base64'));
  decipher.setAAD(Buffer.from(`${path.join(':')}:`));
  decipher.setAuthTag(Buffer.from(match[3]!, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(match[1]!, 'base64')), decipher.final()]).toString('utf8');
}

describe('the README sample on the embedded defaults keeps its secrets out of the gitops repository', { timeout: 240_000 }, () => {
  let h: EngineHarness;
  before(async () => {
    h = await startEngineHarness();
  });
  after(async () => {
    await h?.stop();
  });

  it('no secret value in the tree or history; the SOPS Secrets decrypt to the generated password; redeploying makes no commit', async () => {
    const deploy = await cli(h, ['score', 'deploy', '-f', 'samples/hello/score.yaml', '--app', 'hello', '--env', 'development', '--wait', '--yes']);
    assert.equal(deploy.code, 0, deploy.out);

    // The age key: created in the data folder on first start, 0600, in age-keygen's format.
    const keyFile = join(h.database.dataDir, 'age.agekey');
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const recipient = /# public key: (age1[0-9a-z]+)/.exec(readFileSync(keyFile, 'utf8'))?.[1];
    assert.equal(recipient, h.baton.ageKey.recipient);
    assert.equal(execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim(), recipient);

    // The generated database password, from Baton's sealed store (the truth the repository must not reveal).
    const resources = (await h.api<{ type: string; res_id: string; gu_res_id: string }[]>('GET', `/orgs/${h.org}/apps/hello/envs/development/resources`)).body;
    const db = resources.find((r) => r.type === 'postgres' && r.res_id === 'modules.hello.externals.db') ?? resources.find((r) => r.type === 'postgres');
    assert.ok(db, JSON.stringify(resources));
    const row = await h.store.db.selectFrom('active_resources').selectAll().where('guresid', '=', db.gu_res_id).executeTakeFirstOrThrow();
    const outputs = h.baton.box.open(row.secrets_sealed!, `orgs/${h.org}/apps/hello/envs/development/resources/${db.gu_res_id}/secrets`) as Record<string, unknown>;
    const password = String(outputs.password);
    assert.ok(password.length >= 16);

    // Every Secret file is SOPS: decrypt its data key with the `age` command, its values with the decoder above.
    const repo = join(h.database.dataDir, 'gitops');
    const secretFiles = filesUnder(repo).filter((f) => (parse(readFileSync(f, 'utf8')) as { kind?: string }).kind === 'Secret');
    assert.ok(secretFiles.length >= 2, `the workload's Secret and the database's: ${secretFiles.join(', ')}`);
    const values: string[] = [];
    for (const file of secretFiles) {
      const text = readFileSync(file, 'utf8');
      const doc = parse(text) as { data?: Record<string, string>; stringData?: Record<string, string>; sops: { age: { recipient: string; enc: string }[]; encrypted_regex: string } };
      assert.equal(doc.sops.encrypted_regex, '^(data|stringData)$');
      const stanza = doc.sops.age.find((a) => a.recipient === recipient);
      assert.ok(stanza, `${file} is encrypted to Baton's key`);
      const encFile = join(h.database.dataDir, 'data-key.age');
      writeFileSync(encFile, stanza.enc);
      const dataKey = execFileSync('age', ['--decrypt', '-i', keyFile, encFile]);
      assert.equal(dataKey.length, 32);
      for (const [key, value] of Object.entries(doc.stringData ?? {})) values.push(decodeSopsValue(value, dataKey, ['stringData', key]));
      for (const [key, value] of Object.entries(doc.data ?? {})) values.push(Buffer.from(decodeSopsValue(value, dataKey, ['data', key]), 'base64').toString('utf8'));
      sopsDecryptText(text, [h.baton.ageKey.identity]); // the MAC holds
    }
    assert.ok(values.includes(password), 'the encrypted Secrets hold the generated database password');

    // Nothing in clear or base64, anywhere the repository ever held it.
    const everything = repositoryText(repo);
    const secrets = [...new Set([password, ...values.filter((v) => v.length >= 8)])];
    for (const secret of secrets) {
      assert.ok(!everything.includes(secret), 'a secret value is in the repository in clear');
      assert.ok(!everything.includes(Buffer.from(secret).toString('base64')), 'a secret value is in the repository in base64');
    }

    // The same sample again: the deployment succeeds and the repository gets no commit.
    const commits = git(repo, ['rev-list', '--count', '--all']).trim();
    const again = await cli(h, ['score', 'deploy', '-f', 'samples/hello/score.yaml', '--app', 'hello', '--env', 'development', '--wait', '--yes']);
    assert.equal(again.code, 0, again.out);
    assert.equal(git(repo, ['rev-list', '--count', '--all']).trim(), commits, 'unchanged secrets make no commit');

    // `baton status`: the public key and the line that gives Flux the private key.
    const status = await cli(h, ['status', '--app', 'hello', '--output', 'table']);
    assert.equal(status.code, 0, status.out);
    assert.ok(status.out.includes(recipient), status.out);
    assert.ok(status.out.includes(`kubectl create secret generic sops-age --namespace=flux-system --from-file=age.agekey=${keyFile}`), status.out);
    assert.ok(!status.out.includes('AGE-SECRET-KEY'), 'never the private key');
  });
});
