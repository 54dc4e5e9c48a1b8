import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Conflict, DriverFailed, InvalidInput, NotFound } from '../shared/errors.js';
import type { Driver, ProvisionRequest, ProvisionResult } from './contract.js';
import { callDriver, callDriverDeprovision, createBuiltinRegistry, DriverRegistry, type DriverCallRequest } from './registry.js';

function fakeDriver(id: string, provision: (request: ProvisionRequest) => Promise<ProvisionResult>, aliases?: string[]): Driver {
  return {
    id,
    ...(aliases === undefined ? {} : { aliases }),
    provision,
    deprovision: () => Promise.resolve(),
  };
}

const request: DriverCallRequest = {
  guresid: 'a'.repeat(40),
  type: 'postgres',
  class: 'default',
  resId: 'modules.api.externals.db',
  resource: {},
  driver: { values: { host: 'db.internal', port: 5432 }, secrets: { password: 'pw' } },
  context: { orgId: 'acme', appId: 'shop', envId: 'dev', envType: 'development' },
  log: () => undefined,
};

describe('DriverRegistry', () => {
  it('finds drivers by id and by alias and lists each driver once', () => {
    const registry = new DriverRegistry();
    const a = fakeDriver('acme/a', () => Promise.reject(new Error('unused')), ['baton/a']);
    const b = fakeDriver('acme/b', () => Promise.reject(new Error('unused')));
    registry.register(b).register(a);
    assert.equal(registry.get('acme/a'), a);
    assert.equal(registry.get('baton/a'), a);
    assert.equal(registry.get('acme/b'), b);
    assert.deepEqual(
      registry.list().map((d) => d.id),
      ['acme/a', 'acme/b'],
    );
    assert.deepEqual(registry.ids(), ['acme/a', 'acme/b', 'baton/a']);
  });

  it('throws NotFound naming an unknown driver', () => {
    const registry = new DriverRegistry();
    assert.throws(
      () => registry.get('acme/missing'),
      (error: unknown) => error instanceof NotFound && error.message.includes('acme/missing') && error.details.id === 'acme/missing',
    );
  });

  it('refuses a second driver under a taken id or alias', () => {
    const registry = new DriverRegistry();
    registry.register(fakeDriver('acme/a', () => Promise.reject(new Error('unused')), ['baton/a']));
    assert.throws(() => registry.register(fakeDriver('baton/a', () => Promise.reject(new Error('unused')))), Conflict);
  });

  it('forgets a driver and all its aliases on unregister', () => {
    const registry = new DriverRegistry();
    registry.register(fakeDriver('acme/a', () => Promise.reject(new Error('unused')), ['baton/a']));
    registry.unregister('baton/a');
    assert.equal(registry.has('acme/a'), false);
    assert.equal(registry.has('baton/a'), false);
  });

  it('holds the built-in generic drivers under their Humanitec ids and Baton aliases', () => {
    const registry = createBuiltinRegistry({ terraformStateDir: join(tmpdir(), 'baton-registry-test') });
    for (const id of ['humanitec/echo', 'baton/echo', 'humanitec/template', 'baton/template']) {
      assert.ok(registry.has(id), `${id} is registered`);
    }
    assert.equal(registry.get('baton/echo').id, 'humanitec/echo');
    assert.equal(registry.get('baton/template').id, 'humanitec/template');
  });
});

