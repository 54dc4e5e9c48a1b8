/**
 * Shared values and secrets (Humanitec's Value and ValueSetVersion objects).
 *
 * - `createValuesService(store, secretBox)`: what the API calls: list/create/replace/patch/delete values at app or
 *   env level (`ValueScope` with `envId: null` for the app), list/get versions, restore a version or one key, purge.
 *   Every change appends a value set version; an app-level change also appends one to each of the app's envs.
 * - `createValueSource(store, secretBox).valueSetFor(orgId, appId, envId, versionId?)`: for the deployment engine
 *   only. Resolves to `{ id, values }`: `id` is the env value set version to record on the deployment
 *   (`value_set_version_id`), `values` maps each key to `{ value, secret }` with app values overridden by env values,
 *   secrets decrypted, purged values absent. Without `versionId` it pins the current values (appending a version if
 *   the env has none on the app's newest values); with one (or the zero UUID for "latest") it returns that version.
 *   Throws `NotFound` for an unknown env or version.
 * - model.ts: the pure rules (key check, patches, merge, restore, purge).
 */
export { createValuesService, valueSecretAad, toValueView, BATON_SECRET_STORE_ID } from './service.js';
export type { ValuesService, ValueView, ValueSetVersionView, ValueInput, ValueScope } from './service.js';
export { createValueSource } from './engine-source.js';
export type { EngineValueSource, ResolvedValueSet } from './engine-source.js';
export { VALUE_KEY_PATTERN, LATEST_VERSION_ALIAS, checkValueKey } from './model.js';
export type { ValueChangeOp, ValueSetResultOf, ValueSource, ValueWrite, StoredValue, ValueSet } from './model.js';
