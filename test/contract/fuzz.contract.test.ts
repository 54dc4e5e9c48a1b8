/**
 * Fuzzing every route family of the OpenAPI document (`GET /openapi.json` of an in-process Baton) with malformed
 * bodies, ids, headers and query strings (fast-check, fixed seed): never a 5xx, never a hang (each request is
 * bounded), every 4xx carries Humanitec's error body (`{error, message}`), and a refused request changes no row
 * (a digest of every table before and after each refused write).
 *
 * Bounds: nesting stays at fast-check's default depth (deep-nesting limits are tested where they are enforced), and
 * the streaming `…/baton/logs?follow=true` is not asked to follow (it answers until the deployment ends, by design).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Operation {
  method: Method;
  path: string;
  params: string[];
  query: string[];
  hasBody: boolean;
  /** The JSON request body schema, when the document gives one. */
  bodySchema?: Schema;
}

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  additionalProperties?: boolean | Schema;
  minimum?: number;
  maximum?: number;
}

/**
 * Bodies shaped by the operation's schema (so that some get past validation and reach the handlers), each field
 * swapped for arbitrary JSON now and then, and unknown fields added.
 */
function fromSchema(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const wild = fc.jsonValue({ maxDepth: 2 });
  if (schema === undefined || depth > 4) return wild;
  const shaped = ((): fc.Arbitrary<unknown> => {
    if (schema.const !== undefined) return fc.constant(schema.const);
    if (schema.enum !== undefined && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
    const variants = schema.anyOf ?? schema.oneOf;
    if (variants !== undefined && variants.length > 0) return fc.oneof(...variants.map((v) => fromSchema(v, depth + 1)));
    const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
    switch (type) {
      case 'string':
        return fc.oneof(fc.constantFrom('fuzz-a', 'fuzz-b', 'app', 'development', 'config', 'humanitec/echo', 'local/x'), fc.string({ maxLength: 12 }));
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -5, max: Math.min(schema.maximum ?? 100, 100) });
      case 'number':
        return fc.double({ noNaN: true, min: -5, max: 100 });
      case 'boolean':
        return fc.boolean();
      case 'null':
        return fc.constant(null);
      case 'array':
        return fc.array(fromSchema(schema.items, depth + 1), { maxLength: 2 });
      case 'object':
      case undefined: {
        const properties = schema.properties ?? {};
        const keys = Object.keys(properties);
        if (keys.length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), wild, { maxKeys: 3 });
        const record = fc.record(Object.fromEntries(keys.map((k) => [k, fromSchema(properties[k], depth + 1)])), { requiredKeys: schema.required?.filter((k) => keys.includes(k)) ?? [] });
        return fc.tuple(record, fc.option(fc.tuple(fc.string({ maxLength: 8 }), wild), { freq: 4 })).map(([r, extra]) => (extra === null ? r : { ...r, [extra[0]]: extra[1] }));
      }
      default:
        return wild;
    }
  })();
  return fc.oneof({ arbitrary: shaped, weight: 12 }, { arbitrary: wild, weight: 1 });
}

const SEED = 20261201;
const REQUEST_TIMEOUT_MS = 5_000;
/** Ids of things the seed creates, so that fuzzed requests also reach handlers past the 404s. */
const KNOWN: Record<string, string> = { orgId: 'local', appId: 'app', envId: 'development', envTypeId: 'development', userId: 'admin' };

const malformedId = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('..', '.', '%', '%00', '%2F', '%ZZ', ' ', 'a'.repeat(5_000), '__proto__', 'constructor', "'; drop table apps; --", '${context.app.id}', '{{ . }}', '-', 'UPPER', '0'),
);

