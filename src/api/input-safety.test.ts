/**
 * Input safety through the real API (issue #14): no dotted path or JSON pointer from a request can reach
 * `Object.prototype` (a polluted prototype once switched authentication off for the whole process).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInProcessBaton, type InProcessBaton } from '../../test/helpers/in-process.js';

void describe('input safety', () => {
  let baton: InProcessBaton;
  let url: string;
  const call = async (method: string, path: string, body?: unknown, token: string | null = baton.token): Promise<{ status: number; body: { message?: string } & Record<string, unknown> }> => {
    const res = await fetch(url + path, {
      method,
      headers: { ...(token !== null ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as { message?: string } };
  };
  const spec = { apiVersion: 'score.dev/v1b1', metadata: { name: 'web' }, containers: { main: { image: 'nginx' } } };

  before(async () => {
    baton = await startInProcessBaton({ listen: true });
    url = baton.url!;
    assert.equal((await call('POST', '/orgs/local/apps', { id: 'victim', name: 'Victim' })).status, 201);
  });
  after(async () => {
    await baton.stop();
  });

  async function assertStillLocked(): Promise<void> {
    assert.equal(({} as Record<string, unknown>).public, undefined, 'Object.prototype is untouched');
    assert.equal((await call('DELETE', '/orgs/local/apps/victim', undefined, null)).status, 401);
    assert.equal((await call('GET', '/orgs/local/apps/victim')).status, 200);
  }

  for (const path of ['__proto__.public', 'constructor.prototype.public', 'containers.main.__proto__.public']) {
    it(`convert-score refuses property_overrides ${path} with a 400 naming the path, and authentication stays on`, async () => {
      const res = await call('POST', '/orgs/local/artefact-versions/convert-score', { spec, property_overrides: { [path]: true } });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.ok(res.body.message?.includes(path), res.body.message);
      await assertStillLocked();
    });
  }

  it('convert-score refuses overrides documents with a constructor key', async () => {
    const res = await call('POST', '/orgs/local/artefact-versions/convert-score', { spec, overrides: { constructor: { prototype: { public: true } } } });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    await assertStillLocked();
  });

  for (const path of ['/__proto__/public', '/spec/constructor/prototype/public', '/spec/prototype']) {
    it(`applying a delta whose JSON-patch path is ${path} is a 400 naming the path, and authentication stays on`, async () => {
      const base = await call('POST', '/orgs/local/apps/victim/sets/0', { modules: { add: { web: { profile: 'humanitec/default-module', spec: { containers: {} } } } } });
      assert.equal(base.status, 200, JSON.stringify(base.body));
      const setId = base.body as unknown as string;
      const updated = await call('POST', `/orgs/local/apps/victim/sets/${setId}`, { modules: { update: { web: [{ op: 'add', path, value: true }] } } });
      assert.equal(updated.status, 400, JSON.stringify(updated.body));
      assert.ok(updated.body.message?.includes(JSON.stringify(path)), updated.body.message);
      const moved = await call('POST', `/orgs/local/apps/victim/sets/${setId}`, { modules: { update: { web: [{ op: 'copy', from: path, path: '/spec/x' }] } } });
      assert.equal(moved.status, 400, JSON.stringify(moved.body));
      const shared = await call('POST', `/orgs/local/apps/victim/sets/${setId}`, { shared: [{ op: 'add', path, value: { type: 'x' } }] });
      assert.equal(shared.status, 400, JSON.stringify(shared.body));
      await assertStillLocked();
    });
  }
});

void describe('input depth and YAML alias limits', () => {
  let baton: InProcessBaton;
  const send = async (method: string, path: string, body: string, contentType = 'application/json'): Promise<{ status: number; body: { message?: string; error?: string } }> => {
    const res = await fetch(baton.url! + path, { method, headers: { authorization: `Bearer ${baton.token}`, 'content-type': contentType }, body });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as { message?: string } };
  };
  const nested = (depth: number, leaf = '1'): string => '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);

  before(async () => {
    baton = await startInProcessBaton({ listen: true });
  });
  after(async () => {
    await baton.stop();
  });

  it('JSON bodies nested 10k deep are a 400 naming the limit on every route family, never a 500', async () => {
    const deep = nested(10_000);
    const spec = (inner: string) => `{"spec":{"apiVersion":"score.dev/v1b1","metadata":{"name":"w"},"containers":{"main":{"image":"x","variables":${inner}}}}}`;
    const cases: Array<[string, string, string]> = [
      ['POST', '/orgs/local/artefact-versions/convert-score', spec(deep)],
      ['POST', '/orgs/local/artefact-versions/convert-score', `{"spec":{"apiVersion":"score.dev/v1b1","metadata":{"name":"w"},"containers":{}},"overrides":${deep}}`],
      ['POST', '/orgs/local/resources/defs', `{"id":"d","name":"d","type":"config","driver_type":"humanitec/echo","driver_inputs":{"secrets":${deep}}}`],
      ['POST', '/orgs/local/workload-profiles', `{"id":"p","baton_template":"x","spec_schema":${deep}}`],
      ['POST', '/orgs/local/apps', deep],
    ];
    for (const [method, path, body] of cases) {
      const res = await send(method, path, body);
      assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
      assert.match(res.body.message ?? '', /nested more than 64 levels deep/);
    }
    // 64 levels are fine as far as the parser is concerned (the route may still refuse the content)
    assert.notEqual((await send('POST', '/orgs/local/artefact-versions/convert-score', spec(nested(60, '"x"')))).status, 500);
  });

  it('a YAML alias bomb on /baton/definitions/import is a 400, not a 500', async () => {
    const lol = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [i, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) {
      const prev = i === 0 ? 'a' : ['b', 'c', 'd', 'e', 'f', 'g', 'h'][i - 1]!;
      lol.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const manifest = `apiVersion: entity.humanitec.io/v1b1\nkind: Definition\nmetadata:\n  id: bomb\nentity:\n  name: bomb\n  type: config\n  driver_type: humanitec/echo\n  driver_inputs:\n    values:\n${lol.map((l) => `      ${l}`).join('\n')}\n`;
    const res = await send('POST', '/orgs/local/baton/definitions/import', manifest, 'application/yaml');
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match(res.body.message ?? '', /alias/i);
    const deepYaml = `apiVersion: entity.humanitec.io/v1b1\nkind: Definition\nmetadata:\n  id: deep\nentity:\n  name: deep\n  type: config\n  driver_type: humanitec/echo\n  driver_inputs:\n    values:\n      v: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
    const deepRes = await send('POST', '/orgs/local/baton/definitions/import', deepYaml, 'application/yaml');
    assert.equal(deepRes.status, 400, JSON.stringify(deepRes.body));
  });
});

void describe('regular expressions from users', () => {
  let baton: InProcessBaton;
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: { message?: string } & Record<string, unknown> }> => {
    const res = await fetch(baton.url! + path, {
      method,
      headers: { authorization: `Bearer ${baton.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as { message?: string } };
  };
  const template = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .id }}\n';

  before(async () => {
    baton = await startInProcessBaton({ listen: true });
  });
  after(async () => {
    await baton.stop();
  });

  // The protection is the refusal at creation: a pattern that could backtrack exponentially is never stored, so it
  // never runs. No clock here: against the refused pattern a hostile string would hang the event loop (no assertion
  // after it could run), and against a safe one validation is trivially fast, so timing it proves nothing.
  it('a workload profile spec_schema with pattern ^(a+)+$ is refused with a 400 naming the pattern and not stored; a safe pattern is accepted and enforced', async () => {
    const evil = { type: 'object', properties: { name: { type: 'string', pattern: '^(a+)+$' } } };
    const refused = await call('POST', '/orgs/local/workload-profiles', { id: 'redos', baton_template: template, spec_schema: evil });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.ok(refused.body.message?.includes('"^(a+)+$"'), refused.body.message);
    assert.match(refused.body.message ?? '', /spec_schema/);
    assert.equal((await call('GET', '/orgs/local/workload-profiles/local%2Fredos')).status, 404, 'the refused profile is not stored');

    const safe = { type: 'object', properties: { name: { type: 'string', pattern: '^[a-z]+$' } } };
    assert.equal((await call('POST', '/orgs/local/workload-profiles', { id: 'named', baton_template: template, spec_schema: safe })).status, 201);
    assert.equal((await call('GET', '/orgs/local/workload-profiles/local%2Fnamed')).status, 200, 'a stored profile is found at this path');
    const validate = (name: string) => call('POST', '/orgs/local/baton/workload-profiles/local%2Fnamed/validate', { spec: { name } });
    // the string that would make ^(a+)+$ backtrack 2^32 times is simply invalid under the safe pattern
    const hostile = await validate('a'.repeat(32) + '!');
    assert.equal(hostile.status, 200, JSON.stringify(hostile.body));
    assert.equal(hostile.body.valid, false, JSON.stringify(hostile.body));
    assert.deepEqual((hostile.body.issues as { path: string }[]).map((i) => i.path), ['/spec/name']);
    const fine = await validate('a'.repeat(32));
    assert.equal(fine.status, 200, JSON.stringify(fine.body));
    assert.equal(fine.body.valid, true, JSON.stringify(fine.body));
  });

  it('a custom resource type whose outputs schema has a nested-quantifier pattern is refused with a 400 naming it', async () => {
    const refused = await call('POST', '/orgs/local/resources/types', {
      type: 'local/redos',
      name: 'redos',
      use: 'direct',
      outputs_schema: { values: { type: 'object', properties: { host: { type: 'string', pattern: '(x+x+)+y' } } } },
    });
    assert.equal(refused.status, 400, JSON.stringify(refused.body));
    assert.ok(refused.body.message?.includes('"(x+x+)+y"'), refused.body.message);
  });
});
