/**
 * The CLI in a real terminal (a pseudo-terminal from util-linux `script`) against a real `baton serve`:
 * the hidden password prompt of `baton login --email`, the live progress of `score deploy --wait`, `baton get ...
 * | head` through a shell pipe without an EPIPE trace, and `get -w` (re-printed on change, Ctrl-C ends it with
 * exit 0; a deployment is followed until it is finished).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';
import { runProcess } from '../helpers/cli-run.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
const BATON = `${quote(process.execPath)} bin/baton.js`;
/** What a Node stack trace or an unhandled stream error looks like on screen. */
/** Terminal control sequences (colours, cursor). */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, 'g');
const TRACE = /EPIPE|Unhandled 'error'|node:internal|^\s+at /m;

interface Screen {
  code: number | null;
  screen: string;
}

/**
 * Runs a bash command line in a pseudo-terminal. `steps` react to the screen: when `waitFor` appears, `type` is
 * sent to the terminal (keys, `\r` for Enter, `\x03` for Ctrl-C) after `then()` (if any) has run.
 */
function inTerminal(commandLine: string, env: NodeJS.ProcessEnv, steps: { waitFor: string | RegExp; then?: () => Promise<unknown>; type: string }[] = [], term = 'xterm'): Promise<Screen> {
  return new Promise((resolve, reject) => {
    // script runs the line with $SHELL -c, or /bin/sh when SHELL is unset (as in CI). Debian's sh (dash) stays the
    // parent of a lone command instead of exec-ing it, and dies of the Ctrl-C meant for baton, so the screen's exit
    // code would be the shell's 130, not baton's. bash execs a lone command, and the `| head` case needs PIPESTATUS.
    const child: ChildProcessWithoutNullStreams = spawn('script', ['-qefc', commandLine, '/dev/null'], { cwd: REPO_ROOT, env: { ...env, TERM: term, SHELL: '/bin/bash' } });
    let screen = '';
    let next = 0;
    let busy = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end within 90 s; screen so far:\n${screen}`));
    }, 90_000);
    const react = () => {
      const step = steps[next];
      if (busy || !step) return;
      const seen = typeof step.waitFor === 'string' ? screen.includes(step.waitFor) : step.waitFor.test(screen);
      if (!seen) return;
      busy = true;
      next++;
      void (step.then?.() ?? Promise.resolve())
        .then(() => new Promise((r) => setTimeout(r, 200)))
        .then(() => {
          child.stdin.write(step.type);
          busy = false;
          react();
        }, reject);
    };
    child.stdout.on('data', (c: Buffer) => {
      screen += c.toString();
      react();
    });
    child.stderr.on('data', (c: Buffer) => (screen += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

/** The same command line without a terminal (stdout and stderr are pipes). */
function piped(commandLine: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runProcess('bash', ['-c', commandLine], { env });
}

describe('baton in a terminal', { timeout: 480_000 }, () => {
  let baton: BatonProcess;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const app = 'tty';
  const api = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(baton.url + path, { method, headers: { authorization: `Bearer ${baton.token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  };

  before(async () => {
    baton = await startBatonProcess({ startTimeoutMs: 120_000 });
    dir = mkdtempSync(join(tmpdir(), 'baton-cli-terminal-'));
    writeFileSync(join(dir, 'web.yaml'), 'apiVersion: score.dev/v1b1\nmetadata:\n  name: web\ncontainers:\n  main:\n    image: busybox:1\n');
    writeFileSync(join(dir, 'web2.yaml'), 'apiVersion: score.dev/v1b1\nmetadata:\n  name: web\ncontainers:\n  main:\n    image: busybox:1\n    args: ["two"]\n');
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
    Object.assign(env, { BATON_CONFIG: join(dir, 'config.yaml'), HOME: dir, BATON_URL: baton.url, BATON_TOKEN: baton.token, BATON_ORG: 'local', BATON_APP: app, BATON_ENV: 'development' });
  });
  after(async () => {
    await baton?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('login --email prompts for the password without showing it, and the token it gets works', async () => {
    const email = 'grace@example.com';
    const password = 'a long enough passphrase 42';
    const [invited] = (await api('POST', '/orgs/local/invitations', { email, role: 'member' })) as { invite_token: string }[];
    await api('POST', '/baton/invitations/accept', { token: invited!.invite_token, name: 'Grace', password });
    const { BATON_TOKEN: _admin, ...rest } = env;
    const loginEnv = { ...rest, BATON_CONFIG: join(dir, 'login.yaml') };
    const { code, screen } = await inTerminal(`${BATON} login ${quote(baton.url)} --email ${quote(email)}`, loginEnv, [{ waitFor: 'Password: ', type: `${password}\r` }]);
    assert.equal(code, 0, screen);
    assert.ok(!screen.includes(password), `the password was shown:\n${screen}`);
    assert.ok(!screen.includes('a long'), 'not even a part of it');
    const asGrace = await piped(`${BATON} get orgs -o json`, loginEnv);
    assert.equal(asGrace.code, 0, asGrace.stderr);
    assert.match(asGrace.stdout, /"local"/);
  });

  it('score deploy --wait shows live progress (spinner, ✔ steps) on a terminal, plain lines in a pipe', async () => {
    const { code, screen } = await inTerminal(`${BATON} score deploy -f ${quote(join(dir, 'web.yaml'))} --yes --wait`, env);
    assert.equal(code, 0, screen);
    assert.ok(screen.includes('\u001b[?25l'), 'the spinner hides the cursor while it runs');
    assert.match(screen, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, 'spinner frames');
    const text = screen.replace(ANSI, '');
    assert.match(text, /✔ \[create\] modules\.web: provisioned workload/, 'finished steps stay on screen, ticked');
    assert.match(text, /✔ deployment \S+ succeeded/);
    const plain = await piped(`${BATON} score deploy -f ${quote(join(dir, 'web2.yaml'))} --yes --wait`, env);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^done: deployment \S+ succeeded$/m);
    assert.ok(!(plain.stdout + plain.stderr).includes('\u001b['), 'no escape codes in a pipe');
  });

  it('score deploy --wait on a TERM=dumb terminal prints plain lines, no spinner or escape codes', async () => {
    writeFileSync(join(dir, 'web-dumb.yaml'), 'apiVersion: score.dev/v1b1\nmetadata:\n  name: web\ncontainers:\n  main:\n    image: busybox:1\n    args: ["dumb"]\n');
    const { code, screen } = await inTerminal(`${BATON} score deploy -f ${quote(join(dir, 'web-dumb.yaml'))} --yes --wait`, env, [], 'dumb');
    assert.equal(code, 0, screen);
    assert.match(screen, /^done: deployment \S+ succeeded\r?$/m, screen);
    assert.ok(!screen.includes('\u001b'), `escape codes on a dumb terminal:\n${JSON.stringify(screen)}`);
    assert.doesNotMatch(screen, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, 'no spinner frames');
  });

  it('baton get ... | head ends quietly (no EPIPE trace) and exits 0, whether head reads a line or nothing', async () => {
    for (const head of ['head -n 1', 'head -n 0', 'true']) {
      const { code, screen } = await inTerminal(`${BATON} get resource-types -o yaml | ${head}; echo "baton exit: \${PIPESTATUS[0]}"`, env);
      assert.equal(code, 0, screen);
      assert.doesNotMatch(screen, TRACE, `| ${head}:\n${screen}`);
      assert.match(screen, /baton exit: 0/, `| ${head}:\n${screen}`);
    }
  });

  it('get -w prints again when the list changes; Ctrl-C ends it with exit 0', async () => {
    const { code, screen } = await inTerminal(`${BATON} get apps -w --interval 0.5 -o name`, env, [
      { waitFor: `app/${app}`, then: () => api('POST', '/orgs/local/apps', { id: 'watched', name: 'Watched' }), type: '' },
      { waitFor: 'app/watched', type: '\x03' },
    ]);
    assert.equal(code, 0, screen);
    assert.doesNotMatch(screen, TRACE, screen);
    const prints = screen.split(/\r?\n/).filter((l) => l.startsWith(`app/${app}`)).length;
    assert.equal(prints, 2, `the list printed once, then once more after the change:\n${screen}`);
  });

  it('get deploy . -w follows a deployment until it is finished, then ends by itself', async () => {
    writeFileSync(join(dir, 'web3.yaml'), 'apiVersion: score.dev/v1b1\nmetadata:\n  name: web\ncontainers:\n  main:\n    image: busybox:1\n    args: ["three"]\n');
    const started = await piped(`${BATON} score deploy -f ${quote(join(dir, 'web3.yaml'))} --yes`, env);
    assert.equal(started.code, 0, started.stderr);
    const watched = await piped(`${BATON} get deploy . -w --interval 0.5 -o 'jsonpath={.status}'`, env);
    assert.equal(watched.code, 0, watched.stderr);
    const statuses = watched.stdout.trim().split('\n');
    assert.equal(statuses.at(-1), 'succeeded', watched.stdout);
    assert.equal(new Set(statuses).size, statuses.length, 'a status is printed once, not at every poll');
  });
});
