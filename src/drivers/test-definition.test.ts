import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput, NotFound } from '../shared/errors.js';
import { MASK, maskSecrets, parseDefinition, resolvePlaceholders, testDefinition } from './test-definition.js';

describe('resolvePlaceholders', () => {
  const placeholders = { 'context.app.id': 'shop', 'context.env.id': 'dev', 'resources.dns<route.outputs.port': [80, 443], 'values.n': 3 };

  it('keeps the type of a value that is exactly one placeholder', () => {
    assert.deepEqual(resolvePlaceholders({ ports: '${resources.dns<route.outputs.port}', n: '${values.n}' }, placeholders), {
      ports: [80, 443],
      n: 3,
    });
  });

  it('inserts strings raw and other values as JSON when the placeholder is part of a larger string', () => {
    assert.equal(resolvePlaceholders('${context.app.id}-${context.env.id}', placeholders), 'shop-dev');
    assert.equal(resolvePlaceholders('ports=${resources.dns<route.outputs.port}', placeholders), 'ports=[80,443]');
  });

  it('walks nested objects and arrays and leaves non-strings alone', () => {
    assert.deepEqual(resolvePlaceholders({ a: ['${context.app.id}', 1, true, null], b: { c: 'x${context.env.id}' } }, placeholders), {
      a: ['shop', 1, true, null],
      b: { c: 'xdev' },
    });
  });

  it('turns the escape $\\{ into a literal ${ and leaves non-Orchestrator ${...} untouched', () => {
    assert.equal(resolvePlaceholders('$\\{context.app.id} ${env:POD_IP} ${context.app.id}', placeholders), '${context.app.id} ${env:POD_IP} shop');
  });

  it('collects every missing placeholder', () => {
    const missing = new Set<string>();
    resolvePlaceholders({ a: '${context.org.id}', b: "${resources['config#x'].outputs.y}" }, {}, missing);
    assert.deepEqual([...missing].sort(), ['context.org.id', "resources['config#x'].outputs.y"]);
  });
});

describe('parseDefinition', () => {
  it('reads the API JSON form as well as the humctl manifest form', () => {
    const parsed = parseDefinition(
      JSON.stringify({ id: 'dev-pg', type: 'postgres', driver_type: 'humanitec/echo', driver_inputs: { values: { host: 'h' } } }),
    );
    assert.deepEqual(parsed, {
      id: 'dev-pg',
      type: 'postgres',
      driverType: 'humanitec/echo',
      driverInputs: { values: { host: 'h' }, secrets: {}, secretRefs: {} },
    });
  });

  it('rejects text holding several definitions or another kind', () => {
    const one = 'kind: Definition\nmetadata: {id: a}\nentity: {type: t, driver_type: humanitec/echo}\n';
    assert.throws(() => parseDefinition(`${one}---\n${one}`), /exactly one document \(found 2\)/);
    assert.throws(() => parseDefinition('kind: Application\nentity: {}'), InvalidInput);
    assert.throws(() => parseDefinition({ type: 'postgres' }), /driver_type/);
  });
});

describe('testDefinition', () => {
  const echoDefinition = {
    apiVersion: 'entity.humanitec.io/v1b1',
    kind: 'Definition',
    metadata: { id: 'db' },
    entity: {
      type: 'postgres',
      driver_type: 'humanitec/echo',
      driver_inputs: {
        values: { name: '${context.app.id}-${context.env.id}', res: '${context.res.id}', guresid: '${context.res.guresid}' },
        secrets: { password: 'inline' },
        secret_refs: { user: { value: 'from-ref' }, api: { key: { store: 'vault', ref: 'kv/api' } } },
      },
    },
  };

  it('lists the placeholders the inputs do not provide', async () => {
    await assert.rejects(
      testDefinition({ type: 't', driver_type: 'humanitec/echo', driver_inputs: { values: { a: '${resources.dns.outputs.host}' } } }),
      (error: unknown) => error instanceof InvalidInput && /resources\.dns\.outputs\.host/.test(error.message),
    );
  });

  it('needs values for secret_refs that live in an external store', async () => {
    await assert.rejects(testDefinition(echoDefinition, {}), /api\.key/);
  });

  it('fills context placeholders, inlines secret_refs and overlays inputs.secretRefs', async () => {
    const result = await testDefinition(echoDefinition, {
      placeholders: { 'context.app.id': 'shop', 'context.env.id': 'dev', 'context.res.id': 'shared.db' },
      secretRefs: { api: { key: 'k3y' } },
    });
    assert.equal(result.values.name, 'shop-dev');
    assert.equal(result.values.res, 'shared.db');
    assert.match(String(result.values.guresid), /^[0-9a-f]{40}$/);
    assert.deepEqual(result.secrets, { password: 'inline', user: 'from-ref', api: { key: 'k3y' } });

    const again = await testDefinition(echoDefinition, {
      placeholders: { 'context.app.id': 'shop', 'context.env.id': 'dev', 'context.res.id': 'shared.db' },
      secretRefs: { api: { key: 'k3y' } },
    });
    assert.equal(again.values.guresid, result.values.guresid, 'the stand-in GUResID is deterministic');
  });

  it('fails with NotFound for a driver that is not registered', async () => {
    await assert.rejects(testDefinition({ type: 't', driver_type: 'acme/nothing' }), NotFound);
  });
});

describe('maskSecrets', () => {
  it('hides every secret leaf but keeps the structure and leaves values and manifests alone', () => {
    const result = {
      values: { host: 'h' },
      secrets: { password: 'p', nested: { token: 't', list: ['a', 1] } },
      manifests: [{ name: 'm', location: 'namespace' as const, data: { kind: 'Secret' } }],
      cookie: { x: 1 },
    };
    const masked = maskSecrets(result);
    assert.deepEqual(masked, { ...result, secrets: { password: MASK, nested: { token: MASK, list: [MASK, MASK] } } });
    assert.equal(result.secrets.password, 'p', 'the input is not changed');
  });
});
