/**
 * `baton create token` / `get tokens` / `delete token` against a real `baton serve`, and `baton login` typing its
 * secret into a pseudo-terminal (`script`): the token (or, with --email, the password) must not appear on screen.
 * The --email path talks to `loginStandInServer`, a tiny HTTP server in this file that answers `POST /baton/login`
 * as the RBAC contract specifies (the real route is built on another branch).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';
import { runBatonCli } from '../helpers/cli-run.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cleanEnv(dir: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
  return { ...env, BATON_CONFIG: join(dir, 'config.yaml'), HOME: dir };
}

function runBaton(args: string[], env: NodeJS.ProcessEnv, stdin?: string): Promise<Run> {
  return runBatonCli(args, { env, stdin: stdin ?? '' });
}

/**
 * Runs `baton ARGS` in a pseudo-terminal; once `prompt` is on screen, types `typed` and Enter. Returns everything
 * the terminal showed. Typing only after the prompt matters: the terminal's own echo is what must be off then.
 */
function runInTerminal(args: string[], env: NodeJS.ProcessEnv, prompt: string, typed: string): Promise<{ code: number | null; screen: string }> {
  const command = ['node', 'bin/baton.js', ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child: ChildProcessWithoutNullStreams = spawn('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env: { ...env, TERM: 'xterm' } });
    let screen = '';
    let typedYet = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end within 60 s; screen so far:\n${screen}`));
    }, 60_000);
    child.stdout.on('data', (c: Buffer) => {
      screen += c.toString();
      if (!typedYet && screen.includes(prompt)) {
        typedYet = true;
        // A moment for the prompt's raw mode to be in force, then type key by key like a person.
        setTimeout(() => child.stdin.write(`${typed}\r`), 200);
      }
    });
    child.stderr.on('data', (c: Buffer) => (screen += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

describe('baton create/get/delete token against baton serve', { timeout: 240_000 }, () => {
  let baton: BatonProcess;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    baton = await startBatonProcess({ startTimeoutMs: 120_000 }); // generous: CI machines can be very loaded
    dir = mkdtempSync(join(tmpdir(), 'baton-cli-tokens-'));
    env = { ...cleanEnv(dir), BATON_URL: baton.url, BATON_TOKEN: baton.token };
  });
  after(async () => {
    await baton?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('create token prints the token alone on stdout; it works, is listed, and fails (exit 3) once deleted', async () => {
    const created = await runBaton(['create', 'token', 'ci', '--description', 'CI pipeline', '--expires-in', '2h'], env);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, /^[A-Za-z0-9_-]{40,}$/);
    assert.match(created.stderr, /token "ci" created, expires \S+; it is shown only this once/);

    const asCi = { ...env, BATON_TOKEN: token };
    assert.equal((await runBaton(['get', 'orgs', '-o', 'json'], asCi)).code, 0);

    const listed = await runBaton(['get', 'tokens', '-o', 'json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    const rows = JSON.parse(listed.stdout) as Array<{ id: string; description: string; expires_at?: string }>;
    const ci = rows.find((r) => r.id === 'ci');
    assert.ok(ci, listed.stdout);
    assert.equal(ci.description, 'CI pipeline');
    const hoursLeft = (Date.parse(ci.expires_at ?? '') - Date.now()) / 3_600_000;
    assert.ok(hoursLeft > 1.9 && hoursLeft <= 2, String(ci.expires_at));
    assert.ok(!listed.stdout.includes(token));

    const deleted = await runBaton(['delete', 'token', 'ci'], env);
    assert.equal(deleted.code, 0, deleted.stderr);
    const refused = await runBaton(['get', 'orgs'], asCi);
    assert.equal(refused.code, 3);
    assert.match(refused.stderr, /HTTP 401/);
  });

  it('create token without an id generates one; a bad duration is a usage error (exit 2)', async () => {
    const created = await runBaton(['create', 'token', '-o', 'json'], env);
    assert.equal(created.code, 0, created.stderr);
    const body = JSON.parse(created.stdout) as { id: string; token: string; type: string };
    assert.match(body.id, /^cli-\d{8}-\d{6}-[0-9a-f]{4}$/);
    assert.equal(body.type, 'static');
    assert.ok(body.token.length >= 40);
    const bad = await runBaton(['create', 'token', 'x', '--expires-in', 'soon'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a duration/);
  });

  it('baton login in a terminal does not show the token while it is typed', async () => {
    const loginEnv = cleanEnv(dir);
    const { code, screen } = await runInTerminal(['login', baton.url], loginEnv, 'API token: ', baton.token);
    assert.equal(code, 0, screen);
    assert.ok(!screen.includes(baton.token), `the token was echoed:\n${screen}`);
    assert.ok(!screen.includes(baton.token.slice(0, 6)), `part of the token was echoed:\n${screen}`);
    assert.match(screen, /logged in to .* \(org local\)/);
    const configFile = join(dir, 'config.yaml');
    assert.ok(readFileSync(configFile, 'utf8').includes(baton.token));
    assert.equal(statSync(configFile).mode & 0o777, 0o600);
  });
});

/** Stand-in for rbac-core's `POST /baton/login` (contract), plus the two reads `baton login` makes afterwards. */
function loginStandInServer(account: { email: string; password: string; token: string }): Promise<{ url: string; server: Server; logins: unknown[] }> {
  const logins: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method === 'POST' && req.url === '/baton/login') {
        const input = JSON.parse(body) as { email?: string; password?: string };
        logins.push(input);
        if (input.email === account.email && input.password === account.password) {
          return json(200, { token: account.token, user_id: 'u-1', expires_at: new Date(Date.now() + 3_600_000).toISOString() });
        }
        return json(401, { error: 'UNAUTHENTICATED', message: 'wrong e-mail or password' });
      }
      if (req.headers.authorization !== `Bearer ${account.token}`) return json(401, { error: 'UNAUTHENTICATED', message: 'the bearer token is not valid' });
      if (req.method === 'GET' && req.url === '/current-user') return json(200, { id: 'u-1', name: 'Ada', type: 'user' });
      if (req.method === 'GET' && req.url === '/orgs') return json(200, [{ id: 'acme', name: 'Acme' }]);
      return json(404, { error: 'NOT_FOUND', message: `route ${req.method} ${req.url} not found` });
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}`, server, logins });
    });
  });
}

