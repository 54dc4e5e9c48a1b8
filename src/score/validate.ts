/**
 * The validation pipeline for one or several Score documents, collecting every problem:
 * YAML syntax → overrides → upgrade of deprecated arrays → JSON schema → semantic checks
 * (placeholders, `before`) → checks across workloads (duplicate names, shared resources).
 */
import { InvalidInput } from '../shared/errors.js';
import { fromPointer, toPointer } from './document.js';
import type { ScoreDocument } from './document.js';
import { applyOverrides, hasOverrides } from './overrides.js';
import type { WorkloadOverrides } from './overrides.js';
import { validateAgainstSchema } from './schema-validation.js';
import { checkBefore, checkOutputNames, checkResourceTypeNames, checkPlaceholders, checkResources, checkServicePorts, checkSharedResources } from './semantic.js';
import type { JsonPath, ScoreIssue, ScoreValidationResult, ScoreWorkload } from './types.js';
import { upgradeDeprecatedForms } from './upgrade.js';

export type ValidateOptions = WorkloadOverrides;

/**
 * An issue whose line and column are looked up on first read: finding a position may need the
 * position-aware YAML tree, which the fast parse path only builds on demand (see document.ts), and
 * callers often only count warnings (e.g. the deprecated-array notices) without printing them.
 */
function issueAt(document: ScoreDocument, path: JsonPath, message: string, locatePath: JsonPath = path, atKey = false): ScoreIssue {
  let position: { line: number; column: number } | undefined;
  const at = () => (position ??= document.locate(locatePath, atKey));
  return {
    file: document.file,
    path: toPointer(path),
    get line() {
      return at().line;
    },
    get column() {
      return at().column;
    },
    message,
  };
}

/** Validates parsed Score documents; never throws for problems in the documents themselves. */
export function validateScore(documents: readonly ScoreDocument[], options: ValidateOptions = {}): ScoreValidationResult {
  const errors: ScoreIssue[] = [];
  const warnings: ScoreIssue[] = [];
  const valid: { document: ScoreDocument; spec: ScoreWorkload }[] = [];

  if (hasOverrides(options) && documents.length !== 1) {
    errors.push({
      file: documents[0]?.file ?? '',
      path: '/',
      line: 1,
      column: 1,
      message: `overrides and property overrides need exactly one workload, got ${documents.length}`,
    });
    return { errors, warnings, workloads: [] };
  }

  for (const document of documents) {
    if (document.syntaxErrors.length > 0) {
      errors.push(...document.syntaxErrors);
      continue;
    }
    let value = document.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      errors.push(issueAt(document, [], 'a Score workload must be a YAML map with apiVersion, metadata and containers'));
      continue;
    }
    if (hasOverrides(options)) {
      try {
        value = applyOverrides(value, options);
      } catch (error) {
        if (!(error instanceof InvalidInput)) throw error;
        errors.push(issueAt(document, [], error.message));
        continue;
      }
    }
    const upgraded = upgradeDeprecatedForms(value);
    for (const notice of upgraded.notices) warnings.push(issueAt(document, notice.path, notice.message));
    const documentErrors: ScoreIssue[] = upgraded.errors.map((problem) => issueAt(document, problem.path, problem.message));
    for (const problem of validateAgainstSchema(upgraded.value)) {
      documentErrors.push(issueAt(document, problem.path, problem.message, problem.locatePath, problem.atKey));
    }
    // Semantic checks run even when the schema failed (they tolerate any shape), so that one run
    // reports every mistake of the file.
    const candidate = upgraded.value as ScoreWorkload;
    for (const problem of [...checkPlaceholders(candidate), ...checkBefore(candidate), ...checkResources(candidate)]) {
      documentErrors.push(issueAt(document, problem.path, problem.message));
    }
    for (const problem of [...checkResourceTypeNames(candidate), ...checkOutputNames(candidate)]) warnings.push(issueAt(document, problem.path, problem.message));
    if (documentErrors.length === 0) valid.push({ document, spec: candidate });
    errors.push(...documentErrors);
  }

  const seenNames = new Map<string, ScoreDocument>();
  for (const { document, spec } of valid) {
    const earlier = seenNames.get(spec.metadata.name);
    if (earlier) {
      errors.push(
        issueAt(document, ['metadata', 'name'], `workload name '${spec.metadata.name}' is already used by ${earlier.file}; workload names must be unique`),
      );
    } else seenNames.set(spec.metadata.name, document);
  }
  for (const { workloadIndex, problem } of [...checkSharedResources(valid.map((entry) => entry.spec)), ...checkServicePorts(valid.map((entry) => entry.spec))]) {
    errors.push(issueAt(valid[workloadIndex]!.document, problem.path, problem.message));
  }

  return {
    errors,
    warnings,
    workloads: errors.length > 0 ? [] : valid.map(({ document, spec }) => ({ file: document.file, spec })),
  };
}

/** The field an issue is about in the Score file's own terms: `containers.main.livenessProbe` (`\.` for a dot in a key). */
export function issueField(issue: Pick<ScoreIssue, 'path'>): string {
  const segments = fromPointer(issue.path);
  return segments.length === 0 ? '(document)' : segments.map((segment) => segment.replace(/\./g, '\\.')).join('.');
}

/** One issue the way compilers print them: `file:line:column: field: message`. */
export function formatIssue(issue: ScoreIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issueField(issue)}: ${issue.message}`;
}

/** Formats issues one per line (`formatIssue`). */
export function formatIssues(issues: readonly ScoreIssue[]): string {
  return issues.map(formatIssue).join('\n');
}

/** Like `validateScore` but throws `InvalidInput` with `details.issues` when anything is wrong. */
export function assertValidScore(documents: readonly ScoreDocument[], options: ValidateOptions = {}): ScoreValidationResult {
  const result = validateScore(documents, options);
  if (result.errors.length > 0) {
    const count = result.errors.length;
    throw new InvalidInput(`the Score input has ${count} error${count === 1 ? '' : 's'}:\n${formatIssues(result.errors)}`, {
      issues: result.errors,
      warnings: result.warnings,
    });
  }
  return result;
}
