import { parseAllDocuments, LineCounter, isMap, isScalar } from 'yaml';
import { assertValueDepth } from '../shared/input-limits.js';
import { InvalidInput } from '../shared/errors.js';
import { validateDefinitionRequest, type ResourceDefinition, type ValidateDefinitionOptions } from './definitions.js';

/**
 * Humanitec's manifest form for definitions (what `humctl apply -f` and the example libraries use):
 *
 *   apiVersion: entity.humanitec.io/v1b1
 *   kind: Definition
 *   metadata: {id: my-def}
 *   entity: {name, type, driver_type, driver_inputs, provision, criteria, ...}
 *
 * The entity is the API request body minus `id`, so it goes through the same validation unchanged.
 */
export const DEFINITION_API_VERSION = 'entity.humanitec.io/v1b1';
export const DEFINITION_KIND = 'Definition';

export interface ParsedDefinitionManifest {
  definition: ResourceDefinition;
  /** Where the document starts, for messages (`defs.yaml:12:1`). */
  source: { file: string; line: number; col: number; documentIndex: number };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses one or more `---`-separated Definition manifests. Empty documents are skipped.
 * Every error (YAML syntax or definition rule) names the file, line and column of the offending document.
 */
export function parseDefinitionManifests(
  yamlText: string,
  fileName: string,
  options: ValidateDefinitionOptions = {},
): ParsedDefinitionManifest[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(yamlText, { lineCounter, prettyErrors: true });
  const docs = Array.isArray(documents) ? documents : [];
  const results: ParsedDefinitionManifest[] = [];
  const issues: string[] = [];
  docs.forEach((doc, documentIndex) => {
    const startOffset = doc.contents?.range[0] ?? doc.range[0];
    const start = lineCounter.linePos(startOffset);
    const where = `${fileName}:${start.line}:${start.col}`;
    for (const error of doc.errors) {
      const pos = error.linePos?.[0] ?? start;
      issues.push(`${fileName}:${pos.line}:${pos.col}: ${error.message.split('\n')[0] ?? error.message}`);
    }
    if (doc.errors.length > 0) return;
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return;
    if (!isMap(doc.contents)) {
      issues.push(`${where}: a manifest must be a mapping with apiVersion, kind, metadata and entity`);
      return;
    }
    let manifest: unknown;
    try {
      manifest = doc.toJS({ maxAliasCount: 100 });
      assertValueDepth(manifest, 'the manifest');
    } catch (error) {
      // yaml's ReferenceError for an alias bomb ("Excessive alias count"), or a document nested too deep
      issues.push(`${where}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (!isPlainObject(manifest)) return;
    if (manifest.apiVersion !== DEFINITION_API_VERSION) {
      issues.push(`${where}: apiVersion must be "${DEFINITION_API_VERSION}" (got ${JSON.stringify(manifest.apiVersion)})`);
      return;
    }
    if (manifest.kind !== DEFINITION_KIND) {
      issues.push(`${where}: kind must be "${DEFINITION_KIND}" (got ${JSON.stringify(manifest.kind)})`);
      return;
    }
    const metadata = manifest.metadata;
    if (!isPlainObject(metadata) || typeof metadata.id !== 'string') {
      issues.push(`${where}: metadata.id is required`);
      return;
    }
    if (!isPlainObject(manifest.entity)) {
      issues.push(`${where}: entity must be a mapping`);
      return;
    }
    try {
      const definition = validateDefinitionRequest({ ...manifest.entity, id: metadata.id }, options);
      results.push({ definition, source: { file: fileName, line: start.line, col: start.col, documentIndex } });
    } catch (error) {
      issues.push(`${where}: ${(error as Error).message}`);
    }
  });
  if (issues.length > 0) {
    throw new InvalidInput(issues.length === 1 ? issues[0]! : `${fileName}: ${issues.length} problems:\n${issues.join('\n')}`, {
      file: fileName,
      issues,
    });
  }
  return results;
}

/** The inverse: a definition as a manifest object (for `baton get def -o yaml` and round-trips). */
export function toDefinitionManifest(definition: ResourceDefinition): Record<string, unknown> {
  const { id, version_id: _v, created_at: _c, is_deleted: _d, is_default: _i, ...entity } = definition;
  const criteria = entity.criteria.map(({ id: _id, ...rest }) => rest);
  return { apiVersion: DEFINITION_API_VERSION, kind: DEFINITION_KIND, metadata: { id }, entity: { ...entity, criteria } };
}
