/**
 * The user guide's commands work as shown: every ```sh title=run block of docs/guide/*.md runs, in file order, with
 * bash (-e -u -o pipefail) in one working folder per guide file, against a real `baton serve`, with `baton` on PATH
 * and BATON_URL, BATON_TOKEN and BATON_ORG set as after `baton login`. A block that fails fails the test with its
 * text and output. Blocks marked ```sh title=example are not run (they need a cluster or Argo CD); any other ```sh
 * block is an error, so nothing shown as a command escapes the test by accident.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GUIDE = join(REPO_ROOT, 'docs', 'guide');

export interface GuideBlock {
  marker: string;
  line: number;
  text: string;
}

/** The fenced ```sh blocks of a markdown text, with what follows `sh` on the fence line and the line they start at. */
export function shBlocks(markdown: string): GuideBlock[] {
  const blocks: GuideBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```sh\b(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    blocks.push({ marker: open[1]!.trim(), line: start + 1, text: body.join('\n') });
  }
  return blocks;
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, output }));
  });
}

const files = readdirSync(GUIDE).filter((f) => f.endsWith('.md')).sort();

describe('docs/guide commands', { timeout: 900_000 }, () => {
  let baton: BatonProcess;
  let root: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    baton = await startBatonProcess({ startTimeoutMs: 120_000 });
    root = mkdtempSync(join(tmpdir(), 'baton-guide-'));
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'baton'), `#!/bin/sh\nexec "${process.execPath}" "${join(REPO_ROOT, 'bin', 'baton.js')}" "$@"\n`);
    chmodSync(join(bin, 'baton'), 0o755);
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(BATON_|HUMANITEC_)/.test(k)));
    Object.assign(env, { PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, BATON_URL: baton.url, BATON_TOKEN: baton.token, BATON_ORG: baton.org, NO_COLOR: '1' });
  });
  after(async () => {
    await baton?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('the extractor finds blocks and their markers', () => {
    const blocks = shBlocks('x\n```sh title=run\nbaton get apps\n```\n```sh title=example\nkubectl get pods\n```\n```yaml\na: 1\n```\n');
    assert.deepEqual(blocks, [
      { marker: 'title=run', line: 2, text: 'baton get apps' },
      { marker: 'title=example', line: 5, text: 'kubectl get pods' },
    ]);
  });

  it('the guide has its six pages, each with commands that run', () => {
    for (const page of ['getting-started.md', 'definitions.md', 'targets.md', 'ci.md', 'migrating.md', 'troubleshooting.md']) {
      assert.ok(files.includes(page), `docs/guide/${page} is missing`);
      assert.ok(shBlocks(readFileSync(join(GUIDE, page), 'utf8')).some((b) => b.marker === 'title=run'), `docs/guide/${page} has no runnable block`);
    }
  });

  for (const file of files) {
    it(`docs/guide/${file}`, async () => {
      const blocks = shBlocks(readFileSync(join(GUIDE, file), 'utf8'));
      const cwd = join(root, file.replace(/\.md$/, ''));
      mkdirSync(cwd);
      // Each page has its own config file (its own contexts), like a reader starting that page afresh.
      const pageEnv = { ...env, BATON_CONFIG: join(cwd, '.baton-config.yaml'), HOME: cwd };
      for (const block of blocks) {
        assert.ok(block.marker === 'title=run' || block.marker === 'title=example', `${file}:${block.line}: a sh block must be marked title=run or title=example`);
        if (block.marker !== 'title=run') continue;
        const result = await bash(block.text, cwd, pageEnv);
        assert.equal(result.code, 0, `${file}:${block.line} failed (exit ${result.code}):\n${block.text}\n--- output ---\n${result.output}`);
      }
    });
  }
});
