/**
 * What `baton score validate|convert|deploy` share: reading the Score files (each must hold a workload), the
 * extensions and overrides files, and a deploy config, and converting them into one delta.
 *
 * A deploy config is humctl's `ScoreDeployConfig` (`apiVersion: config.humanitec.io/v1b1`, `kind: ScoreDeployConfig`,
 * `workloads: [{name, specFile, extensionsFile?, image?}]`, paths relative to the config file): it lists the
 * workloads to deploy together, each with its own extensions file. Baton's earlier form, deploy conditions only
 * (`{when, success, timeout}` for every workload or `{workloads: {name: {...}}}`), is still read.
 * The Score module is imported when a command runs, not when the commands are registered.
 */
import { dirname, resolve } from 'node:path';
import { InvalidInput } from '../../shared/errors.js';
import type { DeltaRequest, DeployCondition, ScoreDocument, ScoreIssue } from '../../score/index.js';
import { UsageError } from '../errors.js';
import { yaml } from '../lazy.js';

export const DEPLOY_CONFIG_API_VERSION = 'config.humanitec.io/v1b1';
export const DEPLOY_CONFIG_KIND = 'ScoreDeployConfig';

export interface ScoreInputReader {
  readTextFile: (path: string) => string;
  readBinaryFile: (path: string) => Uint8Array;
}

export interface ScoreInputFlags {
  files: readonly string[];
  extensions?: string;
  image?: string;
  properties?: readonly string[];
  overridesFile?: string;
  /** Directory file sources may come from (default: each Score file's directory). */
  fileRoot?: string;
  workloadSourceUrl?: string;
  deployConfig?: string;
  appId?: string;
  envId?: string;
  deltaName?: string;
}

export interface DeployConfigWorkload {
  name: string;
  specFile: string;
  extensionsFile?: string;
  image?: string;
}

export type DeployConfig =
  | { kind: 'workloads'; workloads: DeployConfigWorkload[] }
  | { kind: 'conditions'; all?: unknown; byWorkload?: Record<string, unknown> };

