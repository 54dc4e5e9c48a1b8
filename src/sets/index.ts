/**
 * Deployment Sets and Deltas: the pure domain module (no HTTP, no storage).
 *
 * A **set** is the complete, immutable description of what an app's environment runs:
 * `{ version: 0, modules: { <workload-id>: { profile, spec, externals, deploy? } }, shared: { <name>: { type, class?, params? } } }`.
 * Its id is a content hash (`setId`); the empty set's id is `EMPTY_SET_ID` and `"0"` is its alias.
 * A **delta** is the only way to change a set:
 * `{ id?, metadata?, modules: { add: {<id>: module}, remove: [<id>], update: {<id>: [JSON-Patch ops]} }, shared: [JSON-Patch ops] }`.
 *
 * How the API is expected to use this module:
 * - Edge: `parseDelta(body)` / `parseSet(row)` validate and normalise untrusted JSON (throw `InvalidInput` with
 *   `details.issues: [{path, message}]`). The TypeBox schemas (`DeltaInputSchema`, `SetResponseSchema`,
 *   `DeltaSchema`, ...) can be reused for route schemas / OpenAPI.
 * - `POST .../sets/{setId}`: `base = load(resolveSetIdAlias(setId))` (`EMPTY_SET` for `EMPTY_SET_ID`),
 *   `next = applyDelta(base, parseDelta(body))`, store `toSetResponse(next)` under `setId(next)` (idempotent: same
 *   content, same id), return the id.
 * - `GET .../sets/{setId}/diff/{sourceSetId}`: `diffSets(source, set)` → `PlainDeltaResponse` (`{modules, shared}`).
 * - `PATCH .../deltas/{id}`: `mergeDeltas(stored, bodyArray.map(parseDelta))`, then update metadata.
 * - CLI `baton diff sets`: `formatDeltaSummary(summarizeDelta(diffSets(a, b)))`.
 *
 * Semantics and decisions are documented in docs/internals/sets.md.
 */
export {
  DeltaInputSchema,
  DeltaMetadataSchema,
  DeltaSchema,
  DeployConditionSchema,
  DeploymentSetSchema,
  JsonObjectSchema,
  MODULE_ID_PATTERN,
  ModuleInputSchema,
  ModuleSchema,
  PatchOperationSchema,
  RESOURCE_NAME_PATTERN,
  ResourceRefInputSchema,
  ResourceRefSchema,
  SetInputSchema,
  SetResponseSchema,
} from './schemas.js';
export type {
  Delta,
  DeltaInput,
  DeltaMetadata,
  DeployCondition,
  DeploymentSet,
  Module,
  ModuleInput,
  PatchOperation,
  ResourceRef,
  ResourceRefInput,
  SetInput,
  SetResponse,
} from './schemas.js';
export { normalizeModule, normalizeResource, normalizeSet } from './normalize.js';
export { parseDelta, parseSet, isValidSet, type ValidationIssue } from './validate.js';
export {
  EMPTY_SET,
  EMPTY_SET_ALIAS,
  EMPTY_SET_ID,
  SET_ID_HEX_LENGTH,
  isSetId,
  resolveSetIdAlias,
  setId,
  toSetResponse,
} from './set-id.js';
export { applyDelta, type ApplyDeltaOptions } from './apply.js';
export { diffSets, emptyDelta, isEmptyDelta } from './diff.js';
export { mergeDeltas } from './merge.js';
export { formatDeltaSummary, summarizeDelta, type DeltaSummary } from './summary.js';
export { setResourceInputs, type ResourceInput } from './resource-inputs.js';
