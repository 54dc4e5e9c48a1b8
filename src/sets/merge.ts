import { normalizeModule } from './normalize.js';
import { applyOperations } from './patch.js';
import type { Delta, Module, PatchOperation } from './schemas.js';
import { checkPatchedModule } from './validate.js';

/** What a merged delta does to one module; a module id is in exactly one bucket of a merged delta. */
type ModuleChange = { kind: 'add'; module: Module } | { kind: 'remove' } | { kind: 'update'; ops: PatchOperation[] };

/**
 * Merges `deltas`, in order, into `base` (Humanitec `PATCH .../deltas/{deltaId}` with an array of deltas).
 * Humanitec does not document conflict rules; Baton's rules are chosen so that applying the merged delta gives the
 * same set as applying `base` and then each delta one after another (property-tested, see `applyDelta` for the
 * order inside one delta):
 *
 * - a later `add` of a module replaces any earlier add, update or remove of it;
 * - an `update` of a module added earlier is folded into the add (the ops are applied to the added module now, so a
 *   failing op throws `InvalidInput` here, as the sequential application would);
 * - an `update` of a module updated earlier appends its ops;
 * - an `update` of a module removed earlier is dropped (applying it after the remove would skip it anyway);
 * - a `remove` cancels earlier adds and updates of the module;
 * - `shared` operations are concatenated.
 *
 * The result keeps `base.id` and `base.metadata` (the API owns metadata such as `last_modified_at`/`contributers`);
 * the inputs are not mutated.
 */
export function mergeDeltas(base: Delta, deltas: readonly Delta[]): Delta {
  const changes = new Map<string, ModuleChange>();
  const shared: PatchOperation[] = [];

  for (const delta of [base, ...deltas]) {
    for (const moduleId of delta.modules.remove) changes.set(moduleId, { kind: 'remove' });
    for (const [moduleId, module] of Object.entries(delta.modules.add)) {
      changes.set(moduleId, { kind: 'add', module: normalizeModule(structuredClone(module)) });
    }
    for (const [moduleId, ops] of Object.entries(delta.modules.update)) {
      const earlier = changes.get(moduleId);
      if (earlier === undefined) {
        changes.set(moduleId, { kind: 'update', ops: structuredClone(ops) });
      } else if (earlier.kind === 'update') {
        earlier.ops.push(...structuredClone(ops));
      } else if (earlier.kind === 'add' && ops.length > 0) {
        const patched = applyOperations(earlier.module, ops, { kind: 'module', moduleId });
        earlier.module = checkPatchedModule(moduleId, patched);
      }
      // earlier.kind === 'remove': nothing to update once the module is gone.
    }
    shared.push(...structuredClone(delta.shared));
  }

  const merged: Delta = { modules: { add: {}, remove: [], update: {} }, shared };
  if (base.id !== undefined) merged.id = base.id;
  if (base.metadata !== undefined) merged.metadata = structuredClone(base.metadata);
  for (const [moduleId, change] of changes) {
    if (change.kind === 'add') merged.modules.add[moduleId] = change.module;
    else if (change.kind === 'remove') merged.modules.remove.push(moduleId);
    else merged.modules.update[moduleId] = change.ops;
  }
  return merged;
}
