/**
 * Issue 17, acceptance 1: a test plays CI. The documented one-curl notification (docs/ci.md, run as written with
 * curl) registers a new image version from `main`; the rule of `development` deploys it (as the rule's creator,
 * with a comment naming the rule and the build), the rule of `production` (tags only) does not; a real HTTP
 * receiver gets `deployment/started` and `deployment/finished` with the rendered payload and a valid signature.
 *
 * Acceptance 4 rides along: the test's HTTP client notes every mutating request answered 2xx (and the curl), and at
 * the end GET /orgs/local/audit-logs, followed page by page, holds each of them exactly once and nothing else.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startEngineHarness, waitForDeployment } from '../engine/harness.js';
import type { EngineHarness } from '../engine/harness.js';
import { signatureIsValid, startReceiver } from './receiver.js';
import type { Receiver } from './receiver.js';

const run = promisify(execFile);
const IMAGE = 'registry.example.com/acme/web';
const SHA = '75ef9faee755c70589550b513ad881e5a603182c';

/** The notify block of docs/ci.md, exactly as documented. */
function documentedNotify(): string {
  const doc = readFileSync(new URL('../../docs/ci.md', import.meta.url), 'utf8');
  const block = /<!-- ci-notify:begin -->\s*```sh\n([\s\S]*?)```\s*<!-- ci-notify:end -->/.exec(doc);
  assert.ok(block, 'docs/ci.md has the ci-notify block');
  return block[1]!;
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`the CI loop [${dialect}]`, () => {
    let h: EngineHarness;
    let receiver: Receiver;
    let ciToken: string;
    let adminId: string;
    let ciId: string;
    const app = 'shop';
    /** Every mutating request this test made that was answered 2xx: [user, method, path, status]. */
    const mutations: [string, string, string, number][] = [];
    /** The test's HTTP client: `h.api` as the admin, noting what the audit log must hold. */
    const api = async <T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> => {
      const res = await h.api<T>(method, path, body);
      if (method !== 'GET' && res.status >= 200 && res.status < 300) mutations.push([adminId, method, path.split('?')[0]!, res.status]);
      return res;
    };

    before(async () => {
      h = await startEngineHarness({ dialect });
      receiver = await startReceiver();
      adminId = (await h.api<{ id: string }>('GET', '/current-user')).body.id; // a read: not in the audit log
      // CI's identity as docs/ci.md sets it up: a service user with the org role artefactContributor and its token.
      const ci = await api<{ id: string }>('POST', '/orgs/local/users', { name: 'ci', role: 'artefactContributor' });
      assert.equal(ci.status, 200, JSON.stringify(ci.body));
      ciId = ci.body.id;
      const token = await api<{ token: string }>('POST', `/users/${ci.body.id}/tokens`, { id: 'ci', type: 'static', description: 'CI pipeline' });
      assert.ok(token.status === 200 || token.status === 201, JSON.stringify(token.body));
      ciToken = token.body.token;
      assert.equal((await api('POST', `/orgs/local/apps`, { id: app, name: 'Shop' })).status, 201);
      assert.equal((await api('POST', `/orgs/local/apps/${app}/envs`, { id: 'production', name: 'Production', type: 'production' })).status, 201);
      // Both environments run web:1.0.0.
      for (const env of ['development', 'production']) {
        const delta = await api<{ id: string }>('POST', `/orgs/local/apps/${app}/deltas`, {
          modules: { add: { web: { profile: 'humanitec/default-module', externals: {}, spec: { containers: { main: { id: 'main', image: `${IMAGE}:1.0.0` }, sidecar: { id: 'sidecar', image: 'busybox:1' } } } } } },
        });
        const deploy = await api<{ id: string }>('POST', `/orgs/local/apps/${app}/envs/${env}/deploys`, { delta_id: delta.body.id, comment: 'first' });
        assert.equal(deploy.status, 201, JSON.stringify(deploy.body));
        assert.equal((await waitForDeployment(h, app, env, deploy.body.id)).status, 'succeeded');
      }
    });
    after(async () => {
      await receiver.close();
      await h.stop();
    });

    it('the documented curl deploys the new image to development only, and the webhook hears about it, signed', async () => {
      const dev = await api<{ id: string }>('POST', `/orgs/local/apps/${app}/envs/development/rules`, { type: 'update', artefacts_filter: [IMAGE], match_ref: '^refs/heads/main$' });
      assert.equal(dev.status, 201, JSON.stringify(dev.body));
      const prod = await api<{ id: string }>('POST', `/orgs/local/apps/${app}/envs/production/rules`, { type: 'update', match_ref: '^refs/tags/' });
      assert.equal(prod.status, 201, JSON.stringify(prod.body));
      const hook = await api<{ signing_secret: string }>('POST', `/orgs/local/apps/${app}/webhooks`, {
        id: 'chat',
        url: receiver.url,
        headers: { 'X-Team': 'web' },
        triggers: [{ scope: 'deployment', type: 'started' }, { scope: 'deployment', type: 'finished' }],
        payload: { text: '${event} ${deploy_id} ${status}', env: '${env_id}', by: '${triggered_by}', comment: '${comment}' },
      });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      assert.match(hook.body.signing_secret, /^[0-9a-f]{64}$/);

      await run('bash', ['-c', documentedNotify()], {
        env: { PATH: process.env.PATH, BATON_URL: h.url, BATON_ORG: 'local', BATON_TOKEN: ciToken, IMAGE, VERSION: '1.1.0', GITHUB_REF: 'refs/heads/main', GITHUB_SHA: SHA },
      });
      mutations.push([ciId, 'POST', '/orgs/local/artefact-versions', 200]); // curl -f: it succeeded

      // The rules worker evaluates the new version after the answer (a durable job queued with it).
      let auto: { id: string; comment: string; created_by: string } | undefined;
      for (const deadline = Date.now() + 30_000; auto === undefined; await new Promise((r) => setTimeout(r, 50))) {
        const devDeploys = await api<{ id: string; comment: string; created_by: string }[]>('GET', `/orgs/local/apps/${app}/envs/development/deploys`);
        auto = devDeploys.body.find((d) => d.comment !== 'first');
        assert.ok(auto !== undefined || Date.now() < deadline, 'the rule deployed to development');
      }
      assert.match(auto.comment, new RegExp(`automation rule ${dev.body.id}`));
      assert.match(auto.comment, new RegExp(`${IMAGE}:1\\.1\\.0 from refs/heads/main at ${SHA}`));
      assert.equal(auto.created_by, adminId, 'the deployment runs as the rule creator, not the CI token');
      assert.equal((await waitForDeployment(h, app, 'development', auto.id)).status, 'succeeded');
      const deployed = await api<{ set_id: string }>('GET', `/orgs/local/apps/${app}/envs/development/deploys/${auto.id}`);
      const set = await api<{ modules: { web: { spec: { containers: Record<string, { image: string }> } } } }>('GET', `/orgs/local/apps/${app}/sets/${deployed.body.set_id}`);
      assert.equal(set.body.modules.web.spec.containers.main!.image, `${IMAGE}:1.1.0`);
      assert.equal(set.body.modules.web.spec.containers.sidecar!.image, 'busybox:1', 'containers of other images are left alone');

      const prodDeploys = await api<{ comment: string }[]>('GET', `/orgs/local/apps/${app}/envs/production/deploys`);
      assert.deepEqual(prodDeploys.body.map((d) => d.comment), ['first'], 'production only takes tags');
      const devRuns = await api<{ outcome: string; deploy_id?: string }[]>('GET', `/orgs/local/apps/${app}/envs/development/rules/${dev.body.id}/baton/runs`);
      assert.deepEqual(devRuns.body.map((r) => [r.outcome, r.deploy_id]), [['deployed', auto.id]], 'the rule recorded its run');
      const prodRuns = await api<{ outcome: string }[]>('GET', `/orgs/local/apps/${app}/envs/production/rules/${prod.body.id}/baton/runs`);
      assert.deepEqual(prodRuns.body, [], 'the production rule did not accept the version');

      const [started] = await receiver.waitFor((r) => r.headers['baton-event'] === 'deployment/started');
      const [finished] = await receiver.waitFor((r) => r.headers['baton-event'] === 'deployment/finished');
      const secret = hook.body.signing_secret;
      for (const r of [started!, finished!]) {
        assert.ok(signatureIsValid(secret, r), `valid signature on ${r.headers['baton-event'] as string}`);
        assert.ok(!signatureIsValid('0'.repeat(64), r), 'the signature depends on the secret');
        assert.equal(r.headers['x-team'], 'web');
        assert.equal(r.headers['content-type'], 'application/json');
      }
      assert.deepEqual(JSON.parse(started!.body), { text: `deployment/started ${auto.id} in progress`, env: 'development', by: adminId, comment: auto.comment });
      assert.deepEqual(JSON.parse(finished!.body), { text: `deployment/finished ${auto.id} succeeded`, env: 'development', by: adminId, comment: auto.comment });
      assert.notEqual(started!.headers['baton-delivery'], finished!.headers['baton-delivery']);

      const deliveries = await api<{ event: string; state: string; attempts: { status_code: number }[] }[]>('GET', `/orgs/local/apps/${app}/webhooks/chat/baton/deliveries`);
      assert.deepEqual(deliveries.body.map((d) => [d.event, d.state, d.attempts.map((a) => a.status_code)]).sort(), [
        ['deployment/finished', 'succeeded', [200]],
        ['deployment/started', 'succeeded', [200]],
      ]);
    });

    it('the audit log holds every mutating request of this test once, and no read', async () => {
      assert.ok(mutations.length >= 12, `the test made its mutating requests (${mutations.length})`);
      type Entry = { at: string; org_id: string; user_id: string; request_method: string; request_path: string; response_status: number };
      const entries: Entry[] = [];
      let next: string | undefined = '/orgs/local/audit-logs?per_page=5';
      while (next !== undefined) {
        const res = await fetch(h.url + next, { headers: { authorization: `Bearer ${h.token}` } });
        assert.equal(res.status, 200);
        const page = (await res.json()) as Entry[];
        assert.ok(page.length <= 5);
        entries.push(...page);
        next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      }
      const at = entries.map((e) => e.at);
      assert.deepEqual(at, [...at].sort().reverse(), 'newest first');
      assert.ok(entries.every((e) => e.org_id === 'local'));
      const key = (e: [string, string, string, number]) => e.join(' ');
      assert.deepEqual(entries.map((e) => key([e.user_id, e.request_method, e.request_path, e.response_status])).sort(), mutations.map(key).sort());
    });
  });
}