describe('fuzzing every route of the OpenAPI document', { timeout: 110_000 }, () => {
  let baton: InProcessBaton;
  let operations: Operation[] = [];

  before(async () => {
    // About one request in six carries a wrong token, all from one address: with the failed-authentication limit
    // on, the run would soon be all 429s. The limit has its own tests (src/api/auth-rate-limit.test.ts, token routes).
    baton = await startInProcessBaton({ env: { BATON_AUTH_FAILURE_LIMIT: '0' } });
    // No deployment runs behind the test's back: every row change comes from a request.
    await baton.baton.engine.stop();
    const created = await baton.app.inject({ method: 'POST', url: '/orgs/local/apps', headers: baton.authHeaders, payload: { id: 'app', name: 'App' } });
    assert.equal(created.statusCode, 201, created.body);
    const doc = (await baton.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
    }>();
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const parameters = op.parameters ?? [];
        operations.push({
          method: method.toUpperCase() as Method,
          path,
          params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!),
          query: parameters.filter((p) => p.in === 'query' && p.name !== 'follow').map((p) => p.name),
          hasBody: op.requestBody !== undefined || ['post', 'put', 'patch'].includes(method),
          ...(op.requestBody?.content?.['application/json']?.schema !== undefined ? { bodySchema: op.requestBody.content['application/json'].schema } : {}),
        });
      }
    }
    operations = operations.filter((o) => o.path !== '/openapi.json');
  });
  after(() => baton.stop());

  /** Every row of every table, hashed (the store is SQLite here). */
  async function digest(): Promise<string> {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(baton.store.db);
    const hash = createHash('sha256');
    for (const { name } of tables.rows) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(name)} order by 1`.execute(baton.store.db);
      hash.update(name);
      for (const row of rows.rows) hash.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : Buffer.isBuffer(v) ? v.toString('hex') : v)));
    }
    return hash.digest('hex');
  }

  async function send(request: { method: Method; url: string; headers: Record<string, string>; payload?: string }): Promise<{ statusCode: number; body: string }> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms: ${request.method} ${request.url.slice(0, 200)}`)), REQUEST_TIMEOUT_MS);
    });
    try {
      const res = await Promise.race([baton.app.inject({ method: request.method, url: request.url, headers: request.headers, ...(request.payload !== undefined ? { payload: request.payload } : {}) }), timeout]);
      return { statusCode: res.statusCode, body: res.body };
    } finally {
      clearTimeout(timer);
    }
  }

  function assertAnswer(what: string, res: { statusCode: number; body: string }): void {
    assert.ok(res.statusCode < 500, `${what} → ${res.statusCode}: ${res.body.slice(0, 500)}`);
    if (res.statusCode >= 400) {
      let body: { error?: unknown; message?: unknown; stack?: unknown };
      try {
        body = JSON.parse(res.body) as typeof body;
      } catch {
        assert.fail(`${what} → ${res.statusCode} without a JSON error body: ${res.body.slice(0, 200)}`);
      }
      assert.equal(typeof body.error, 'string', `${what} → ${res.statusCode}: ${res.body.slice(0, 300)}`);
      assert.equal(typeof body.message, 'string', `${what} → ${res.statusCode}: ${res.body.slice(0, 300)}`);
      assert.equal(body.stack, undefined);
    }
  }

  /** Plausible bodies (valid for some routes), fields then broken one at a time by the record generator below. */
  const plausible = fc
    .record({
      id: fc.oneof(fc.constantFrom('fuzz-a', 'fuzz-b', 'development', 'app'), malformedId),
      name: fc.oneof(fc.constant('Fuzz'), fc.integer()),
      type: fc.constantFrom('config', 'development', 'postgres', 'nope', 'k8s-cluster'),
      driver_type: fc.constantFrom('humanitec/echo', 'humanitec/template', 'x/y', ''),
      driver_inputs: fc.constantFrom({ values: {} }, { values: { baton_timeout_seconds: -1 } }, { secrets: { a: 'b' }, secret_refs: {} }, 'x'),
      modules: fc.constantFrom({}, { add: { web: { profile: 'humanitec/default-module', spec: { containers: { main: { id: 'main', image: 'nginx' } } } } } }, { add: 1 }),
      value: fc.oneof(fc.string({ maxLength: 20 }), fc.integer()),
      description: fc.string({ maxLength: 20 }),
      is_secret: fc.boolean(),
      target: fc.constantFrom('http://127.0.0.1:1/', 'not a url', 'file:///etc/passwd'),
      criteria: fc.constantFrom([], [{ app_id: 'app' }], [{ class: 5 }], 'x'),
    }, { requiredKeys: [] })
    .map((v) => JSON.stringify(v));
  const body = fc.oneof(
    plausible,
    plausible,
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.record({ id: malformedId, name: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) }).map((v) => JSON.stringify(v)),
    fc.constantFrom('{', '{"id": ', 'not json', '[1,2', '', 'null', '"x"', '{"__proto__": {"public": true}}', '{"constructor": {"prototype": {"x": 1}}}', `{"a":"${'x'.repeat(200_000)}"}`),
    fc.string({ maxLength: 200 }),
  );
  const contentType = fc.oneof(
    { arbitrary: fc.constant('application/json'), weight: 8 },
    fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/x-yaml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', '', '*/*', 'application/json; charset=nope'),
  );
  const queryValue = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('-1', '0', '99999999999999999999', 'true', 'yes', '', '%', 'a'.repeat(3_000)));

  it('the row digest sees a write (so the no-change check below can fail)', async () => {
    const before = await digest();
    const res = await send({ method: 'POST', url: '/orgs/local/apps', headers: { ...baton.authHeaders, 'content-type': 'application/json' }, payload: '{"id":"digest-probe","name":"probe"}' });
    assert.equal(res.statusCode, 201, res.body);
    assert.notEqual(await digest(), before);
  });

  it('never a 5xx, never a hang, every 4xx with {error, message}, refused requests change no row', async () => {
    const request = fc
      .constantFrom(...operations)
      .chain((op) => fc.record({
        op: fc.constant(op),
        shaped: fc.option(fromSchema(op.bodySchema).map((v) => JSON.stringify(v)), { freq: 3, nil: undefined }),
        ids: fc.dictionary(fc.constantFrom('orgId', 'appId', 'envId', 'deployId', 'defId', 'typeId'), fc.oneof(malformedId, fc.constant(undefined)), { maxKeys: 6 }),
        malformIds: fc.oneof({ arbitrary: fc.constant(false), weight: 3 }, fc.constant(true)),
        query: fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('per_page', 'page', 'queue', 'detach', 'follow_up', 'type', 'class', 'res_id')), queryValue), { maxLength: 4 }),
        useDeclaredQuery: fc.boolean(),
        body,
        contentType,
        auth: fc.oneof({ arbitrary: fc.constant('good'), weight: 6 }, fc.constantFrom('none', 'Bearer ', 'Bearer wrong', 'Basic Zm9vOmJhcg==', 'bearer', `Bearer ${'x'.repeat(10_000)}`)),
        extraHeader: fc.option(fc.tuple(fc.constantFrom('accept', 'x-forwarded-for', 'content-encoding', 'transfer-encoding-x', 'humanitec-user'), fc.string({ maxLength: 30 })), { nil: undefined }),
      }))
      .map((r) => {
        let url = r.op.path;
        for (const p of r.op.params) {
          const fuzzed = r.ids[p];
          const value = r.malformIds && fuzzed !== undefined ? fuzzed : (KNOWN[p] ?? fuzzed ?? 'nothing-here');
          url = url.replace(`{${p}}`, encodeURIComponent(value));
        }
        const pairs = r.useDeclaredQuery && r.op.query.length > 0 ? r.query.map(([, v], i) => [r.op.query[i % r.op.query.length]!, v] as const) : r.query;
        const qs = pairs.filter(([k]) => k !== 'follow').map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const headers: Record<string, string> = {};
        if (r.auth === 'good') Object.assign(headers, baton.authHeaders);
        else if (r.auth !== 'none') headers.authorization = r.auth;
        if (r.extraHeader) headers[r.extraHeader[0]] = r.extraHeader[1].replace(/[^\t\x20-\x7e]/g, '?');
        const write = r.op.method !== 'GET' && r.op.method !== 'DELETE';
        if (write && r.contentType !== '') headers['content-type'] = r.contentType;
        return { family: `${r.op.method} ${r.op.path}`, method: r.op.method, url: qs === '' ? url : `${url}?${qs}`, headers, ...(write || r.op.method === 'DELETE' ? { payload: r.shaped ?? r.body } : {}) };
      });

    const seen = new Set<string>();
    const statuses = new Map<number, number>();
    let acceptedWritesThatChangedRows = 0;
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        seen.add(req.family);
        const changes = req.method !== 'GET';
        const before = changes ? await digest() : '';
        const res = await send(req);
        const what = `${req.method} ${req.url.slice(0, 200)} [${req.headers['content-type'] ?? '-'}] ${(req.payload ?? '').slice(0, 200)}`;
        assertAnswer(what, res);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (process.env.FUZZ_DEBUG && changes && res.statusCode >= 400) process.stdout.write(`# ${res.statusCode} ${what.slice(0, 150)} :: ${res.body.slice(0, 150)}\n`);
        if (changes && res.statusCode < 300 && (await digest()) !== before) acceptedWritesThatChangedRows++;
        if (changes && res.statusCode >= 400) assert.equal(await digest(), before, `refused request changed rows: ${what} → ${res.statusCode}: ${res.body.slice(0, 300)}`);
      }),
      { seed: SEED, numRuns: 600, endOnFailure: true },
    );
    // The fuzz reached past the gates: some requests were accepted, and the digest sees the rows they wrote.
    process.stdout.write(`# fuzz: ${operations.length} operations, ${seen.size} reached, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${acceptedWritesThatChangedRows} accepted writes changed rows\n`);
    assert.ok(operations.length > 50, `only ${operations.length} operations in the document`);
    assert.ok((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0) + (statuses.get(204) ?? 0) > 20, JSON.stringify(Object.fromEntries(statuses)));
    assert.ok(acceptedWritesThatChangedRows > 0, 'no accepted write changed a row');
    assert.ok(seen.size >= operations.length * 0.9, `only ${seen.size} of ${operations.length} operations reached`);
  });

  it('each operation answers malformed ids in every path parameter with a 4xx error body and no row change', async () => {
    for (const op of operations) {
      if (op.params.length === 0) continue;
      let url = op.path;
      for (const p of op.params) url = url.replace(`{${p}}`, encodeURIComponent('Bad Id!'));
      const write = op.method !== 'GET' && op.method !== 'DELETE';
      const before = op.method === 'GET' ? '' : await digest();
      const res = await send({ method: op.method, url, headers: { ...baton.authHeaders, ...(write ? { 'content-type': 'application/json' } : {}) }, ...(write ? { payload: '{"id": "x"' } : {}) });
      assertAnswer(`${op.method} ${url}`, res);
      assert.ok(res.statusCode >= 400, `${op.method} ${url} accepted: ${res.statusCode}`);
      if (op.method !== 'GET') assert.equal(await digest(), before, `${op.method} ${url} changed rows`);
    }
  });
});
