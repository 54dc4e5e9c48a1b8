/**
 * Issue 26 item 3: a workload definition's `update` operations apply as Humanitec applies them — `add` creates
 * missing parents (the example library's init-container definition adds `/spec/pod/initContainers` to a module
 * without `pod`) — and every failure is a domain error naming the workload, the definition and the operation,
 * never JavaScript's own error text.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidInput } from '../shared/errors.js';
import { applyWorkloadUpdate, type PatchSource } from './workload-patch.js';

const source: PatchSource = { workload: 'web', definition: 'custom-workload-with-initcontainer' };
const module = (): { spec: Record<string, unknown> } => ({ spec: { containers: { main: { image: 'nginx' } } } });

describe('workload update operations', () => {
  it("add into a parent that does not exist creates it (the example library's init-container definition)", () => {
    const initContainers = [{ name: 'init-myservice', image: 'busybox', command: ['sh', '-c', 'until nslookup myservice; do sleep 2; done'] }];
    const patched = applyWorkloadUpdate(module(), [{ op: 'add', path: '/spec/pod/initContainers', value: initContainers }], source);
    assert.deepEqual(patched, { spec: { containers: { main: { image: 'nginx' } }, pod: { initContainers } } });
  });

  it('creates a missing array parent when the next token is "-" and appends', () => {
    const patched = applyWorkloadUpdate(module(), [
      { op: 'add', path: '/spec/pod/tolerations/-', value: { key: 'a' } },
      { op: 'add', path: '/spec/pod/tolerations/-', value: { key: 'b' } },
    ], source);
    assert.deepEqual(patched.spec.pod, { tolerations: [{ key: 'a' }, { key: 'b' }] });
  });

  it('escaped pointer tokens reach the key they name (the annotations definition: cloud.google.com~1neg)', () => {
    const patched = applyWorkloadUpdate(module(), [{ op: 'add', path: '/spec/service/annotations/cloud.google.com~1neg', value: '{"ingress":true}' }], source);
    assert.deepEqual(patched.spec.service, { annotations: { 'cloud.google.com/neg': '{"ingress":true}' } });
  });

  it('replace, remove, move, copy and test follow RFC 6902 and leave the input untouched', () => {
    const input = { spec: { containers: { main: { image: 'nginx', variables: { A: '1', B: '2' } } }, serviceAccountName: 'x' } };
    const before = structuredClone(input);
    const patched = applyWorkloadUpdate(input, [
      { op: 'test', path: '/spec/serviceAccountName', value: 'x' },
      { op: 'replace', path: '/spec/serviceAccountName', value: 'y' },
      { op: 'remove', path: '/spec/containers/main/variables/B' },
      { op: 'copy', from: '/spec/containers/main/variables/A', path: '/spec/containers/main/variables/C' },
      { op: 'move', from: '/spec/containers/main/variables/A', path: '/spec/containers/main/variables/D' },
    ], source);
    assert.deepEqual(patched, { spec: { containers: { main: { image: 'nginx', variables: { C: '1', D: '1' } } }, serviceAccountName: 'y' } });
    assert.deepEqual(input, before);
  });

  const failures: [string, unknown[], RegExp][] = [
    ['remove of a missing member', [{ op: 'remove', path: '/spec/pod/initContainers' }], /operation 1 \(remove \/spec\/pod\/initContainers\) of definition "custom-workload-with-initcontainer" does not apply: \/spec\/pod does not exist/],
    ['replace of a missing member', [{ op: 'replace', path: '/spec/nope', value: 1 }], /operation 1 \(replace \/spec\/nope\).*\/spec\/nope does not exist/],
    ['add below a string', [{ op: 'add', path: '/spec/containers/main/image/x', value: 1 }], /\/spec\/containers\/main\/image is not an object or an array/],
    ['a failing test', [{ op: 'add', path: '/spec/a', value: 1 }, { op: 'test', path: '/spec/a', value: 2 }], /operation 2 \(test \/spec\/a\).*differs/],
    ['an unknown op', [{ op: 'merge', path: '/spec/a', value: 1 }], /"op" must be one of/],
    ['an operation that is not an object', ['add /spec/a'], /operation 1 .* must be an object/],
    ['a path that is not a pointer', [{ op: 'add', path: 'spec/a', value: 1 }], /is not a JSON pointer/],
    ['a prototype path', [{ op: 'add', path: '/spec/__proto__/polluted', value: 1 }], /forbidden segment "__proto__"/],
    ['an array index out of bounds', [{ op: 'add', path: '/spec/list', value: [] }, { op: 'add', path: '/spec/list/3', value: 1 }], /index 3 is out of bounds/],
    ['add without a value', [{ op: 'add', path: '/spec/a' }], /"value" is missing/],
    ['the root', [{ op: 'replace', path: '', value: {} }], /root of the workload cannot be changed/],
  ];
  for (const [name, operations, message] of failures) {
    it(`${name} is an InvalidInput naming the workload, definition and operation, without JavaScript's error text`, () => {
      assert.throws(
        () => applyWorkloadUpdate(module(), operations, source),
        (error: unknown) => {
          assert.ok(error instanceof InvalidInput, String(error));
          assert.match(error.message, message);
          assert.doesNotMatch(error.message, /Cannot (set|read) propert|undefined|TypeError/);
          return true;
        },
      );
    });
  }

  it('does not pollute Object.prototype', () => {
    assert.throws(() => applyWorkloadUpdate(module(), [{ op: 'add', path: '/__proto__/polluted', value: 'yes' }], source), InvalidInput);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