describe('callDriver', () => {
  const ok = (result: ProvisionResult): Driver => fakeDriver('acme/ok', () => Promise.resolve(result));

  it('returns what the driver returned when it is well formed', async () => {
    const result: ProvisionResult = { values: { host: 'h' }, secrets: {}, manifests: [], cookie: { n: 1 } };
    assert.deepEqual(await callDriver(ok(result), request, { timeoutMs: 1_000 }), result);
  });

  it('hands the driver a signal that aborts when the time is up, and fails retryably naming the driver', async () => {
    let seen: AbortSignal | undefined;
    const slow = fakeDriver('acme/slow', (req) => {
      seen = req.signal;
      return new Promise(() => undefined); // never settles and ignores the signal
    });
    await assert.rejects(callDriver(slow, request, { timeoutMs: 50 }), (error: unknown) => {
      assert.ok(error instanceof DriverFailed);
      assert.match(error.message, /acme\/slow/);
      assert.match(error.message, /50 ms/);
      assert.equal(error.retryable, true);
      return true;
    });
    assert.equal(seen?.aborted, true);
  });

  it('fails when the caller cancels, without waiting for the timeout', async () => {
    const controller = new AbortController();
    const slow = fakeDriver('acme/slow', () => new Promise(() => undefined));
    const call = callDriver(slow, { ...request, signal: controller.signal }, { timeoutMs: 60_000 });
    controller.abort(new Error('deployment cancelled'));
    await assert.rejects(call, (error: unknown) => error instanceof DriverFailed && error.details.cancelled === true);
  });

  it('turns an unexpected error into DriverFailed naming the driver and keeping the cause', async () => {
    const cause = new TypeError('cannot read properties of undefined');
    const broken = fakeDriver('acme/broken', () => Promise.reject(cause));
    await assert.rejects(callDriver(broken, request, { timeoutMs: 1_000 }), (error: unknown) => {
      assert.ok(error instanceof DriverFailed);
      assert.match(error.message, /driver "acme\/broken" failed to provision: cannot read properties of undefined/);
      assert.equal(error.cause, cause);
      assert.equal(error.retryable, false);
      return true;
    });
    const invalid = fakeDriver('acme/picky', () => Promise.reject(new InvalidInput('port must be a number')));
    await assert.rejects(callDriver(invalid, request, { timeoutMs: 1_000 }), /acme\/picky.*port must be a number/);
  });

  it('keeps the retryable flag of a DriverFailed thrown by the driver', async () => {
    const flaky = fakeDriver('acme/flaky', () => Promise.reject(new DriverFailed('try later', {}, { retryable: true })));
    await assert.rejects(callDriver(flaky, request, { timeoutMs: 1_000 }), (error: unknown) => {
      return error instanceof DriverFailed && error.retryable && error.message.includes('acme/flaky');
    });
  });

  it('passes outputs to the validator and fails naming the driver and the field it reports', async () => {
    const calls: unknown[] = [];
    const validateOutputs = (type: string, outputs: { values: object; secrets: object }): string[] => {
      calls.push([type, outputs]);
      return 'port' in outputs.values ? [] : ['values.port: is required'];
    };
    await callDriver(ok({ values: { host: 'h', port: 5432 }, secrets: { password: 'x' }, manifests: [] }), request, {
      timeoutMs: 1_000,
      validateOutputs,
    });
    assert.deepEqual(calls, [['postgres', { values: { host: 'h', port: 5432 }, secrets: { password: 'x' } }]]);

    await assert.rejects(
      callDriver(ok({ values: { host: 'h' }, secrets: {}, manifests: [] }), request, { timeoutMs: 1_000, validateOutputs }),
      (error: unknown) => {
        assert.ok(error instanceof DriverFailed);
        assert.match(error.message, /acme\/ok/);
        assert.match(error.message, /values\.port: is required/);
        assert.deepEqual(error.details.issues, ['values.port: is required']);
        return true;
      },
    );
  });

  it('rejects a result that breaks the contract: bad location, duplicate names, non-object data', async () => {
    const bad = (manifests: unknown[]): Driver =>
      fakeDriver('acme/bad', () => Promise.resolve({ values: {}, secrets: {}, manifests } as unknown as ProvisionResult));
    await assert.rejects(
      callDriver(bad([{ name: 'm', location: 'pod', data: {} }]), request, { timeoutMs: 1_000 }),
      /acme\/bad.*manifests "m"\.location/,
    );
    await assert.rejects(
      callDriver(
        bad([
          { name: 'm', location: 'namespace', data: {} },
          { name: 'm', location: 'cluster', data: {} },
        ]),
        request,
        { timeoutMs: 1_000 },
      ),
      /"m" is used twice/,
    );
    await assert.rejects(callDriver(bad([{ name: 'm', location: 'namespace', data: 'kind: X' }]), request, { timeoutMs: 1_000 }), /data is not an object/);
  });

  it('deprovisions through the driver under the same deadline', async () => {
    let deprovisioned = 0;
    const driver: Driver = {
      id: 'acme/d',
      provision: () => Promise.reject(new Error('unused')),
      deprovision: () => {
        deprovisioned += 1;
        return Promise.resolve();
      },
    };
    await callDriverDeprovision(driver, request, { timeoutMs: 1_000 });
    assert.equal(deprovisioned, 1);
    const stuck: Driver = { ...driver, deprovision: () => new Promise(() => undefined) };
    await assert.rejects(callDriverDeprovision(stuck, request, { timeoutMs: 30 }), /did not finish deprovision/);
  });
});
