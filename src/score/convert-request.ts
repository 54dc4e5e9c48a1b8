/**
 * `POST /orgs/{orgId}/artefact-versions/convert-score`: a Score spec (JSON, as the API receives it) with optional
 * overrides, property overrides, resource-type aliases and Humanitec extensions, converted to the deployment-set
 * fragment Humanitec returns (`WorkloadArtefactVersionDeploymentSet`: `{modules, shared}` where `shared` is a map,
 * not JSON-Patch). The conversion itself is src/score's `convertScoreToDelta`; this adapts its input and output.
 */
import { convertScoreToDelta, parseScoreDocuments } from './index.js';
import type { ModuleRequest, PropertyOverride } from './index.js';

export interface ConvertScoreRequest {
  spec: object;
  image?: string | undefined;
  overrides?: object | undefined;
  /** Dotted path → value; `null` deletes the property. */
  property_overrides?: object | undefined;
  /** Resource type → the type to use instead (e.g. `s3` → `my-org/s3`). */
  resource_type_aliases?: Record<string, string> | undefined;
  extensions?: unknown;
}

export interface SetFragment {
  modules: Record<string, ModuleRequest>;
  shared: Record<string, Record<string, unknown>>;
}

/** The name used for the spec in error messages (`spec:line:column: ...`, lines of the spec pretty-printed as JSON). */
export const SPEC_FILE_NAME = 'spec';

function unescapePointerSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function aliased<T extends { type: string }>(resource: T, aliases: Record<string, string>): T {
  const alias = Object.hasOwn(aliases, resource.type) ? aliases[resource.type] : undefined;
  return alias === undefined ? resource : { ...resource, type: alias };
}

export function convertScoreToSetFragment(request: ConvertScoreRequest): SetFragment {
  // Pretty-printed so that the line:column of a validation error points at one property of the spec.
  const documents = parseScoreDocuments(JSON.stringify(request.spec, null, 2), SPEC_FILE_NAME);
  const properties: PropertyOverride[] = Object.entries<unknown>({ ...request.property_overrides }).map(([path, value]) => ({
    path,
    value: value === null ? undefined : value,
  }));
  const delta = convertScoreToDelta(documents, {
    ...(request.image !== undefined ? { image: request.image } : {}),
    ...(request.extensions !== undefined ? { extensions: request.extensions } : {}),
    ...(request.overrides !== undefined ? { overrides: request.overrides } : {}),
    properties,
  });

  const aliases = request.resource_type_aliases ?? {};
  const modules: Record<string, ModuleRequest> = {};
  for (const [name, module] of Object.entries(delta.modules.add)) {
    modules[name] =
      module.externals === undefined
        ? module
        : { ...module, externals: Object.fromEntries(Object.entries(module.externals).map(([key, ref]) => [key, aliased(ref, aliases)])) };
  }
  const shared: Record<string, Record<string, unknown>> = {};
  for (const op of delta.shared) {
    const segments = op.path.split('/').slice(1);
    const value = op.value as { type: string } | undefined;
    // The Score conversion only emits `add /<name>` of whole shared resources; anything else would be a bug there.
    if (op.op !== 'add' || segments.length !== 1 || value === undefined) {
      throw new Error(`unexpected shared operation from the Score conversion: ${op.op} ${op.path}`);
    }
    shared[unescapePointerSegment(segments[0]!)] = aliased(value, aliases);
  }
  return { modules, shared };
}
