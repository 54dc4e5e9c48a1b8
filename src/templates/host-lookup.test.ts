import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { InvalidInput } from '../shared/errors.js';
import { parseHostSuffixes } from '../shared/host-suffixes.js';
import { hostLookupRefusal } from './host-lookup.js';
import { DEFAULT_HOST_LOOKUP, DEFAULT_TEMPLATE_LIMITS, parseTemplate, renderTemplate, TemplateError, type HostLookupPolicy } from './index.js';

const OFF: HostLookupPolicy = { enabled: false, allowedSuffixes: [] };
const LOCALHOST_ONLY: HostLookupPolicy = { enabled: true, allowedSuffixes: ['localhost'] };
const LOOPBACK = /^(127\.0\.0\.1|::1)$/;

/**
 * Starts the templates' worker thread (sync-worker.ts) with a call that may wait for it: a lookup allows itself 1 s,
 * worker start-up included, which a busy test machine can exceed.
 */
function warmTemplateWorker(): void {
  renderTemplate('{{ htpasswd "a" "b" }}', {}, { limits: { ...DEFAULT_TEMPLATE_LIMITS, timeoutMs: 60_000 } });
}

describe('getHostByName under the host lookup policy', () => {
  before(warmTemplateWorker);
  test('with no policy given, getHostByName resolves any name as sprig does (existing definitions unchanged)', () => {
    assert.deepEqual(DEFAULT_HOST_LOOKUP, { enabled: true, allowedSuffixes: [] });
    assert.match(renderTemplate('{{ getHostByName "localhost" }}', {}), LOOPBACK);
  });

  test('with lookups off, the render fails naming the function, the host and the template position', () => {
    assert.throws(
      () => renderTemplate('name: x\naddr: {{ getHostByName .host }}', { host: 'db.internal.example' }, { name: 'outputs', hostLookup: OFF }),
      (error: unknown) => {
        assert.ok(error instanceof TemplateError);
        assert.ok(error instanceof InvalidInput);
        assert.equal(
          error.message,
          'template: outputs:2:9: executing "outputs" at <getHostByName .host>: error calling getHostByName: lookup of "db.internal.example" refused: host name lookups are turned off (BATON_TEMPLATE_HOST_LOOKUP=false)',
        );
        assert.equal(error.line, 2);
        assert.equal(error.column, 9);
        return true;
      },
    );
    // even a name that needs no DNS query is refused: off means the function never answers
    assert.throws(() => renderTemplate('{{ getHostByName "localhost" }}', {}, { hostLookup: OFF }), /lookup of "localhost" refused/);
  });

  test('with an allow-list, a name under an allowed suffix resolves and any other is refused', () => {
    assert.match(renderTemplate('{{ getHostByName "localhost" }}', {}, { hostLookup: LOCALHOST_ONLY }), LOOPBACK);
    assert.throws(
      () => renderTemplate('{{ getHostByName "metadata.google.internal" }}', {}, { name: 'probe', hostLookup: LOCALHOST_ONLY }),
      (error: unknown) =>
        error instanceof TemplateError &&
        error.message ===
          'template: probe:1:3: executing "probe" at <getHostByName "metad...>: error calling getHostByName: lookup of "metadata.google.internal" refused: the name is not under an allowed suffix (BATON_TEMPLATE_HOST_LOOKUP_ALLOW=localhost)',
    );
  });

  test('a suffix matches whole labels only', () => {
    const policy: HostLookupPolicy = { enabled: true, allowedSuffixes: ['example.com'] };
    assert.equal(hostLookupRefusal(policy, 'example.com'), undefined);
    assert.equal(hostLookupRefusal(policy, 'db.Example.COM'), undefined);
    assert.equal(hostLookupRefusal(policy, 'db.example.com.'), undefined);
    assert.match(hostLookupRefusal(policy, 'badexample.com') ?? '', /not under an allowed suffix/);
    assert.match(hostLookupRefusal(policy, 'example.com.evil.net') ?? '', /not under an allowed suffix/);
    assert.match(hostLookupRefusal(policy, '10.0.0.1') ?? '', /not under an allowed suffix/);
  });

  test('tpl renders inside the policy of the template that calls it', () => {
    assert.throws(() => renderTemplate('{{ tpl "{{ getHostByName \\"localhost\\" }}" . }}', {}, { hostLookup: OFF }), /lookup of "localhost" refused/);
    assert.match(renderTemplate('{{ tpl "{{ getHostByName \\"localhost\\" }}" . }}', {}, { hostLookup: LOCALHOST_ONLY }), LOOPBACK);
  });

  test('the policy belongs to the compiled template: one render refused does not change the next one', () => {
    const refused = parseTemplate('{{ getHostByName "localhost" }}', { hostLookup: OFF });
    const allowed = parseTemplate('{{ getHostByName "localhost" }}');
    assert.throws(() => refused.execute({}), /refused/);
    assert.match(allowed.execute({}), LOOPBACK);
    assert.throws(() => refused.execute({}), /refused/);
  });
});

describe('parseHostSuffixes', () => {
  test('trims, lower-cases, drops leading and trailing dots and duplicates', () => {
    assert.deepEqual(parseHostSuffixes(' .Example.com, svc.cluster.local. ,example.com,,localhost'), ['example.com', 'svc.cluster.local', 'localhost']);
  });

  test('refuses entries that are not DNS name suffixes, naming the entry', () => {
    for (const bad of ['*.example.com', 'exa mple.com', 'a..b', 'http://x', '-bad.com', '.']) {
      assert.throws(() => parseHostSuffixes(bad), new RegExp(`"${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" is not a DNS name suffix`), bad);
    }
    assert.throws(() => parseHostSuffixes(Array.from({ length: 101 }, (_, i) => `s${i}.example`).join(',')), /at most 100 name suffixes/);
  });
});
