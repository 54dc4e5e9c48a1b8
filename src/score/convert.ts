/**
 * Conversion of validated Score workloads into a Humanitec Delta (`DeltaRequest`): one module per
 * workload under `modules.add`, private resources as the module's `externals`, shared resources (those
 * with an `id`) as `shared` JSON-patch adds. Score placeholders become deployment-set placeholders:
 * `${resources.db.host}` → `${externals.db.host}` or `${shared.<id>.host}`, `environment` resources →
 * `${values.X}`, `${metadata.*}` → its value. Pure: file sources are read through a function the
 * caller passes in.
 */
import { dirname, isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { InvalidInput } from '../shared/errors.js';
import { checkId } from '../shared/ids.js';
import type { ScoreDocument } from './document.js';
import { fromPointer, toPointer } from './document.js';
import { closestName } from '../shared/suggest.js';
import { parseExtensions } from './extensions.js';
import type { ScoreExtensions } from './extensions.js';
import { deepMerge } from './overrides.js';
import type { WorkloadOverrides } from './overrides.js';
import { splitReference, tokenizePlaceholders } from './placeholders.js';
import type {
  DeltaRequest,
  JsonPath,
  ModuleRequest,
  ScoreContainer,
  ScoreIssue,
  ScoreProbe,
  ScoreWorkload,
  UpdateAction,
  ValidatedWorkload,
} from './types.js';
import { assertValidScore, formatIssues } from './validate.js';

export const DEFAULT_PROFILE = 'humanitec/default-module';
export const DEFAULT_DELTA_NAME = 'Auto-generated (SCORE)';
export const RESOURCE_ID_ANNOTATION = 'score.humanitec.io/resId';
/** score-humanitec's annotation (and humctl's `--workload-source-url`) naming where a workload's source lives. */
export const WORKLOAD_SOURCE_ANNOTATION = 'humanitec.io/workload-source';
const DEFAULT_CLASS = 'default';

export interface ConvertOptions extends WorkloadOverrides {
  /** Replaces every `image: "."` (the image supplied at deploy time). */
  image?: string;
  /** The image for `image: "."` per workload name; wins over `image` (a deploy config's per-workload image). */
  imageByWorkload?: Record<string, string>;
  /** Extensions (a parsed humanitec.score.yaml) applied to every workload. */
  extensions?: unknown;
  /** Extensions per workload name; wins over `extensions`. */
  extensionsByWorkload?: Record<string, unknown>;
  /** The files `extensions` / `extensionsByWorkload` were read from, named in their problems. */
  extensionsFile?: string;
  extensionsFileByWorkload?: Record<string, string>;
  /** Positions in the extensions files, by file name (e.g. `parseScoreDocuments(text, file)[0].locate`); 1:1 without. */
  extensionsLocate?: Record<string, ScoreDocument['locate']>;
  appId?: string;
  envId?: string;
  /** Delta name; defaults to "Auto-generated (SCORE)". */
  deltaName?: string;
  /**
   * Reads a file named by `containers.*.files.*.source`, given its absolute path (relative sources are
   * resolved against the Score file's directory). Without it, file sources are an error.
   */
  readFile?: (absolutePath: string) => Uint8Array | string;
  /**
   * Directory every `files.*.source` must lie in (after resolving `..` and absolute paths). Without it, the
   * directory of the Score file naming the source: a Score file cannot pull files from elsewhere on the machine
   * that converts it (a CI runner's keys, tokens), as the reference tools refuse too.
   */
  fileRoot?: string;
  /** Sets the `humanitec.io/workload-source` annotation of every workload (`--workload-source-url`). */
  workloadSourceUrl?: string;
}

/** Whether `path` is `root` itself or lies below it. */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The key of a shared resource in the set: score-humanitec's naming, `<id>` for the default class and
 * `<id>-class-<class>` otherwise, so that two classes of the same id stay two resources.
 */
export function sharedResourceKey(id: string, resourceClass: string | undefined): string {
  return resourceClass === undefined || resourceClass === '' || resourceClass === DEFAULT_CLASS ? id : `${id}-class-${resourceClass}`;
}

type Binding =
  | { kind: 'values' }
  | { kind: 'module'; workload: string }
  | { kind: 'externals'; key: string }
  /** Another module's private resource (`score.humanitec.io/resId: modules.<w>.externals.<r>`): referenced, not declared. */
  | { kind: 'foreign'; workload: string; key: string }
  | { kind: 'shared'; key: string; id: string };

/** A segment with a dot is written in the bracket form the deployment-set placeholders accept. */
function joinSegments(segments: readonly string[]): string {
  return segments.map((segment) => (segment.includes('.') ? `['${segment}']` : segment)).join('.').replace(/\.\[/g, '[');
}

/** Literal `${` must not be read as a placeholder by the orchestrator; its escape is `$\{`. */
function escapeLiteral(text: string): string {
  return text.replace(/\$\{/g, '$\\{');
}

class WorkloadConverter {
  readonly issues: ScoreIssue[] = [];
  readonly bindings = new Map<string, Binding>();

  constructor(
    private readonly workload: ScoreWorkload,
    private readonly file: string,
    private readonly document: ScoreDocument | undefined,
    extensions: ScoreExtensions | undefined,
    private readonly extensionsSource: { file: string; locate?: ScoreDocument['locate'] } = { file: 'extensions' },
  ) {
    for (const [name, resource] of Object.entries(workload.resources ?? {})) {
      if (resource.type === 'environment') {
        this.bindings.set(name, { kind: 'values' });
        continue;
      }
      if (resource.type === 'service') {
        this.bindings.set(name, { kind: 'module', workload: name });
        continue;
      }
      const annotated = resource.metadata?.annotations?.[RESOURCE_ID_ANNOTATION];
      const scope = extensions?.resources?.[name]?.scope;
      const shared = (id: string) => this.bindings.set(name, { kind: 'shared', id, key: sharedResourceKey(id, resource.class) });
      const moduleRef = annotated === undefined ? undefined : /^modules\.([^.]+)\.externals\.([^.]+)$/.exec(annotated);
      if (resource.id !== undefined) shared(resource.id);
      else if (annotated?.startsWith('shared.')) shared(annotated.slice('shared.'.length));
      else if (annotated?.startsWith('externals.')) this.bindings.set(name, { kind: 'externals', key: annotated.slice('externals.'.length) });
      else if (moduleRef) {
        const [, owner, key] = moduleRef as unknown as [string, string, string];
        this.bindings.set(name, owner === workload.metadata.name ? { kind: 'externals', key } : { kind: 'foreign', workload: owner, key });
      } else if (annotated !== undefined) {
        this.fail(['resources', name, 'metadata', 'annotations', RESOURCE_ID_ANNOTATION], `resource '${name}': annotation ${RESOURCE_ID_ANNOTATION} '${annotated}' must be externals.<id>, shared.<id> or modules.<workload>.externals.<id>`);
        this.bindings.set(name, { kind: 'externals', key: name });
      } else if (scope === 'shared') shared(name);
      else this.bindings.set(name, { kind: 'externals', key: name });
    }
  }

  fail(path: JsonPath, message: string): void {
    if (path[0] === '(extensions)') {
      // A problem in the extensions file's spec: its own file and position.
      const inner = path.slice(1);
      const { line, column } = this.extensionsSource.locate?.(inner) ?? { line: 1, column: 1 };
      this.issues.push({ file: this.extensionsSource.file, path: toPointer(inner), line, column, message });
      return;
    }
    const { line, column } = this.document?.locate(path) ?? { line: 1, column: 1 };
    this.issues.push({ file: this.file, path: toPointer(path), line, column, message });
  }

  /** Rewrites one reference into deployment-set terms; returns a literal or a placeholder. */
  private rewrite(ref: string, path: JsonPath): { literal: string } | { placeholder: string } | undefined {
    const [root, ...keys] = splitReference(ref);
    if (root === 'metadata' && keys.length > 0) {
      let current: unknown = this.workload.metadata;
      for (const key of keys) {
        if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) {
          const meant = current !== null && typeof current === 'object' && key.length <= 64 ? closestName(key, Object.keys(current)) : undefined;
          this.fail(path, `placeholder \${${ref}}: metadata has no key '${key}'${meant ? ` (did you mean '${meant}'?)` : ''}`);
          return undefined;
        }
        current = (current as Record<string, unknown>)[key];
      }
      return { literal: typeof current === 'string' ? current : JSON.stringify(current) };
    }
    if (root === 'resources' && keys.length > 0) {
      const [name, ...outputKeys] = keys as [string, ...string[]];
      const binding = this.bindings.get(name);
      if (!binding) {
        const meant = name.length <= 64 ? closestName(name, [...this.bindings.keys()]) : undefined;
        this.fail(path, `placeholder \${${ref}}: no resource named '${name}' is declared${meant ? ` (did you mean '${meant}'?)` : ''}`);
        return undefined;
      }
      if (binding.kind === 'values') {
        if (outputKeys.length === 0) {
          this.fail(path, `placeholder \${${ref}}: an environment resource needs a key, e.g. \${resources.${name}.MY_VALUE}`);
          return undefined;
        }
        return { placeholder: `\${values.${joinSegments(outputKeys)}}` };
      }
      const base =
        binding.kind === 'module'
          ? `modules.${binding.workload}`
          : binding.kind === 'foreign'
            ? `modules.${binding.workload}.externals.${binding.key}`
            : `${binding.kind}.${binding.key}`;
      if (outputKeys.length === 0) return { literal: base };
      const inner = binding.kind === 'module' ? ['service', ...outputKeys] : outputKeys;
      return { placeholder: `\${${base}.${joinSegments(inner)}}` };
    }
    this.fail(path, `placeholder \${${ref}} cannot be resolved: expected \${metadata.KEY} or \${resources.NAME.KEY}`);
    return undefined;
  }

  /** Substitutes a string; literal text is escaped so the orchestrator never expands it again. */
  substitute(text: string, path: JsonPath): string {
    let output = '';
    let literal = '';
    for (const token of tokenizePlaceholders(text)) {
      if (token.kind === 'text') {
        literal += token.text;
        continue;
      }
      const rewritten = this.rewrite(token.ref, path);
      if (!rewritten) continue;
      if ('literal' in rewritten) literal += rewritten.literal;
      else {
        output += escapeLiteral(literal) + rewritten.placeholder;
        literal = '';
      }
    }
    return output + escapeLiteral(literal);
  }

  /** Substitutes every string (and map key) of a JSON value. */
  substituteAll(value: unknown, path: JsonPath, keys = false): unknown {
    if (typeof value === 'string') return this.substitute(value, path);
    if (Array.isArray(value)) return value.map((item, index) => this.substituteAll(item, [...path, index], keys));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, inner]) => [
          keys ? this.substitute(key, [...path, key]) : key,
          this.substituteAll(inner, [...path, key], keys),
        ]),
      );
    }
    return value;
  }
}

