import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deployIdsNewestFirst, resourceUsage } from './resource-usage.js';

describe('active resource usage (resources active-resource-usage)', () => {
  const deploys = deployIdsNewestFirst([
    { id: 'd1', created_at: '2026-01-01T00:00:00Z' },
    { id: 'd3', created_at: '2026-01-03T00:00:00Z' },
    { id: 'd2', created_at: '2026-01-02T00:00:00Z' },
  ]);

  it('orders deployments newest first', () => assert.deepEqual(deploys, ['d3', 'd2', 'd1']));

  it('says how many deployments ago each resource was last provisioned, orphans marked; sorted by app, env, type', () => {
    const rows = resourceUsage(
      [
        { app_id: 'shop', env_id: 'dev', type: 'postgres', class: 'default', res_id: 'modules.api.externals.db', def_id: 'pg', deploy_id: 'd2', status: 'active', orphaned: false },
        { app_id: 'shop', env_id: 'dev', type: 'dns', class: '', res_id: 'shared.dns', def_id: 'dns', deploy_id: 'd3', status: 'active' },
        { app_id: 'shop', env_id: 'dev', type: 'redis', class: 'large', res_id: 'shared.cache', def_id: 'redis', deploy_id: 'd1', status: 'active', orphaned: true },
        { app_id: 'blog', env_id: 'dev', type: 'dns', class: 'default', res_id: 'shared.dns', def_id: 'dns', deploy_id: 'gone', status: 'active' },
      ],
      (app) => (app === 'shop' ? deploys : []),
    );
    assert.deepEqual(
      rows.map((r) => [r.app_id, r.type, r.class, r.def_id, r.usage, r.deploys_ago]),
      [
        ['blog', 'dns', 'default', 'dns', 'unknown deploy', null],
        ['shop', 'dns', 'default', 'dns', 'latest deploy', 0],
        ['shop', 'postgres', 'default', 'pg', '1 deploy ago', 1],
        ['shop', 'redis', 'large', 'redis', '2 deploys ago, orphaned', 2],
      ],
    );
  });
});
