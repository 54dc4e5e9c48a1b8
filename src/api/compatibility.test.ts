/**
 * Path coverage of Humanitec's API: every operation of its OpenAPI document (the list in
 * test/fixtures/humanitec-openapi) is either served by a Baton route (it is in Baton's own OpenAPI document) or
 * listed in src/api/compatibility.ts with a decision and a reason, and then answers 501 with that reason. No
 * operation is both, none is neither, and docs/compatibility.md shows the table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton } from '../../test/helpers/in-process.js';
import type { InProcessBaton } from '../../test/helpers/in-process.js';
import { UNSERVED_OPERATIONS, renderUnservedTable } from './compatibility.js';

interface Operation {
  method: string;
  path: string;
}

const humanitec = JSON.parse(readFileSync(new URL('../../test/fixtures/humanitec-openapi/operations.json', import.meta.url), 'utf8')) as { operations: Operation[] };
const shape = (path: string): string => path.replace(/\{[^}]+\}/g, '{}');
const key = (o: Operation): string => `${o.method.toUpperCase()} ${shape(o.path)}`;

describe("Humanitec API path coverage", () => {
  let baton: InProcessBaton;
  let served: Set<string>;
  before(async () => {
    baton = await startInProcessBaton();
    const doc = (await baton.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
    served = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => key({ method, path }))));
  });
  after(() => baton.stop());

  it('every operation of the document is served or listed with a reason, never both, never neither', (t) => {
    const unserved = new Set(UNSERVED_OPERATIONS.map(key));
    const neither = humanitec.operations.filter((o) => !served.has(key(o)) && !unserved.has(key(o))).map(key);
    const both = humanitec.operations.filter((o) => served.has(key(o)) && unserved.has(key(o))).map(key);
    assert.deepEqual(neither, [], 'operations Baton neither serves nor explains');
    assert.deepEqual(both, [], 'operations listed as unserved that a route serves');
    const stale = UNSERVED_OPERATIONS.filter((o) => !humanitec.operations.some((h) => key(h) === key(o))).map(key);
    assert.deepEqual(stale, [], 'listed operations that are not in the document');
    t.diagnostic(`${humanitec.operations.length - unserved.size} of ${humanitec.operations.length} operations served, ${unserved.size} answer 501 with a reason`);
  });

  it('each unserved operation answers 501 naming itself and why, to an org member', async () => {
    for (const operation of UNSERVED_OPERATIONS) {
      const url = operation.path.replace('{orgId}', baton.org).replace(/\{[^}]+\}/g, 'x');
      const response = await baton.app.inject({ method: operation.method as 'GET', url, headers: baton.authHeaders, ...(operation.method === 'GET' || operation.method === 'DELETE' ? {} : { payload: {} }) });
      assert.equal(response.statusCode, 501, `${operation.method} ${url}: ${response.body}`);
      const body = response.json<{ error: string; message: string }>();
      assert.equal(body.error, 'NOT_IMPLEMENTED');
      assert.ok(body.message.includes(`${operation.method} ${operation.path}`) && body.message.includes(operation.family.reason), body.message);
    }
  });

  it('an org the caller does not belong to stays 404 on unserved operations too (no existence leak)', async () => {
    const response = await baton.app.inject({ method: 'GET', url: '/orgs/someone-else/groups/x/users', headers: baton.authHeaders });
    assert.equal(response.statusCode, 404, response.body);
  });

  it('docs/compatibility.md shows the table of unserved operations as the code has it', () => {
    const doc = readFileSync(new URL('../../docs/compatibility.md', import.meta.url), 'utf8');
    const match = /<!-- unserved-operations:start -->\n([\s\S]*?)\n<!-- unserved-operations:end -->/.exec(doc);
    assert.ok(match, 'docs/compatibility.md lacks the unserved-operations markers');
    assert.equal(match[1], renderUnservedTable());
  });
});