function probe(spec: ScoreProbe): Record<string, unknown> | undefined {
  if (spec.httpGet) {
    return {
      type: 'http',
      path: spec.httpGet.path,
      port: spec.httpGet.port,
      ...(spec.httpGet.scheme !== undefined ? { scheme: spec.httpGet.scheme } : {}),
      ...(spec.httpGet.host !== undefined ? { host: spec.httpGet.host } : {}),
      ...(spec.httpGet.httpHeaders?.length
        ? { headers: Object.fromEntries(spec.httpGet.httpHeaders.map((header) => [header.name, header.value])) }
        : {}),
    };
  }
  if (spec.exec) return { type: 'command', command: [...spec.exec.command] };
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function convertContainer(
  converter: WorkloadConverter,
  name: string,
  container: ScoreContainer,
  scoreFile: string,
  options: ConvertOptions,
  workloadName: string,
): Record<string, unknown> {
  const base = ['containers', name];
  const result: Record<string, unknown> = { id: name };
  if (container.image === '.') {
    const image = options.imageByWorkload?.[workloadName] ?? options.image;
    if (image) result.image = image;
    else converter.fail([...base, 'image'], `container '${name}' has image "." (supplied at deploy time) but no image was given (--image)`);
  } else result.image = container.image;
  if (container.command) result.command = [...container.command];
  if (container.args) result.args = [...container.args];
  if (container.variables && Object.keys(container.variables).length > 0) {
    result.variables = Object.fromEntries(
      Object.entries(container.variables).map(([key, value]) => [key, converter.substitute(value, [...base, 'variables', key])]),
    );
  }
  if (container.resources && (container.resources.limits || container.resources.requests)) {
    result.resources = structuredClone(container.resources);
  }
  const liveness = container.livenessProbe && probe(container.livenessProbe);
  if (liveness) result.liveness_probe = liveness;
  const readiness = container.readinessProbe && probe(container.readinessProbe);
  if (readiness) result.readiness_probe = readiness;

  if (container.files && Object.keys(container.files).length > 0) {
    const files: Record<string, unknown> = {};
    for (const [target, file] of Object.entries(container.files)) {
      const path = [...base, 'files', target];
      let text: string | undefined;
      let expand = !file.noExpand;
      if (file.content !== undefined) text = file.content;
      else if (file.binaryContent !== undefined) {
        expand = false; // binary content is never expanded
        text = decodeUtf8(Buffer.from(file.binaryContent, 'base64'));
        if (text === undefined) converter.fail([...path, 'binaryContent'], `file '${target}': binaryContent must decode to UTF-8 text, deployment-set files are text`);
      } else if (file.source !== undefined) {
        const absolute = isAbsolute(file.source) ? resolvePath(file.source) : resolvePath(dirname(scoreFile), file.source);
        const root = resolvePath(options.fileRoot ?? dirname(scoreFile));
        if (!isInside(root, absolute)) {
          converter.fail(
            [...path, 'source'],
            `file '${target}': source '${file.source}' is outside ${options.fileRoot === undefined ? "the Score file's directory" : 'the allowed file root'} ${root}; ` +
              'sources must lie below it (the CLI flag --file-root widens it)',
          );
        } else if (!options.readFile) {
          converter.fail([...path, 'source'], `file '${target}': cannot read source '${file.source}' (no file reader was given)`);
        } else {
          try {
            const raw = options.readFile(absolute);
            text = typeof raw === 'string' ? raw : decodeUtf8(raw);
            if (text === undefined) converter.fail([...path, 'source'], `file '${target}': source '${file.source}' is not UTF-8 text`);
          } catch (error) {
            converter.fail([...path, 'source'], `file '${target}': cannot read source '${file.source}' (${absolute}): ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      }
      if (text === undefined) continue;
      files[target] = {
        ...(file.mode !== undefined ? { mode: file.mode } : {}),
        value: expand ? converter.substitute(text, [...path, file.content !== undefined ? 'content' : 'source']) : escapeLiteral(text),
      };
    }
    result.files = files;
  }
  if (container.volumes && Object.keys(container.volumes).length > 0) {
    result.volume_mounts = Object.fromEntries(
      Object.entries(container.volumes).map(([target, volume]) => [
        target,
        {
          id: converter.substitute(volume.source, [...base, 'volumes', target, 'source']),
          sub_path: volume.path ?? '',
          read_only: volume.readOnly ?? false,
        },
      ]),
    );
  }
  return result;
}

function isDocument(value: ScoreDocument | ValidatedWorkload): value is ScoreDocument {
  return 'locate' in value;
}

/**
 * Converts Score workloads to one Delta. `input` is either parsed documents (validated here, with the
 * overrides of `options` applied first) or workloads that already passed `validateScore`.
 * Throws `InvalidInput` with `details.issues` (file, path, line, column, message) for every problem.
 */
export function convertScoreToDelta(
  input: readonly ScoreDocument[] | readonly ValidatedWorkload[],
  options: ConvertOptions = {},
): DeltaRequest {
  if (options.appId !== undefined) checkId('appId', options.appId);
  if (options.envId !== undefined) checkId('envId', options.envId);

  let workloads: ValidatedWorkload[];
  const documentsByFile = new Map<ValidatedWorkload, ScoreDocument>();
  if (input.length > 0 && input.every(isDocument)) {
    const documents = input;
    workloads = assertValidScore(documents, options).workloads;
    // validateScore keeps the order of the valid documents, so positions line up.
    workloads.forEach((workload, index) => documentsByFile.set(workload, documents[index]!));
  } else {
    if (options.overrides !== undefined || (options.properties?.length ?? 0) > 0) {
      throw new InvalidInput('overrides can only be applied to parsed documents, before validation', { field: 'overrides' });
    }
    workloads = input as ValidatedWorkload[];
  }
  if (workloads.length === 0) throw new InvalidInput('no Score workload to convert', { issues: [] });

  const issues: ScoreIssue[] = [];
  const modules: Record<string, ModuleRequest> = {};
  const shared: UpdateAction[] = [];
  const sharedIndex = new Map<string, number>();

  for (const workload of workloads) {
    const spec = workload.spec;
    const name = spec.metadata.name;
    const rawExtensions = options.extensionsByWorkload?.[name] ?? options.extensions;
    let extensions: ScoreExtensions | undefined;
    const extensionsFile = (options.extensionsByWorkload?.[name] !== undefined ? options.extensionsFileByWorkload?.[name] : options.extensionsFile) ?? 'extensions';
    const locateInExtensions = options.extensionsLocate?.[extensionsFile];
    if (rawExtensions !== undefined) {
      const parsed = parseExtensions(rawExtensions);
      for (const problem of parsed.problems) {
        // An unknown key is shown at the key itself, anything else at its value.
        const { line, column } = locateInExtensions?.(fromPointer(problem.path), problem.message.startsWith('unknown property')) ?? { line: 1, column: 1 };
        issues.push({ file: extensionsFile, path: problem.path, line, column, message: `extensions for '${name}': ${problem.message}` });
      }
      extensions = parsed.extensions;
    }
    const converter = new WorkloadConverter(spec, workload.file, documentsByFile.get(workload), extensions, {
      file: extensionsFile,
      ...(locateInExtensions ? { locate: locateInExtensions } : {}),
    });

    const containers = Object.fromEntries(
      Object.entries(spec.containers).map(([containerName, container]) => [
        containerName,
        convertContainer(converter, containerName, container, workload.file, options, name),
      ]),
    );
    let moduleSpec: Record<string, unknown> = { containers };
    // The workload's annotations go to its pods (as score-k8s does), with the workload source when given.
    const annotations: Record<string, string> = Object.fromEntries(
      Object.entries(spec.metadata.annotations ?? {}).map(([key, value]) => [key, escapeLiteral(value)]),
    );
    if (options.workloadSourceUrl !== undefined) annotations[WORKLOAD_SOURCE_ANNOTATION] = options.workloadSourceUrl;
    if (Object.keys(annotations).length > 0) moduleSpec.annotations = annotations;
    const ports = spec.service?.ports ?? {};
    if (Object.keys(ports).length > 0) {
      moduleSpec.service = {
        ports: Object.fromEntries(
          Object.entries(ports).map(([portName, port]) => [
            portName,
            { protocol: port.protocol ?? 'TCP', service_port: port.port, container_port: port.targetPort ?? port.port },
          ]),
        ),
      };
    }
    if (extensions?.spec) {
      moduleSpec = deepMerge(moduleSpec, converter.substituteAll(extensions.spec, ['(extensions)', 'spec'], true)) as Record<string, unknown>;
    }

    const externals: NonNullable<ModuleRequest['externals']> = {};
    for (const [resourceName, resource] of Object.entries(spec.resources ?? {})) {
      const binding = converter.bindings.get(resourceName);
      if (!binding || binding.kind === 'values' || binding.kind === 'module' || binding.kind === 'foreign') continue;
      const params =
        resource.params && Object.keys(resource.params).length > 0
          ? (converter.substituteAll(resource.params, ['resources', resourceName, 'params']) as Record<string, unknown>)
          : undefined;
      const value: { type: string; class: string; params?: Record<string, unknown>; id?: string } = {
        type: resource.type,
        class: resource.class ?? DEFAULT_CLASS,
        ...(params ? { params } : {}),
      };
      if (binding.kind === 'externals') {
        externals[binding.key] = value;
      } else {
        // As score-humanitec: a class other than the default keeps the id it shares in `id`.
        if (binding.key !== binding.id) value.id = `shared.${binding.id}`;
        const existing = sharedIndex.get(binding.key);
        const existingType = existing === undefined ? undefined : (shared[existing]!.value as { type: string }).type;
        if (existingType !== undefined && existingType !== resource.type) {
          converter.fail(
            ['resources', resourceName, 'type'],
            `resource '${resourceName}': shared resource '${binding.key}' is already declared with type '${existingType}'; one shared id and class name one resource`,
          );
        } else if (existing === undefined) {
          sharedIndex.set(binding.key, shared.length);
          shared.push({ op: 'add', path: `/${binding.key.replace(/~/g, '~0').replace(/\//g, '~1')}`, value });
        } else if (params && !(shared[existing]!.value as { params?: unknown }).params) {
          shared[existing] = { ...shared[existing]!, value }; // the declaration with params defines the resource
        }
      }
    }

    const module: ModuleRequest = { profile: extensions?.profile ?? DEFAULT_PROFILE, spec: moduleSpec };
    if (Object.keys(externals).length > 0) module.externals = externals;
    if (extensions?.deploy) module.deploy = { ...extensions.deploy };
    modules[name] = module;
    issues.push(...converter.issues);
  }

  if (issues.length > 0) {
    throw new InvalidInput(
      `the Score input cannot be converted (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        formatIssues(issues),
      { issues },
    );
  }
  return {
    metadata: { name: options.deltaName ?? DEFAULT_DELTA_NAME, ...(options.envId ? { env_id: options.envId } : {}) },
    modules: { add: modules },
    shared,
  };
}