describe('baton login --email (against a stand-in for POST /baton/login)', { timeout: 120_000 }, () => {
  const account = { email: 'ada@example.com', password: 'correct horse battery staple', token: 'tok-from-login-0123456789abcdef' };
  let standIn: Awaited<ReturnType<typeof loginStandInServer>>;
  let dir: string;
  before(async () => {
    standIn = await loginStandInServer(account);
    dir = mkdtempSync(join(tmpdir(), 'baton-cli-login-'));
  });
  after(async () => {
    await new Promise((resolve) => standIn.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('prompts for the password without echo, sends the contract body, and stores the token it gets', async () => {
    const { code, screen } = await runInTerminal(['login', standIn.url, '--email', account.email, '--expires-in', '1d'], cleanEnv(dir), 'Password: ', account.password);
    assert.equal(code, 0, screen);
    assert.ok(!screen.includes('horse'), `the password was echoed:\n${screen}`);
    assert.match(screen, /logged in to .* as Ada \(org acme\)/);
    const sent = standIn.logins.at(-1) as { email: string; password: string; description?: string; expires_in_hours?: number };
    assert.equal(sent.email, account.email);
    assert.equal(sent.password, account.password);
    assert.equal(sent.expires_in_hours, 24);
    assert.match(sent.description ?? '', /^baton CLI on /);
    const config = readFileSync(join(dir, 'config.yaml'), 'utf8');
    assert.ok(config.includes(account.token));
    assert.ok(!config.includes(account.password));
  });

  it('reads a piped password; a wrong one is exit 3 with the server message', async () => {
    const piped = await runBaton(['login', standIn.url, '--email', account.email], cleanEnv(dir), `${account.password}\n`);
    assert.equal(piped.code, 0, piped.stderr);
    const wrong = await runBaton(['login', standIn.url, '--email', account.email], cleanEnv(dir), 'nope\n');
    assert.equal(wrong.code, 3);
    assert.match(wrong.stderr, /wrong e-mail or password \(HTTP 401/);
    const both = await runBaton(['login', standIn.url, '--email', account.email, '--token', 'x'], cleanEnv(dir));
    assert.equal(both.code, 2);
  });
});
