import fastJsonPatch from 'fast-json-patch';
import { normalizeSet } from './normalize.js';
import type { Delta, DeploymentSet, Module, PatchOperation } from './schemas.js';

const { compare } = fastJsonPatch;

/** A delta that changes nothing. */
export function emptyDelta(): Delta {
  return { modules: { add: {}, remove: [], update: {} }, shared: [] };
}

export function isEmptyDelta(delta: Delta): boolean {
  return (
    Object.keys(delta.modules.add).length === 0 &&
    delta.modules.remove.length === 0 &&
    Object.values(delta.modules.update).every((ops) => ops.length === 0) &&
    delta.shared.length === 0
  );
}

function jsonPatch(from: unknown, to: unknown): PatchOperation[] {
  // `compare` only emits add/remove/replace with JSON values, which is exactly PatchOperation.
  return compare(from as object, to as object) as PatchOperation[];
}

/**
 * The delta that turns `from` into `to` (Humanitec's `GET .../sets/{to}/diff/{from}` returns this as a
 * `PlainDeltaResponse`). Modules only in `to` are added whole, modules only in `from` are removed, modules in both
 * get a module-scoped JSON Patch (fast-json-patch `compare`) when they differ; `shared` gets one JSON Patch.
 * Module ids are listed in sorted order so equal inputs give byte-identical deltas.
 *
 * Guarantees (property-tested): `applyDelta(from, diffSets(from, to))` deep-equals normalised `to` (so has its id),
 * and `diffSets(a, a)` is empty.
 */
export function diffSets(from: DeploymentSet, to: DeploymentSet): Delta {
  const a = normalizeSet(from);
  const b = normalizeSet(to);
  const delta = emptyDelta();
  for (const moduleId of Object.keys(a.modules).sort()) {
    if (!Object.hasOwn(b.modules, moduleId)) delta.modules.remove.push(moduleId);
  }
  for (const moduleId of Object.keys(b.modules).sort()) {
    const target = b.modules[moduleId] as Module;
    const source = Object.hasOwn(a.modules, moduleId) ? a.modules[moduleId] : undefined;
    if (source === undefined) {
      delta.modules.add[moduleId] = structuredClone(target);
    } else if (source !== target) {
      const ops = jsonPatch(source, target);
      if (ops.length > 0) delta.modules.update[moduleId] = ops;
    }
  }
  delta.shared = jsonPatch(a.shared, b.shared);
  return delta;
}
