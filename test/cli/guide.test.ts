/**
 * The user guide's commands work as shown: every ```sh title=run block of docs/guide/*.md runs, in file order, with
 * bash (-e -u -o pipefail) in one working folder per guide file, against a real `baton serve`, with `baton` on PATH
 * and BATON_URL, BATON_TOKEN and BATON_ORG set as after `baton login`. A block that fails fails the test with its
 * text and output. Blocks marked ```sh title=example are not run (they need a cluster or Argo CD); any other ```sh
 * block is an error, so nothing shown as a command escapes the test by accident.
 *
 * targets.md's Kubernetes section runs against an in-test Kubernetes API server over HTTPS that only accepts client
 * certificates signed by a CA made for the test: its files (ca.crt, baton.crt, baton.key) and URL (K8S_SERVER) are
 * what the page says a reader brings. After the page, the test checks what that server saw, and that a certificate
 * of another CA is refused with an error saying so.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { startBatonProcess } from '../helpers/baton-process.js';
import type { BatonProcess } from '../helpers/baton-process.js';
import { startInTestKubeApiServer } from '../helpers/in-test-kube-api-server.js';
import type { InTestKubeApiServer } from '../helpers/in-test-kube-api-server.js';
import { issue, makeCa } from '../helpers/test-pki.js';

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

type Run = (script: string) => Promise<{ code: number | null; output: string }>;

/** What a page needs from outside Baton: set up before its blocks run (extra env), checked after them. */
interface PageFixture {
  env: Record<string, string>;
  check(run: Run): Promise<void>;
  close(): Promise<void>;
}

/**
 * targets.md, "With a client certificate": a cluster CA, the API server's certificate, and the client certificate
 * and key the reader brings, in the page's folder; an in-test Kubernetes API server over HTTPS requiring a client
 * certificate of that CA.
 */
async function kubernetesWithClientCertificate(cwd: string): Promise<PageFixture> {
  const pki = join(cwd, '.pki');
  mkdirSync(pki);
  const ca = makeCa(pki, 'cluster-ca');
  const serverCert = issue(pki, ca, 'apiserver', { cn: 'kube-apiserver', ip: '127.0.0.1' });
  const client = issue(pki, ca, 'baton', { cn: 'baton', o: 'platform' });
  writeFileSync(join(cwd, 'ca.crt'), ca.cert);
  writeFileSync(join(cwd, 'baton.crt'), client.cert);
  writeFileSync(join(cwd, 'baton.key'), client.key, { mode: 0o600 });
  const server: InTestKubeApiServer = await startInTestKubeApiServer({ tls: { key: serverCert.key, cert: serverCert.cert, clientCa: ca.cert } });
  return {
    env: { K8S_SERVER: server.url },
    close: () => server.close(),
    async check(run) {
      const seen = server.requests;
      const applies = seen.filter((r) => r.method === 'PATCH');
      const paths = applies.map((r) => r.path);
      for (const path of ['/api/v1/namespaces/k8s-demo-development', '/apis/apps/v1/namespaces/k8s-demo-development/deployments/web']) {
        assert.ok(paths.includes(path), `the API server saw no apply of ${path}; it saw:\n${paths.join('\n')}`);
      }
      for (const r of applies) {
        assert.equal(r.contentType, 'application/apply-patch+yaml', r.path);
        assert.equal(r.query.get('fieldManager'), 'baton', r.path);
      }
      assert.ok(seen.length > 0 && seen.every((r) => r.authenticated === true && r.clientCertCN === 'baton' && r.authorization === undefined), 'every request came with the client certificate, and no token');
      const deployment = applies.find((r) => r.path.endsWith('/deployments/web'))!;
      const applied = parse(deployment.body) as { metadata: { namespace: string }; spec: { template: { spec: { containers: { image: string; env: { name: string; value: string }[] }[] } } } };
      assert.equal(applied.metadata.namespace, 'k8s-demo-development');
      assert.equal(applied.spec.template.spec.containers[0]?.image, 'nginx:1.27');
      assert.deepEqual(applied.spec.template.spec.containers[0]?.env, [{ name: 'FEATURE_X', value: 'on' }]);
      // No secret in clear in the definition Baton returns.
      const definition = await run('baton get def dev-cluster -o json');
      assert.equal(definition.code, 0, definition.output);
      assert.ok(!definition.output.includes(Buffer.from(client.key).toString('base64').slice(0, 40)), 'the key is not in the definition');

      // A certificate the cluster's CA did not sign: the same commands as the page, then a deploy that changes something.
      const foreignCa = makeCa(pki, 'foreign-ca');
      const stranger = issue(pki, foreignCa, 'stranger', { cn: 'baton', o: 'platform' });
      seen.length = 0;
      const refused = await run(`ORG=$BATON_ORG
printf '{"ref": "clusters/dev/client-cert", "value": "%s"}' "$(base64 -w0 ${stranger.certFile})" | baton api POST "/orgs/$ORG/secretstores/baton/baton/secrets" -d @- >/dev/null
printf '{"ref": "clusters/dev/client-key", "value": "%s"}' "$(base64 -w0 ${stranger.keyFile})" | baton api POST "/orgs/$ORG/secretstores/baton/baton/secrets" -d @- >/dev/null
sed 's/nginx:1.27/nginx:1.28/' score.yaml > score-next.yaml
baton score deploy -f score-next.yaml --app k8s-demo --env development --wait`);
      assert.notEqual(refused.code, 0, `a deployment with a foreign certificate succeeded:\n${refused.output}`);
      assert.match(refused.output, /HTTP 401: Unauthorized \(the Kubernetes API server did not accept the credentials of the k8s-cluster resource: a client certificate not signed by the cluster's CA/, refused.output);
      assert.ok(seen.length > 0 && seen.every((r) => r.authenticated === false && r.method !== 'PATCH'), 'the server refused every request of the foreign certificate and applied nothing');
      assert.ok(!refused.output.includes(Buffer.from(stranger.key).toString('base64').slice(0, 40)), 'the key is not in the error');
    },
  };
}

const PAGE_FIXTURES: Record<string, (cwd: string) => Promise<PageFixture>> = { 'targets.md': kubernetesWithClientCertificate };

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
      const fixture = await PAGE_FIXTURES[file]?.(cwd);
      try {
        const pageEnv = { ...env, BATON_CONFIG: join(cwd, '.baton-config.yaml'), HOME: cwd, ...fixture?.env };
        for (const block of blocks) {
          assert.ok(block.marker === 'title=run' || block.marker === 'title=example', `${file}:${block.line}: a sh block must be marked title=run or title=example`);
          if (block.marker !== 'title=run') continue;
          const result = await bash(block.text, cwd, pageEnv);
          assert.equal(result.code, 0, `${file}:${block.line} failed (exit ${result.code}):\n${block.text}\n--- output ---\n${result.output}`);
        }
        await fixture?.check((script) => bash(script, cwd, pageEnv));
      } finally {
        await fixture?.close();
      }
    });
  }
});
