import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { it } from 'node:test';
import { createAuditRepo, createRuleRunsRepo } from './audit-repo.js';
import type { AuditLogRow } from './audit-repo.js';
import { forEachDialect } from './testing.js';

const id = () => randomBytes(6).toString('hex');

function entry(orgId: string, at: string, path: string): AuditLogRow {
  return { org_id: orgId, id: id(), at, user_id: 'u1', request_method: 'POST', request_path: path, response_status: 201 };
}

forEachDialect('audit log store', (getStore) => {
  it('lists an org\'s entries newest first, in pages that follow each other without gaps or repeats', async () => {
    const repo = createAuditRepo(getStore().db);
    const org = `org-${id()}`;
    // Seven entries, three of them at the same instant (the id breaks the tie).
    const times = ['2026-01-01T00:00:01.000Z', '2026-01-01T00:00:02.000Z', '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:04.000Z', '2026-01-01T00:00:05.000Z'];
    const rows = times.map((at, i) => entry(org, at, `/orgs/${org}/apps/a${i}`));
    await repo.insert(rows);
    await repo.insert([entry(`other-${id()}`, '2026-01-01T00:00:03.000Z', '/orgs/other/apps/x')]);
    const seen: AuditLogRow[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await repo.list(org, {}, { limit: 3, token });
      assert.ok(page.items.length <= 3);
      seen.push(...page.items);
      token = page.nextToken;
      pages++;
    } while (token !== undefined);
    assert.equal(pages, 3);
    const expected = [...rows].sort((a, b) => (a.at === b.at ? b.id.localeCompare(a.id) : b.at.localeCompare(a.at)));
    assert.deepEqual(seen.map((r) => r.id), expected.map((r) => r.id), 'newest first, ties by id, no entry twice or missing, no other org');
    assert.deepEqual(seen[0], { ...expected[0], response_status: 201 });
    assert.equal(typeof seen[0]?.response_status, 'number');
  });

  it('filters by from and to, both inclusive', async () => {
    const repo = createAuditRepo(getStore().db);
    const org = `org-${id()}`;
    await repo.insert(['2026-02-01T00:00:00.000Z', '2026-02-02T00:00:00.000Z', '2026-02-03T00:00:00.000Z', '2026-02-04T00:00:00.000Z'].map((at) => entry(org, at, `/orgs/${org}/x`)));
    const page = await repo.list(org, { from: '2026-02-02T00:00:00.000Z', to: '2026-02-03T00:00:00.000Z' }, { limit: 50 });
    assert.deepEqual(page.items.map((r) => r.at), ['2026-02-03T00:00:00.000Z', '2026-02-02T00:00:00.000Z']);
    assert.equal(page.nextToken, undefined);
    assert.deepEqual((await repo.list(org, { from: '2026-02-05T00:00:00.000Z' }, { limit: 50 })).items, []);
  });

  it('completes an entry written ahead with its status, or removes it, touching no other entry', async () => {
    const repo = createAuditRepo(getStore().db);
    const org = `org-${id()}`;
    const [kept, dropped, other] = ['/a', '/b', '/c'].map((path) => ({ ...entry(org, '2026-03-01T00:00:00.000Z', path), response_status: 0 }));
    await repo.insert([kept!, dropped!, other!]);
    await repo.setStatus([{ org_id: org, id: kept!.id }], 204);
    await repo.remove([{ org_id: org, id: dropped!.id }]);
    const statuses = Object.fromEntries((await repo.list(org, {}, { limit: 50 })).items.map((r) => [r.request_path, r.response_status]));
    assert.deepEqual(statuses, { '/a': 204, '/c': 0 });
  });

  it('records a rule run once per rule and version: a second insert fails, insertIfAbsent keeps the first', async () => {
    const runs = createRuleRunsRepo(getStore().db);
    const org = `org-${id()}`;
    const run = { org_id: org, version_id: 'v1', rule_id: 'r1', app_id: 'shop', env_id: 'development', outcome: 'deployed', deploy_id: 'd1', reason: 'Auto-deployment by rule r1', at: '2026-01-01T00:00:00.000Z' };
    await runs.insert(run);
    await assert.rejects(runs.insert({ ...run, deploy_id: 'd2' }));
    await runs.insertIfAbsent({ ...run, outcome: 'skipped', deploy_id: null, reason: 'again' });
    assert.deepEqual(await runs.get(org, 'v1', 'r1'), run);
    await runs.insert({ ...run, version_id: 'v2', outcome: 'skipped', deploy_id: null, reason: 'its creator may no longer deploy', at: '2026-01-02T00:00:00.000Z' });
    assert.deepEqual((await runs.listForRule(org, 'shop', 'development', 'r1', 10)).map((r) => [r.version_id, r.outcome]), [['v2', 'skipped'], ['v1', 'deployed']]);
    assert.deepEqual(await runs.listForRule(org, 'shop', 'staging', 'r1', 10), []);
  });
});
