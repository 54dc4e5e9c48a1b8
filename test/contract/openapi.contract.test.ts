import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';

let baton: InProcessBaton;
before(async () => {
  baton = await startInProcessBaton();
});
after(() => baton.stop());

it('GET /openapi.json is public and a valid OpenAPI 3 document', async () => {
  const res = await baton.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json();
  assert.match(doc.openapi, /^3\./);
  await SwaggerParser.validate(structuredClone(doc));
});

it('lists every registered route (except itself and the web UI\'s static files) with its method', async () => {
  const doc = (await baton.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>();
  // Hidden on purpose: the 501 answers for unserved Humanitec operations (src/api/compatibility.ts) and the UI's files.
  const routes = baton.app.registeredRoutes.filter((r) => r.url !== '/openapi.json' && r.hidden !== true && r.url !== '/' && r.url !== '/ui' && !r.url.startsWith('/ui/'));
  assert.ok(routes.length >= 15, `expected the core routes, got ${routes.length}`);
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    assert.ok(doc.paths[path], `OpenAPI document lacks path ${path}`);
    assert.ok(doc.paths[path][route.method.toLowerCase()], `OpenAPI document lacks ${route.method} ${path}`);
  }
  for (const required of ['/orgs', '/orgs/{orgId}', '/current-user', '/orgs/{orgId}/apps/{appId}/envs/{envId}', '/orgs/{orgId}/env-types/{envTypeId}']) {
    assert.ok(doc.paths[required], `missing ${required}`);
  }
});