const WORKLOAD_KEYS = ['name', 'specFile', 'extensionsFile', 'image'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads a parsed deploy config; every mistake is a UsageError naming the file and the entry. */
export function parseDeployConfig(value: unknown, file: string): DeployConfig {
  if (!isRecord(value)) throw new UsageError(`${file}: a deploy config must be a YAML map`);
  const isScoreDeployConfig = value.kind !== undefined || value.apiVersion !== undefined || Array.isArray(value.workloads);
  if (!isScoreDeployConfig) {
    const byWorkload = value.workloads;
    if (byWorkload !== undefined && !isRecord(byWorkload)) throw new UsageError(`${file}: workloads must be a map of workload name to deploy condition`);
    return byWorkload !== undefined ? { kind: 'conditions', byWorkload } : { kind: 'conditions', all: value.deploy ?? value };
  }
  if (value.kind !== DEPLOY_CONFIG_KIND) throw new UsageError(`${file}: kind must be ${DEPLOY_CONFIG_KIND}, got ${JSON.stringify(value.kind)}`);
  if (value.apiVersion !== DEPLOY_CONFIG_API_VERSION) {
    throw new UsageError(`${file}: apiVersion must be ${DEPLOY_CONFIG_API_VERSION}, got ${JSON.stringify(value.apiVersion)}`);
  }
  for (const key of Object.keys(value)) {
    if (!['apiVersion', 'kind', 'workloads'].includes(key)) throw new UsageError(`${file}: unknown property '${key}' (expected apiVersion, kind, workloads)`);
  }
  if (!Array.isArray(value.workloads) || value.workloads.length === 0) throw new UsageError(`${file}: workloads must be a non-empty list`);
  const seen = new Set<string>();
  const workloads = value.workloads.map((entry: unknown, index: number): DeployConfigWorkload => {
    const where = `${file}: workloads[${index}]`;
    if (!isRecord(entry)) throw new UsageError(`${where} must be a map with name, specFile and optionally extensionsFile, image`);
    for (const key of Object.keys(entry)) {
      if (!WORKLOAD_KEYS.includes(key)) throw new UsageError(`${where}: unknown property '${key}' (expected ${WORKLOAD_KEYS.join(', ')})`);
    }
    for (const key of WORKLOAD_KEYS) {
      const field = entry[key];
      if ((key === 'name' || key === 'specFile' || field !== undefined) && (typeof field !== 'string' || field === '')) {
        throw new UsageError(`${where}: ${key} must be a non-empty string`);
      }
    }
    const name = entry.name as string;
    if (seen.has(name)) throw new UsageError(`${where}: workload '${name}' is listed twice`);
    seen.add(name);
    return {
      name,
      specFile: entry.specFile as string,
      ...(entry.extensionsFile !== undefined ? { extensionsFile: entry.extensionsFile as string } : {}),
      ...(entry.image !== undefined ? { image: entry.image as string } : {}),
    };
  });
  return { kind: 'workloads', workloads };
}

/** Loads each Score file; a file without any workload (empty, or only comments) is an error, as in score-go. */
export async function loadScoreInputs(files: readonly string[], reader: ScoreInputReader): Promise<ScoreDocument[]> {
  const { loadScoreFiles } = await import('../../score/index.js');
  if (files.length === 0) throw new UsageError('no Score file given');
  return files.flatMap((file) => {
    const documents = loadScoreFiles([file], reader.readTextFile);
    if (documents.length === 0) {
      throw new InvalidInput(`${file} holds no Score workload (the file is empty)`, {
        issues: [{ file, path: '/', line: 1, column: 1, message: 'the file holds no Score workload (it is empty)' }],
      });
    }
    return documents;
  });
}

function applyDeployConditions(delta: DeltaRequest, config: Extract<DeployConfig, { kind: 'conditions' }>): void {
  for (const [name, module] of Object.entries(delta.modules.add)) {
    const deploy = config.byWorkload ? config.byWorkload[name] : config.all;
    if (deploy !== undefined) module.deploy = deploy as DeployCondition;
  }
}

/** Where a module-spec path (`/containers/C/volume_mounts/T/id`) comes from in the Score file. */
function scorePathOf(specPath: readonly string[]): string[] {
  const [first, container, field, key, ...rest] = specPath;
  if (first === 'service') return specPath.length > 1 ? ['service', ...specPath.slice(1).map((s) => (s === 'service_port' ? 'port' : s === 'container_port' ? 'targetPort' : s))] : ['service'];
  if (first !== 'containers' || container === undefined) return [];
  const renamed: Record<string, string> = { volume_mounts: 'volumes', liveness_probe: 'livenessProbe', readiness_probe: 'readinessProbe' };
  if (field === undefined) return ['containers', container];
  const scoreField = renamed[field] ?? field;
  if (key === undefined) return ['containers', container, scoreField];
  // `files.T.value` is the Score file's `content`; a volume mount's `id` is its `source`.
  const inner = rest[0] === 'value' ? ['content'] : rest[0] === 'id' && scoreField === 'volumes' ? ['source'] : rest.slice(0, 1);
  return ['containers', container, scoreField, key, ...inner];
}

const pointerOf = (p: readonly string[]) => (p.length === 0 ? '/' : '/' + p.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/'));
const metadataName = (document: ScoreDocument) => (isRecord(document.value) && isRecord(document.value.metadata) ? document.value.metadata.name : undefined);
const resourcesOf = (document: ScoreDocument): Record<string, unknown> => (isRecord(document.value) && isRecord(document.value.resources) ? document.value.resources : {});
const annotationOf = (resource: unknown): unknown =>
  isRecord(resource) && isRecord(resource.metadata) && isRecord(resource.metadata.annotations) ? resource.metadata.annotations['score.humanitec.io/resId'] : undefined;

/** The Score resources (document, name) a set resource id (`modules.W.externals.R`, `shared.K`) was converted from. */
function scoreResourcesOf(resId: string, documents: readonly ScoreDocument[]): { document: ScoreDocument; name: string }[] {
  const external = /^modules\.([^.]+)\.externals\.([^.]+)$/.exec(resId);
  const found: { document: ScoreDocument; name: string }[] = [];
  for (const document of documents) {
    const resources = resourcesOf(document);
    const workload = metadataName(document);
    for (const [name, resource] of Object.entries(resources)) {
      if (!isRecord(resource)) continue;
      const annotated = annotationOf(resource);
      if (external) {
        const [, owner, key] = external as unknown as [string, string, string];
        if (workload !== owner) continue;
        const isShared = resource.id !== undefined || (typeof annotated === 'string' && annotated.startsWith('shared.'));
        if (isShared) continue;
        if (annotated === `externals.${key}` || annotated === resId || (annotated === undefined && name === key)) found.push({ document, name });
      } else if (resId.startsWith('shared.')) {
        const id = typeof resource.id === 'string' ? resource.id : typeof annotated === 'string' && annotated.startsWith('shared.') ? annotated.slice('shared.'.length) : undefined;
        const resourceClass = typeof resource.class === 'string' ? resource.class : undefined;
        if (id !== undefined && `shared.${resourceClass === undefined || resourceClass === 'default' ? id : `${id}-class-${resourceClass}`}` === resId) found.push({ document, name });
      }
    }
  }
  return found;
}

/** A server message in the Score file's terms: internal placeholders and paths out, the HTTP suffix dropped. */
function inScoreTerms(message: string, document: ScoreDocument | undefined): string {
  let text = message.replace(/ \(HTTP \d{3} on [A-Z]+ [^)]*\)$/, '').replace(/^the deployment would fail: /, '').replace(/workload "[^"]+": /, '');
  text = text.replace(/ at \/[^\s"]*/g, '').replace(/ at modules\.[^\s"]+?(:\s|$)/g, '$1');
  if (document) {
    for (const [name, resource] of Object.entries(resourcesOf(document))) {
      if (!isRecord(resource)) continue;
      if (resource.type === 'environment') text = text.replace(/\$\{values\./g, `\${resources.${name}.`);
      const annotated = annotationOf(resource);
      const id = typeof resource.id === 'string' ? resource.id : typeof annotated === 'string' && annotated.startsWith('shared.') ? annotated.slice(7) : undefined;
      const resourceClass = typeof resource.class === 'string' && resource.class !== 'default' ? resource.class : undefined;
      const key = id === undefined ? (typeof annotated === 'string' && annotated.startsWith('externals.') ? annotated.slice(10) : name) : resourceClass ? `${id}-class-${resourceClass}` : id;
      const from = id === undefined ? `\${externals.${key}.` : `\${shared.${key}.`;
      text = text.split(from).join(`\${resources.${name}.`);
    }
  }
  return text;
}

/**
 * A server error about a workload or a resource (plan and deploy report `workload "W": ... at
 * /containers/C/variables/K`, `modules.W.externals.R params.port: ...`, `shared.K: ...`) pointed back at the Score
 * files: file, line, column and the field in Score terms, the message rewritten in Score terms. A shared resource
 * has no single workload: every Score file that declares it gets the issue. Empty when nothing in the message
 * names a workload or resource of these files.
 */
export function locateServerError(message: string, documents: readonly ScoreDocument[]): ScoreIssue[] {
  const documentOf = (workload: string) => documents.find((d) => metadataName(d) === workload);
  const issueAt = (document: ScoreDocument, path: string[]): ScoreIssue => ({ file: document.file, path: pointerOf(path), ...document.locate(path), message: inScoreTerms(message, document) });

  // A resource the set declares (an unknown type, no matching definition, a param at fault).
  const resource = /(?<![{.\w-])(modules\.[a-z0-9-]+\.externals\.[A-Za-z0-9_-]+|shared\.[A-Za-z0-9_-]+)(?: params\.([A-Za-z0-9_-]+))?/.exec(message);
  if (resource && !/ at modules\.[^\s]+\.spec/.test(message) && !/workload "[^"]+": .* at \//.test(message)) {
    const param = resource[2];
    const issues = scoreResourcesOf(resource[1]!, documents).map(({ document, name }) => {
      const declared = resourcesOf(document)[name];
      const hasParam = param !== undefined && isRecord(declared) && isRecord(declared.params) && Object.hasOwn(declared.params, param);
      return issueAt(document, hasParam ? ['resources', name, 'params', param] : param !== undefined ? ['resources', name, 'params'] : ['resources', name]);
    });
    if (issues.length > 0) return issues;
  }
  // A placeholder in a workload's spec (`workload "W": ... at /containers/C/variables/K`, or `at modules.W.spec/...`).
  const inSpec = / at modules\.([a-z0-9-]+)\.spec(\/[^\s"]*?)(?::\s|$)/.exec(message);
  const workload = inSpec?.[1] ?? /workload "([^"]+)"/.exec(message)?.[1];
  const document = workload === undefined ? undefined : documentOf(workload);
  if (!document) return [];
  const pointer = inSpec?.[2] ?? / at (\/[^\s"]*)/.exec(message)?.[1];
  const segments = pointer === undefined ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [issueAt(document, scorePathOf(segments))];
}

/** Converts the Score input the flags name into one delta (throws InvalidInput with `details.issues` for Score problems). */
export async function prepareScoreDelta(flags: ScoreInputFlags, reader: ScoreInputReader): Promise<DeltaRequest> {
  return (await prepareScoreInput(flags, reader)).delta;
}

/** `prepareScoreDelta`, also returning the Score documents (to point later server errors back at them). */
export async function prepareScoreInput(flags: ScoreInputFlags, reader: ScoreInputReader): Promise<{ delta: DeltaRequest; documents: ScoreDocument[]; warnings: ScoreIssue[] }> {
  const { convertScoreToDelta, loadScoreFiles, loadYamlFile, parseScoreDocuments, validateScore } = await import('../../score/index.js');
  const readYaml = (path: string) => loadYamlFile(path, reader.readTextFile);
  // Positions in the extensions files, so that their problems are shown at their own line and column.
  const extensionsLocate: Record<string, ScoreDocument['locate']> = {};
  const readExtensions = (path: string) => {
    const value = readYaml(path);
    const [document] = parseScoreDocuments(reader.readTextFile(path), path);
    if (document) extensionsLocate[path] = (at, atKey) => document.locate(at, atKey);
    return value;
  };
  let config: DeployConfig | undefined;
  if (flags.deployConfig !== undefined) {
    let parsed: unknown;
    try {
      parsed = yaml().parse(reader.readTextFile(flags.deployConfig)) as unknown;
    } catch (error) {
      throw new UsageError(`cannot read the deploy config ${flags.deployConfig}: ${error instanceof Error ? error.message : String(error)}`);
    }
    config = parseDeployConfig(parsed, flags.deployConfig);
  }

  let documents: ScoreDocument[];
  const extensionsByWorkload: Record<string, unknown> = {};
  const extensionsFileByWorkload: Record<string, string> = {};
  const imageByWorkload: Record<string, string> = {};
  if (config?.kind === 'workloads') {
    if (flags.files.length > 0 || flags.extensions !== undefined) {
      throw new UsageError(`--deploy-config ${flags.deployConfig} lists the Score and extensions files; do not give --file or --extensions with it`);
    }
    const base = dirname(resolve(flags.deployConfig!));
    documents = [];
    for (const workload of config.workloads) {
      const specFile = resolve(base, workload.specFile);
      const loaded = loadScoreFiles([specFile], reader.readTextFile);
      const names = loaded.map((document) => (isRecord(document.value) && isRecord(document.value.metadata) ? document.value.metadata.name : undefined));
      if (loaded.length !== 1 || names[0] !== workload.name) {
        throw new UsageError(
          `${flags.deployConfig}: workload '${workload.name}': ${specFile} must hold exactly that workload, found ${loaded.length === 0 ? 'none' : names.map((name) => `'${String(name)}'`).join(', ')}`,
        );
      }
      documents.push(...loaded);
      if (workload.extensionsFile !== undefined) {
        extensionsFileByWorkload[workload.name] = resolve(base, workload.extensionsFile);
        extensionsByWorkload[workload.name] = readExtensions(extensionsFileByWorkload[workload.name]!);
      }
      if (workload.image !== undefined) imageByWorkload[workload.name] = workload.image;
    }
  } else {
    documents = await loadScoreInputs(flags.files, reader);
  }
  if (flags.image !== undefined && new Set(documents.map((document) => document.file)).size > 1) {
    // score-compose and score-k8s refuse it too: which file's "." the image is for would be a guess.
    throw new UsageError('--image applies to one Score file; with several, set the images in the files or in a deploy config (workloads[].image)');
  }

  const overrides = flags.overridesFile !== undefined ? readYaml(flags.overridesFile) : undefined;
  const delta = convertScoreToDelta(documents, {
    image: flags.image,
    ...(Object.keys(imageByWorkload).length > 0 ? { imageByWorkload } : {}),
    extensions: flags.extensions !== undefined ? readExtensions(flags.extensions) : undefined,
    extensionsLocate,
    ...(Object.keys(extensionsByWorkload).length > 0 ? { extensionsByWorkload, extensionsFileByWorkload } : {}),
    ...(flags.extensions !== undefined ? { extensionsFile: flags.extensions } : {}),
    overrides,
    properties: flags.properties ?? [],
    appId: flags.appId,
    envId: flags.envId,
    deltaName: flags.deltaName,
    fileRoot: flags.fileRoot,
    workloadSourceUrl: flags.workloadSourceUrl,
    readFile: reader.readBinaryFile,
  });
  if (config?.kind === 'conditions') applyDeployConditions(delta, config);
  // The conversion passed, so validation finds no errors; its warnings (deprecated forms, a likely mistyped
  // output) are worth showing too.
  const { warnings } = validateScore(documents, documents.length === 1 ? { overrides, properties: flags.properties ?? [] } : {});
  return { delta, documents, warnings };
}
