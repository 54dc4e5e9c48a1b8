import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deployIdsNewestFirst, resourceUsage, resourceUsageFromServer } from './resource-usage.js';

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

  it("gives a server's usage rows (deploys_ago counted by Baton) the same rows as the per-environment listings", () => {
    const resources = [
      { app_id: 'shop', env_id: 'dev', type: 'redis', class: 'large', res_id: 'shared.cache', def_id: 'redis', gu_res_id: 'g1', deploy_id: 'd1', status: 'active', orphaned: true },
      { app_id: 'blog', env_id: 'dev', type: 'dns', class: '', res_id: 'shared.dns', def_id: 'dns', gu_res_id: 'g2', deploy_id: 'gone', status: 'active', orphaned: false },
      { app_id: 'shop', env_id: 'dev', type: 'dns', class: 'default', res_id: 'shared.dns', def_id: 'dns', gu_res_id: 'g3', deploy_id: 'd3', status: 'active', orphaned: false },
    ];
    const fromListings = resourceUsage(resources, (app) => (app === 'shop' ? deploys : []));
    const agoOf = (r: (typeof resources)[number]) => (r.app_id === 'shop' ? deploys.indexOf(r.deploy_id) : -1);
    const fromServer = resourceUsageFromServer(resources.map((r) => ({ ...r, deploys_ago: agoOf(r) < 0 ? null : agoOf(r) })));
    assert.deepEqual(fromServer, fromListings);
    assert.equal(fromServer.find((r) => r.gu_res_id === 'g1')?.usage, '2 deploys ago, orphaned');
    assert.equal(resourceUsageFromServer([{ ...resources[0], deploys_ago: -1 }])[0]?.usage, 'unknown deploy, orphaned', 'a count that is not one is unknown');
  });
});
