import { assertSafeKey } from '../shared/safe-path.js';
import type {
  DeploymentSet,
  Module,
  ModuleInput,
  ResourceRef,
  ResourceRefInput,
  SetInput,
} from './schemas.js';

/**
 * Normalisation decides which spellings of "the same set" share one id. The rule is deliberately small:
 *
 * - `null` means absent (Humanitec's request schemas mark these members nullable).
 * - A module's `spec` and `externals` default to `{}`: Humanitec's `ModuleResponse` requires both, and its own
 *   examples add modules with only a `profile`. So `externals: {}`, `externals: null` and no `externals` are the
 *   same module and give the same set id. Filling in (rather than dropping) keeps later JSON-Patch paths such as
 *   `/externals/db` valid.
 * - A module's `deploy: null` and a resource's `class: null` / `params: null` / `id: null` are dropped.
 * - Everything else is content and kept verbatim: `params: {}` differs from no `params`, `class: "default"` differs
 *   from no `class` (the matching engine treats them alike, but the set records what was asked for).
 *
 * Normalisation is shallow: profile-specific `spec` content and resource `params` are passed through (not copied).
 */
export function normalizeResource(ref: ResourceRefInput | ResourceRef): ResourceRef {
  const out: ResourceRef = { type: ref.type };
  if (ref.class !== undefined && ref.class !== null) out.class = ref.class;
  if (ref.params !== undefined && ref.params !== null) out.params = ref.params;
  if (ref.id !== undefined && ref.id !== null) out.id = ref.id;
  return out;
}

export function normalizeResourceMap(
  refs: Record<string, ResourceRefInput | ResourceRef> | null | undefined,
): Record<string, ResourceRef> {
  const out: Record<string, ResourceRef> = {};
  for (const [name, ref] of Object.entries(refs ?? {})) {
    assertSafeKey(name, 'resources');
    out[name] = normalizeResource(ref);
  }
  return out;
}

export function normalizeModule(module: ModuleInput | Module): Module {
  const out: Module = {
    profile: module.profile,
    spec: module.spec ?? {},
    externals: normalizeResourceMap(module.externals),
  };
  if (module.deploy !== undefined && module.deploy !== null) out.deploy = module.deploy;
  return out;
}

/** Normalised set content; any `id` in the input is dropped (ids are derived, never trusted). */
export function normalizeSet(set: SetInput | DeploymentSet): DeploymentSet {
  const modules: Record<string, Module> = {};
  for (const [id, module] of Object.entries(set.modules ?? {})) modules[id] = normalizeModule(module);
  return { version: 0, modules, shared: normalizeResourceMap(set.shared) };
}
