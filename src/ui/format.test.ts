import assert from 'node:assert/strict';
import { it } from 'node:test';
import { age, duration, runtimeRows, statusTone } from './format.js';

it('shows ages and durations in the largest sensible unit', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  assert.equal(age('2026-01-01T11:59:30Z', now), '30s ago');
  assert.equal(age('2026-01-01T11:00:00Z', now), '1h ago');
  assert.equal(age('2025-12-29T12:00:00Z', now), '3d ago');
  assert.equal(duration('2026-01-01T12:00:00Z', '2026-01-01T12:00:00.250Z'), '250 ms');
  assert.equal(duration('2026-01-01T12:00:00Z', '2026-01-01T12:01:30Z'), '1m 30s');
  assert.equal(duration('2026-01-01T12:00:00Z', undefined), '');
});

it('colours deployment and resource statuses', () => {
  assert.equal(statusTone('succeeded'), 'ok');
  assert.equal(statusTone('failed'), 'bad');
  assert.equal(statusTone('in progress'), 'busy');
  assert.equal(statusTone(undefined), 'none');
});

it('turns the local runtime answer into one row per workload with its pod, container states and URLs', () => {
  const modules = {
    web: {
      profile: 'humanitec/default-module',
      spec: {},
      externals: { ports: [{ name: 'www', protocol: 'tcp', hostPort: 27431 }, { name: 'dns', protocol: 'udp', hostPort: 27432 }] },
      web: { kind: 'Pod', status: 'Success', pods: [{ podName: 'baton-shop-dev-web', status: 'Running', containerStatuses: [{ name: 'httpd', state: { running: {} } }, { name: 'side', state: { terminated: { exitCode: 1 } } }] }] },
    },
    api: { profile: 'x', spec: {}, externals: { ports: [] }, api: { kind: 'Pod', status: 'Pending', pods: [] } },
  };
  assert.deepEqual(runtimeRows(modules), [
    { workload: 'api', pod: '', status: 'Pending', containers: '', urls: [] },
    { workload: 'web', pod: 'baton-shop-dev-web', status: 'Running', containers: 'httpd: running, side: terminated', urls: ['http://127.0.0.1:27431'] },
  ]);
  assert.deepEqual(runtimeRows({}), []);
});
