import { InvalidInput } from '../shared/errors.js';
import { normalizeModule, normalizeSet } from './normalize.js';
import { applyOperations } from './patch.js';
import type { Delta, DeploymentSet, Module } from './schemas.js';
import { checkPatchedModule, checkPatchedShared } from './validate.js';

export interface ApplyDeltaOptions {
  /**
   * What `modules.remove` / `modules.update` do with a module the set does not contain.
   * - `'ignore'` (default): skip it. This is what Humanitec's behaviour implies: a delta built against one
   *   environment (e.g. `remove: ["legacy-worker"]`) can be applied to another set, including the empty set, and the
   *   absent modules are simply not there afterwards.
   * - `'reject'`: throw `InvalidInput` naming the module (for callers that want a strict check).
   */
  missingModules?: 'ignore' | 'reject';
}

function missingModule(action: 'remove' | 'update', moduleId: string): InvalidInput {
  return new InvalidInput(`cannot ${action} module "${moduleId}": the set has no such module`, {
    module: moduleId,
    action,
  });
}

/**
 * Applies a (normalised, see `parseDelta`) delta to a set and returns the new set. Pure: neither argument is
 * mutated. Unchanged modules are shared by reference with `set` (sets are immutable values); added and patched
 * modules are fresh copies that share nothing with the delta.
 *
 * Order inside one delta: `modules.remove`, then `modules.add` (adding an existing module replaces it), then
 * `modules.update` (so an update may patch a module added by the same delta), then `shared`.
 * Module update paths are rooted at the module (`/spec/containers/app/image`); shared paths at the `shared` map
 * (`/dns`). A failing operation throws `InvalidInput` naming the module (or shared), the operation index and path; a
 * patch that leaves a module or shared resource malformed (e.g. removes `/profile`) throws `InvalidInput` too.
 */
export function applyDelta(set: DeploymentSet, delta: Delta, options: ApplyDeltaOptions = {}): DeploymentSet {
  const reject = options.missingModules === 'reject';
  const base = normalizeSet(set);
  const modules: Record<string, Module> = { ...base.modules };

  for (const moduleId of delta.modules.remove) {
    if (Object.hasOwn(modules, moduleId)) delete modules[moduleId];
    else if (reject) throw missingModule('remove', moduleId);
  }
  for (const [moduleId, module] of Object.entries(delta.modules.add)) {
    modules[moduleId] = normalizeModule(structuredClone(module));
  }
  for (const [moduleId, ops] of Object.entries(delta.modules.update)) {
    const current = modules[moduleId];
    if (current === undefined || !Object.hasOwn(modules, moduleId)) {
      if (reject) throw missingModule('update', moduleId);
      continue;
    }
    if (ops.length === 0) continue;
    const patched = applyOperations(current, ops, { kind: 'module', moduleId });
    modules[moduleId] = checkPatchedModule(moduleId, patched);
  }
  const shared =
    delta.shared.length === 0
      ? base.shared
      : checkPatchedShared(applyOperations(base.shared, delta.shared, { kind: 'shared' }));

  return { version: 0, modules, shared };
}
