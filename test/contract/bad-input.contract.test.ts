/** Hand-fed bad input: every answer is a 4xx with a Humanitec error body, never a 5xx or a stack trace. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';

describe('bad input never yields a 5xx', () => {
  let baton: InProcessBaton;
  before(async () => {
    baton = await startInProcessBaton();
    await baton.app.inject({ method: 'POST', url: '/orgs/local/apps', headers: baton.authHeaders, payload: { id: 'app', name: 'App' } });
  });
  after(() => baton.stop());

  const send = (method: 'POST' | 'PATCH', url: string, body: string, contentType = 'application/json') =>
    baton.app.inject({ method, url, headers: { ...baton.authHeaders, 'content-type': contentType }, payload: body });

  function assertClientError(res: { statusCode: number; body: string }, expected?: number) {
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `got ${res.statusCode}: ${res.body}`);
    if (expected !== undefined) assert.equal(res.statusCode, expected, res.body);
    const body = JSON.parse(res.body) as { error: unknown; message: unknown; stack?: unknown };
    assert.equal(typeof body.error, 'string');
    assert.equal(typeof body.message, 'string');
    assert.equal(body.stack, undefined);
    assert.doesNotMatch(res.body, /at .*\.ts:\d+/);
  }

  const writeRoutes: Array<['POST' | 'PATCH', string]> = [
    ['POST', '/orgs/local/apps'],
    ['POST', '/orgs/local/apps/app/envs'],
    ['PATCH', '/orgs/local/apps/app/envs/development'],
    ['PATCH', '/orgs/local/apps/app'],
    ['POST', '/orgs/local/env-types'],
    ['PATCH', '/orgs/local/env-types/development'],
  ];

  it('malformed JSON is a 400', async () => {
    for (const [method, url] of writeRoutes) {
      for (const body of ['{', '{"id": ', 'not json', '[1,2', '']) assertClientError(await send(method, url, body), 400);
    }
  });

  it('wrong types are a 400 that names the field', async () => {
    const res = await send('POST', '/orgs/local/apps', JSON.stringify({ id: 123, name: 'x' }));
    assertClientError(res, 400);
    assert.match(JSON.parse(res.body).message, /\bid\b/);
    assertClientError(await send('POST', '/orgs/local/apps', JSON.stringify({ id: 'ok', name: ['x'] })), 400);
    assertClientError(await send('POST', '/orgs/local/apps', JSON.stringify([{ id: 'ok', name: 'x' }])), 400);
    assertClientError(await send('POST', '/orgs/local/apps', JSON.stringify({ id: 'ok2', name: 'x', skip_environment_creation: 'yes' })), 400);
  });

  it('overlong and malformed ids are a 400 naming the field', async () => {
    const long = 'a'.repeat(51);
    for (const [url, body, field] of [
      ['/orgs/local/apps', { id: long, name: 'x' }, 'id'],
      ['/orgs/local/apps', { id: 'ok3', name: 'x', env: { id: long, name: 'e', type: 'development' } }, 'env.id'],
      ['/orgs/local/apps/app/envs', { id: '-bad', name: 'x' }, 'id'],
      ['/orgs/local/env-types', { id: 'UPPER' }, 'id'],
    ] as const) {
      const res = await send('POST', url, JSON.stringify(body));
      assertClientError(res, 400);
      assert.equal(JSON.parse(res.body).details.field, field);
    }
    // An overlong id in the path is a 4xx too (400 from the bound, or 404).
    assertClientError(await baton.app.inject({ method: 'GET', url: `/orgs/local/apps/${'x'.repeat(5000)}`, headers: baton.authHeaders }));
  });

  it('unknown fields are rejected where the schema forbids them', async () => {
    const res = await send('POST', '/orgs/local/apps', JSON.stringify({ id: 'extra', name: 'x', colour: 'blue' }));
    assertClientError(res, 400);
    assert.match(JSON.parse(res.body).message, /colour/);
    assertClientError(await send('POST', '/orgs/local/env-types', JSON.stringify({ id: 'qa2', descr: 'typo' })), 400);
  });

  it('a wrong content type is a 4xx', async () => {
    assertClientError(await send('POST', '/orgs/local/apps', 'id=x', 'application/x-www-form-urlencoded'));
  });

  it('arbitrary JSON bodies on every write route never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writeRoutes), fc.jsonValue(), async ([method, url], value) => {
        const res = await send(method, url, JSON.stringify(value));
        assert.ok(res.statusCode < 500, `${method} ${url} ${JSON.stringify(value)} → ${res.statusCode}: ${res.body}`);
      }),
      { numRuns: 150 },
    );
  });
});
