/**
 * `baton update delta ID OP PATH [VALUE]` (humctl's form): one change to a delta, as the delta to merge into it
 * (`PATCH .../deltas/{id}` takes a list of deltas). PATH is in set terms: `/modules/<id>` adds or removes a workload,
 * `/modules/<id>/<path>` becomes a JSON Patch operation on it (`modules.update`), `/shared/<path>` one on the shared
 * resources. Pure: src/cli/delta-edit.test.ts.
 */
import { UsageError } from './errors.js';

export type DeltaEditOp = 'add' | 'replace' | 'remove';
const OPS: readonly string[] = ['add', 'replace', 'remove'];

export function deltaEdit(op: string, path: string, value: unknown): Record<string, unknown> {
  if (!OPS.includes(op)) throw new UsageError(`the operation must be add, replace or remove (got "${op}")`);
  if (op !== 'remove' && value === undefined) throw new UsageError(`${op} needs a value`);
  const segments = path.split('/');
  if (segments[0] !== '' || segments.length < 3 || segments.slice(1).some((s) => s === '')) {
    throw new UsageError(`the path must look like /modules/<workload>[/...] or /shared/<resource>[/...] (got "${path}")`);
  }
  const [, root, id, ...rest] = segments as [string, string, string, ...string[]];
  const withValue = op === 'remove' ? {} : { value };
  if (root === 'modules') {
    if (rest.length === 0) {
      if (op === 'remove') return { modules: { remove: [id] } };
      return { modules: { add: { [id]: value } } };
    }
    return { modules: { update: { [id]: [{ op, path: `/${rest.join('/')}`, ...withValue }] } } };
  }
  if (root === 'shared') return { shared: [{ op, path: `/${[id, ...rest].join('/')}`, ...withValue }] };
  throw new UsageError(`the path must start with /modules/ or /shared/ (got "${path}")`);
}
