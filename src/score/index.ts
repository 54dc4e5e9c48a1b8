/**
 * Score (score.dev v1b1): load, validate, substitute placeholders and convert to a Humanitec Delta.
 *
 * Public API
 * - `parseScoreDocuments(text, fileName): ScoreDocument[]` — YAML text → documents that can map any JSON
 *   path to line:column (several `---` documents per file allowed). Never throws.
 * - `loadScoreFiles(paths, readFile?): ScoreDocument[]` — the same from files (the only I/O; injectable reader).
 * - `validateScore(documents, {overrides?, properties?}): {errors, warnings, workloads}` — collects every
 *   problem: YAML syntax, deprecated-array upgrade (a warning each), the official JSON schema, placeholders,
 *   `before`, duplicate workload names, shared resources declared differently. Never throws for bad input.
 * - `assertValidScore(documents, options)` — same, but throws `InvalidInput` with `details.issues`.
 * - `formatIssues(issues): string` — `file:line:column: field: message` lines (`formatIssue`, `issueField`).
 * - `convertScoreToDelta(documentsOrWorkloads, {image?, extensions?, extensionsByWorkload?, overrides?,
 *   properties?, appId?, envId?, deltaName?, readFile?, fileRoot?, workloadSourceUrl?, imageByWorkload?}): DeltaRequest` —
 *   throws `InvalidInput` with
 *   `details.issues: [{file, path, line, column, message}]`.
 * - `substitutePlaceholders(text, resolver)`, `scoreResolver({metadata, resourceNames, resourceOutputs?})`,
 *   `tokenizePlaceholders`, `findPlaceholders`, `splitReference` — the Score placeholder grammar.
 * - `parseExtensions(value)`, `parsePropertyOverride(text)`, `applyOverrides(document, options)`,
 *   `resourceUid(workload, name, resource)`.
 */
export { parseScoreDocuments, toPointer, fromPointer } from './document.js';
export type { ScoreDocument } from './document.js';
export { loadScoreFiles, loadYamlFile, readBinaryFile, readTextFile } from './loader.js';
export type { TextReader } from './loader.js';
export { validateScore, assertValidScore, formatIssue, formatIssues, issueField } from './validate.js';
export type { ValidateOptions } from './validate.js';
export { convertScoreToDelta, sharedResourceKey, DEFAULT_PROFILE, DEFAULT_DELTA_NAME, RESOURCE_ID_ANNOTATION, WORKLOAD_SOURCE_ANNOTATION } from './convert.js';
export type { ConvertOptions } from './convert.js';
export {
  substitutePlaceholders,
  scoreResolver,
  tokenizePlaceholders,
  findPlaceholders,
  splitReference,
  placeholderValueToString,
  PlaceholderError,
} from './placeholders.js';
export type { PlaceholderResolver, PlaceholderToken, ScoreLookupContext } from './placeholders.js';
export { parseExtensions } from './extensions.js';
export type { ScoreExtensions } from './extensions.js';
export { parsePropertyOverride, parseDotPath, applyPropertyOverride, applyOverrides, deepMerge } from './overrides.js';
export type { PropertyOverride, WorkloadOverrides } from './overrides.js';
export { resourceUid } from './semantic.js';
export { upgradeDeprecatedForms } from './upgrade.js';
export type * from './types.js';
