import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createEchoDriver } from './echo.js';
import type { ProvisionRequest } from './contract.js';

function request(values: Record<string, unknown>, secrets: Record<string, unknown>): ProvisionRequest {
  return {
    guresid: 'b'.repeat(40),
    type: 'postgres',
    class: 'default',
    resId: 'shared.db',
    resource: { ignored: true },
    driver: { values, secrets },
    context: { orgId: 'acme', appId: 'shop', envId: 'dev', envType: 'development' },
    signal: new AbortController().signal,
    log: () => undefined,
  };
}

describe('humanitec/echo', () => {
  it('returns driver values as outputs and driver secrets as secret outputs, with no manifests', async () => {
    const values = { host: 'db.internal', port: 5432, name: 'orders', nested: { a: [1, 2] } };
    const secrets = { username: 'app', password: 's3cr3t' };
    const result = await createEchoDriver().provision(request(values, secrets));
    assert.deepEqual(result, { values, secrets, manifests: [] });
  });

  it('returns copies, so changing the outputs does not change the inputs', async () => {
    const values = { nested: { a: 1 } };
    const result = await createEchoDriver().provision(request(values, {}));
    (result.values.nested as { a: number }).a = 2;
    assert.equal(values.nested.a, 1);
  });

  it('answers to baton/echo and the deprecated humanitec/static', () => {
    const driver = createEchoDriver();
    assert.equal(driver.id, 'humanitec/echo');
    assert.deepEqual([...(driver.aliases ?? [])].sort(), ['baton/echo', 'humanitec/static']);
  });

  it('deprovisions without doing anything', async () => {
    await createEchoDriver().deprovision(request({}, {}));
  });
});
