/**
 * `/metrics` after a real deployment through the API, on SQLite and PostgreSQL: the request histogram by route
 * pattern and status, the deployments (gauge and counter) by status, the queue gauges, the driver histogram by
 * driver and the template render histogram, all with the right labels. Also who may scrape, and request ids.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../../src/store/testing.js';
import { api, waitForDeployment } from '../helpers/deploy-scenario.js';
import type { ApiTarget } from '../helpers/deploy-scenario.js';
import { startBatonProcess } from '../helpers/baton-process.js';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';

/** The value of one sample line `name{labels} value`, labels compared as a set; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

for (const dialect of DIALECTS) {
  void describe(`/metrics after a deployment [${dialect}]`, () => {
    let b: InProcessBaton;
    let target: ApiTarget;
    const appId = `metrics-${dialect}`;

    before(async () => {
      b = await startInProcessBaton({ dialect, listen: true });
      target = { url: b.url!, token: b.token };
    });
    after(async () => {
      await b.stop();
    });

    it('holds the request, deployment, queue, driver and template metrics with their labels', async () => {
      const must = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
        const r = await api<T>(target, method, path, body);
        assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
      };
      await must('POST', '/orgs/local/apps', { id: appId, name: appId });
      // A template-driver resource, so the deployment renders a template and calls two kinds of driver.
      await must('POST', '/orgs/local/resources/defs', {
        id: `${appId}-cfg`,
        name: 'config',
        type: 'config',
        driver_type: 'humanitec/template',
        driver_inputs: { values: { templates: { outputs: 'region: {{ "eu" | upper }}' } } },
        criteria: [{ app_id: appId }],
      });
      const delta = await must<{ id: string }>('POST', `/orgs/local/apps/${appId}/deltas`, {
        modules: { add: { api: { profile: 'humanitec/default-module', externals: { cfg: { type: 'config' } }, spec: { containers: { main: { id: 'main', image: 'api:1', variables: { REGION: '${externals.cfg.region}' } } } } } } },
      });
      const deploy = await must<{ id: string }>('POST', `/orgs/local/apps/${appId}/envs/development/deploys`, { delta_id: delta.id });
      const ended = await waitForDeployment(() => [target], appId, deploy.id);
      assert.equal(ended.status, 'succeeded', JSON.stringify(ended.errors));

      const scrape = await fetch(`${target.url}/metrics`, { headers: { authorization: `Bearer ${b.token}` } });
      assert.equal(scrape.status, 200);
      assert.match(scrape.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await scrape.text();

      // Requests: by route pattern (never the raw URL with ids), method and status.
      const created = sample(text, 'baton_http_request_duration_seconds_count', { method: 'POST', route: '/orgs/:orgId/apps/:appId/envs/:envId/deploys', status_code: '201' })
        ?? sample(text, 'baton_http_request_duration_seconds_count', { method: 'POST', route: '/orgs/:orgId/apps/:appId/envs/:envId/deploys', status_code: '200' });
      assert.equal(created, 1, 'one deployment submitted');
      assert.ok((sample(text, 'baton_http_request_duration_seconds_bucket', { method: 'POST', route: '/orgs/:orgId/apps', status_code: '201', le: '+Inf' }) ?? sample(text, 'baton_http_request_duration_seconds_bucket', { method: 'POST', route: '/orgs/:orgId/apps', status_code: '200', le: '+Inf' }) ?? 0) >= 1);
      assert.ok(!text.includes(appId), 'no id of the app in any label');
      // Deployments by status: the database gauge and this worker's counter.
      assert.equal(sample(text, 'baton_deployments', { status: 'succeeded' }), 1);
      assert.equal(sample(text, 'baton_deployments_finished_total', { status: 'succeeded' }), 1);
      // Queue: nothing waits once the deployment ended.
      assert.equal(sample(text, 'baton_queue_depth', { kind: 'deploy' }), 0);
      assert.equal(sample(text, 'baton_queue_oldest_age_seconds', { kind: 'deploy' }), 0);
      // Drivers by driver id and operation; the template renders.
      assert.ok((sample(text, 'baton_driver_duration_seconds_count', { driver: 'humanitec/template', operation: 'provision', outcome: 'ok' }) ?? 0) >= 1, 'template driver timed');
      assert.ok((sample(text, 'baton_template_render_duration_seconds_count', { outcome: 'ok' }) ?? 0) >= 1, 'template render timed');
      assert.match(text, /^# TYPE baton_driver_duration_seconds histogram$/m);
      assert.match(text, /^# TYPE baton_deployments_finished_total counter$/m);
      assert.match(text, /^baton_process_cpu_user_seconds_total /m);
    });

    it('needs a token unless BATON_METRICS_PUBLIC is set', async () => {
      const anonymous = await fetch(`${target.url}/metrics`);
      assert.equal(anonymous.status, 401);
    });

    it('answers with the caller\'s x-request-id when it is safe, a fresh one otherwise', async () => {
      const kept = await fetch(`${target.url}/healthz`, { headers: { 'x-request-id': 'trace-1234.abc:9' } });
      assert.equal(kept.headers.get('x-request-id'), 'trace-1234.abc:9');
      for (const bad of ['a b"c', 'x'.repeat(129), '../../etc/passwd']) {
        const res = await fetch(`${target.url}/healthz`, { headers: { 'x-request-id': bad } });
        const id = res.headers.get('x-request-id') ?? '';
        assert.match(id, /^[0-9a-f-]{36}$/, `replaced ${JSON.stringify(bad)}`);
      }
      const unauthenticated = await fetch(`${target.url}/orgs`, { headers: { 'x-request-id': 'req-42' } });
      assert.equal(unauthenticated.status, 401);
      assert.equal(unauthenticated.headers.get('x-request-id'), 'req-42');
    });
  });
}

void describe('/metrics with BATON_METRICS_PUBLIC=true', () => {
  it('answers without a token', async () => {
    const b = await startInProcessBaton({ env: { BATON_METRICS_PUBLIC: 'true' } });
    try {
      const res = await b.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /# TYPE baton_http_request_duration_seconds histogram/);
    } finally {
      await b.stop();
    }
  });
});

void describe('request ids in the structured log of baton serve', () => {
  it('every line of a request carries reqId: the caller\'s x-request-id, or a UUID when it is unsafe', async () => {
    const p = await startBatonProcess({ env: { BATON_LOG_LEVEL: 'info' } });
    try {
      await fetch(`${p.url}/orgs`, { headers: { authorization: `Bearer ${p.token}`, 'x-request-id': 'trace-77' } });
      await fetch(`${p.url}/orgs`, { headers: { authorization: `Bearer ${p.token}`, 'x-request-id': 'evil"}\\u0000' } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const lines = p.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { reqId?: string; msg?: string });
      const traced = lines.filter((l) => l.reqId === 'trace-77');
      assert.deepEqual(traced.map((l) => l.msg), ['incoming request', 'request completed']);
      assert.ok(!p.output().includes('evil'), 'an unsafe id never reaches the log');
      const uuids = lines.filter((l) => l.msg === 'incoming request' && /^[0-9a-f-]{36}$/.test(l.reqId ?? ''));
      assert.ok(uuids.length >= 1, 'the unsafe id was replaced by a UUID');
    } finally {
      await p.stop();
    }
  });
});
