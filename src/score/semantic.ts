/**
 * Checks the schema cannot express: placeholders (well-formed, known root, declared resource, existing
 * metadata key), the `before` graph of containers, and (across workloads) shared resources declared
 * differently by two workloads.
 */
import { canonicalJson } from '../shared/canonical-json.js';
import { findPlaceholders, splitReference } from './placeholders.js';
import { closestName } from '../shared/suggest.js';
import { defaultTypeRegistry } from '../resources/types.js';
import type { ScoreWorkload } from './types.js';

export interface SemanticProblem {
  path: (string | number)[];
  message: string;
}

/** Characters a placeholder segment may not contain (after `\.` unescaping). */
const FORBIDDEN_IN_SEGMENT = /[\s{}$]/;

function checkReference(
  ref: string,
  workload: ScoreWorkload,
  allowBareResource: boolean,
): string | undefined {
  const segments = splitReference(ref);
  if (segments.length < 2 || segments.some((segment) => segment === '' || FORBIDDEN_IN_SEGMENT.test(segment))) {
    return `placeholder \${${ref}} is malformed: expected at least two non-empty keys separated by ".", e.g. \${metadata.name} or \${resources.db.host}`;
  }
  const [root, ...keys] = segments as [string, ...string[]];
  if (root === 'metadata') {
    let current: unknown = workload.metadata;
    for (const key of keys) {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) {
        return `placeholder \${${ref}}: cannot look up '${key}', the metadata value above it is not a map`;
      }
      if (!Object.hasOwn(current, key)) {
        const meant = closestName(key, Object.keys(current));
        return `placeholder \${${ref}}: metadata has no key '${key}'${meant ? ` (did you mean '${meant}'?)` : ''}`;
      }
      current = (current as Record<string, unknown>)[key];
    }
    return undefined;
  }
  if (root === 'resources') {
    const name = keys[0]!;
    if (!isRecord(workload.resources) || !Object.hasOwn(workload.resources, name)) {
      const declared = entries(workload.resources).map(([key]) => key);
      const meant = closestName(name, declared);
      return `placeholder \${${ref}} does not resolve to a resource: no resource named '${name}' is declared${meant ? ` (did you mean '${meant}'?)` : declared.length ? ` (declared: ${declared.join(', ')})` : ''}`;
    }
    if (keys.length === 1 && !allowBareResource) {
      return `placeholder \${${ref}} needs an output key, e.g. \${resources.${name}.host} (\${resources.${name}} alone is only allowed as a volume source)`;
    }
    return undefined;
  }
  return `placeholder \${${ref}} has an unknown first element '${root}': expected metadata or resources (write $$ for a literal $)`;
}

function collectStrings(value: unknown, path: (string | number)[], out: { path: (string | number)[]; text: string }[]): void {
  if (typeof value === 'string') out.push({ path, text: value });
  else if (Array.isArray(value)) value.forEach((item, index) => collectStrings(item, [...path, index], out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) collectStrings(inner, [...path, key], out);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function entries(value: unknown): [string, unknown][] {
  return isRecord(value) ? Object.entries(value) : [];
}

/**
 * Placeholder checks over every place placeholders are expanded (never command, args or image).
 * Written defensively (the input may have failed the schema) so that every mistake of a file is reported
 * in one run, not only the schema ones.
 */
export function checkPlaceholders(workload: ScoreWorkload): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const check = (text: unknown, path: (string | number)[], allowBareResource = false) => {
    if (typeof text !== 'string') return;
    for (const ref of findPlaceholders(text)) {
      const message = checkReference(ref, workload, allowBareResource);
      if (message) problems.push({ path, message });
    }
  };
  for (const [containerName, container] of entries(workload.containers)) {
    if (!isRecord(container)) continue;
    const base = ['containers', containerName];
    for (const [key, value] of entries(container.variables)) check(value, [...base, 'variables', key]);
    for (const [target, file] of entries(container.files)) {
      if (isRecord(file) && file.noExpand !== true) check(file.content, [...base, 'files', target, 'content']);
    }
    for (const [target, volume] of entries(container.volumes)) {
      if (isRecord(volume)) check(volume.source, [...base, 'volumes', target, 'source'], true);
    }
  }
  for (const [name, resource] of entries(workload.resources)) {
    if (!isRecord(resource)) continue;
    const strings: { path: (string | number)[]; text: string }[] = [];
    collectStrings(resource.params ?? {}, ['resources', name, 'params'], strings);
    for (const { path, text } of strings) {
      check(text, path);
      for (const ref of findPlaceholders(text)) {
        const [root, target] = splitReference(ref);
        const referenced = root === 'resources' && target !== undefined && isRecord(workload.resources) && Object.hasOwn(workload.resources, target) ? workload.resources[target] : undefined;
        if (isRecord(referenced) && referenced.type === 'environment') {
          // score-compose reads these from the shell running `generate`; Baton's values live on the server and
          // are resolved in workloads only, so this would fail at plan time: say so now.
          problems.push({ path, message: `placeholder \${${ref}}: environment values cannot be used in resource params (Baton resolves them in container variables and files only); give the value in the params or in the resource's definition` });
        }
      }
    }
  }
  return problems;
}

/** Depth-first search with three colours over `edges`; the first back edge found gives the cycle (first node repeated). */
function findCycle(nodes: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  let cycle: string[] | undefined;
  const visit = (name: string): void => {
    if (cycle) return;
    state.set(name, 'visiting');
    stack.push(name);
    for (const next of edges.get(name) ?? []) {
      if (state.get(next) === 'visiting') {
        cycle = [...stack.slice(stack.indexOf(next)), next];
        return;
      }
      if (!state.has(next)) visit(next);
      if (cycle) return;
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of [...nodes].sort()) if (!state.has(name)) visit(name);
  return cycle;
}

/**
 * Checks of resources a provisioner would make later (score-compose, score-k8s): a resource's params may not
 * depend on itself through `${resources.*}` (a cycle), and a `route`'s host, path and port, when given, must be
 * a non-empty host, a path starting with `/` and a port the workload's service publishes.
 */
export function checkResources(workload: ScoreWorkload): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const names = entries(workload.resources).map(([name]) => name);
  const edges = new Map<string, string[]>();
  for (const [name, resource] of entries(workload.resources)) {
    if (!isRecord(resource)) continue;
    const strings: { path: (string | number)[]; text: string }[] = [];
    collectStrings(resource.params ?? {}, [], strings);
    const targets = new Set<string>();
    for (const { text } of strings) {
      for (const ref of findPlaceholders(text)) {
        const [root, target] = splitReference(ref);
        if (root === 'resources' && target !== undefined && names.includes(target)) targets.add(target);
      }
    }
    edges.set(name, [...targets]);
  }
  const cycle = findCycle(names, edges);
  if (cycle) {
    problems.push({
      path: ['resources', cycle[0]!, 'params'],
      message: `the resources' params refer to each other in a cycle: ${cycle.join(' -> ')}; no order can provision them`,
    });
  }
  const ports = isRecord(workload.service) ? entries(workload.service.ports) : [];
  const published = new Set(ports.flatMap(([, port]) => (isRecord(port) ? [String(port.port)] : [])));
  for (const [name, resource] of entries(workload.resources)) {
    if (!isRecord(resource) || resource.type !== 'route' || !isRecord(resource.params)) continue;
    const params = resource.params;
    const at = (key: string) => ['resources', name, 'params', key];
    // Absent params are left to the route's definition (score-humanitec's own cases declare routes with a host only).
    if (params.host !== undefined && (typeof params.host !== 'string' || params.host === '')) {
      problems.push({ path: at('host'), message: `route '${name}': host must be a non-empty string, e.g. \${resources.dns.host}` });
    }
    if (params.path !== undefined && (typeof params.path !== 'string' || !(params.path.startsWith('/') || params.path.startsWith('${')))) {
      problems.push({ path: at('path'), message: `route '${name}': path must start with '/'` });
    }
    const port = params.port;
    const literalPort = typeof port === 'number' || (typeof port === 'string' && /^\d+$/.test(port));
    if (port === undefined) {
      // see above
    } else if (!literalPort && !(typeof port === 'string' && findPlaceholders(port).length > 0)) {
      problems.push({ path: at('port'), message: `route '${name}' needs a port of the workload's service (published: ${[...published].join(', ') || 'none'})` });
    } else if (literalPort && !published.has(String(port))) {
      problems.push({ path: at('port'), message: `route '${name}': port ${String(port)} is not a port of the workload's service (published: ${[...published].join(', ') || 'none'})` });
    }
  }
  return problems;
}

/** `before` entries must name another existing container of the workload, without cycles; `ready: healthy` needs a probe. */
export function checkBefore(workload: ScoreWorkload): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const names = entries(workload.containers).map(([name]) => name);
  const edges = new Map<string, string[]>();
  for (const [name, container] of entries(workload.containers)) {
    const valid: string[] = [];
    for (const [other] of entries(isRecord(container) ? container.before : undefined)) {
      const path = ['containers', name, 'before', other];
      if (other === name) problems.push({ path, message: `container '${name}' cannot be started before itself` });
      else if (!names.includes(other)) {
        problems.push({ path, message: `container '${name}' refers to unknown container '${other}' (containers: ${names.join(', ')})` });
      } else valid.push(other);
      const entry = isRecord(container) && isRecord(container.before) ? container.before[other] : undefined;
      if (isRecord(entry) && entry.ready === 'healthy' && isRecord(container) && container.readinessProbe === undefined && container.livenessProbe === undefined) {
        problems.push({ path: [...path, 'ready'], message: `ready 'healthy' needs a readinessProbe or livenessProbe on container '${name}' (score-compose refuses it too)` });
      }
    }
    edges.set(name, valid);
  }
  const cycle = findCycle(names, edges);
  if (cycle) {
    problems.push({
      path: ['containers', cycle[0]!, 'before'],
      message: `the containers' before relationships contain a cycle: ${cycle.join(' -> ')}`,
    });
  }
  return problems;
}

/** The Score uid of a resource: `type.class#id` when shared, `type.class#workload.name` otherwise. */
export function resourceUid(workloadName: string, resourceName: string, resource: { type: string; class?: string; id?: string }): string {
  return `${resource.type}.${resource.class ?? 'default'}#${resource.id ?? `${workloadName}.${resourceName}`}`;
}

export interface SharedDeclaration {
  workloadIndex: number;
  resourceName: string;
  workload: ScoreWorkload;
}

/**
 * A shared resource (one with an `id`) declared by several workloads must be declared with the same params
 * and metadata wherever both declarations carry them. Returns one problem per conflicting later declaration.
 */
export function checkSharedResources(workloads: readonly ScoreWorkload[]): { workloadIndex: number; problem: SemanticProblem }[] {
  const first = new Map<string, { workload: ScoreWorkload; resourceName: string }>();
  const result: { workloadIndex: number; problem: SemanticProblem }[] = [];
  workloads.forEach((workload, workloadIndex) => {
    for (const [resourceName, resource] of Object.entries(workload.resources ?? {})) {
      if (resource.id === undefined) continue;
      const uid = resourceUid(workload.metadata.name, resourceName, resource);
      const earlier = first.get(uid);
      if (!earlier) {
        first.set(uid, { workload, resourceName });
        continue;
      }
      const previous = earlier.workload.resources![earlier.resourceName]!;
      for (const field of ['params', 'metadata'] as const) {
        const mine = resource[field];
        const theirs = previous[field];
        if (mine !== undefined && theirs !== undefined && canonicalJson(mine) !== canonicalJson(theirs)) {
          result.push({
            workloadIndex,
            problem: {
              path: ['resources', resourceName, field],
              message: `resource '${uid}': multiple definitions with different ${field} (workload '${earlier.workload.metadata.name}' resource '${earlier.resourceName}' declares other ${field})`,
            },
          });
        }
      }
    }
  });
  return result;
}

/**
 * `service-port` resources (score-compose/score-k8s): `workload` and `port` params are required; when the workload
 * named is among the workloads validated together, `port` must be one of its service ports (a name, or the port
 * number as a string alias). A workload outside them may be deployed already: the plan checks it against the set.
 */
export function checkServicePorts(workloads: readonly ScoreWorkload[]): { workloadIndex: number; problem: SemanticProblem }[] {
  const byName = new Map<string, ScoreWorkload>();
  for (const workload of workloads) if (isRecord(workload.metadata) && typeof workload.metadata.name === 'string') byName.set(workload.metadata.name, workload);
  const result: { workloadIndex: number; problem: SemanticProblem }[] = [];
  workloads.forEach((workload, workloadIndex) => {
    for (const [name, resource] of entries(workload.resources)) {
      if (!isRecord(resource) || resource.type !== 'service-port') continue;
      const params = isRecord(resource.params) ? resource.params : {};
      const at = (key: string) => ['resources', name, 'params', key];
      const add = (key: string, message: string) => result.push({ workloadIndex, problem: { path: isRecord(resource.params) ? at(key) : ['resources', name], message } });
      const target = params.workload;
      const port = params.port;
      if (typeof target !== 'string' || target === '') add('workload', `service-port '${name}' needs the param 'workload' (the name of the workload to connect to)`);
      if (!(typeof port === 'number' || (typeof port === 'string' && port !== ''))) add('port', `service-port '${name}' needs the param 'port' (a port name of that workload's service)`);
      if (typeof target !== 'string' || target.includes('${') || !(typeof port === 'number' || typeof port === 'string') || String(port).includes('${')) continue;
      const other = byName.get(target);
      if (!other) continue;
      const ports = isRecord(other.service) ? entries(other.service.ports) : [];
      const key = String(port);
      const known = ports.some(([portName, entry]) => portName === key || (isRecord(entry) && String(entry.port) === key));
      if (!known) {
        const meant = key.length <= 64 ? closestName(key, ports.map(([portName]) => portName)) : undefined;
        add('port', `service-port '${name}': workload '${target}' has no service port '${key}'${meant ? ` (did you mean '${meant}'?)` : ''}; its ports: ${ports.map(([portName]) => portName).join(', ') || 'none'}`);
      }
    }
  });
  return result;
}

/**
 * `${resources.NAME.KEY}` where NAME is a standard resource type (src/resources/types.ts) whose documented outputs
 * do not include KEY but one close to it: most likely a typo (`${resources.db.hots}`). A warning, not an error: a
 * definition may give outputs beyond the documented ones; the plan, which knows the real outputs, refuses an
 * output that does not exist.
 */
export function checkOutputNames(workload: ScoreWorkload): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const resources: Record<string, unknown> = isRecord(workload.resources) ? workload.resources : {};
  const outputsOf = (name: string): string[] | undefined => {
    const resource = Object.hasOwn(resources, name) ? resources[name] : undefined;
    if (!isRecord(resource) || typeof resource.type !== 'string') return undefined;
    const type = defaultTypeRegistry.get(resource.type);
    if (!type) return undefined;
    const known = [type.outputs_schema.values, type.outputs_schema.secrets].flatMap((schema) => (isRecord(schema.properties) ? Object.keys(schema.properties) : []));
    return known.length > 0 ? known : undefined;
  };
  const check = (text: unknown, path: (string | number)[]) => {
    if (typeof text !== 'string') return;
    for (const ref of findPlaceholders(text)) {
      const [root, name, key] = splitReference(ref);
      if (root !== 'resources' || name === undefined || key === undefined) continue;
      const known = outputsOf(name);
      if (!known || known.includes(key)) continue;
      const meant = key.length <= 64 ? closestName(key, known) : undefined;
      if (meant) problems.push({ path, message: `placeholder \${${ref}}: a ${String((resources[name] as Record<string, unknown>).type)} resource has no standard output '${key}' (did you mean '${meant}'?)` });
    }
  };
  for (const [containerName, container] of entries(workload.containers)) {
    if (!isRecord(container)) continue;
    const base = ['containers', containerName];
    for (const [key, value] of entries(container.variables)) check(value, [...base, 'variables', key]);
    for (const [target, file] of entries(container.files)) {
      if (isRecord(file) && file.noExpand !== true) check(file.content, [...base, 'files', target, 'content']);
    }
  }
  for (const [name, resource] of entries(resources)) {
    if (!isRecord(resource)) continue;
    const strings: { path: (string | number)[]; text: string }[] = [];
    collectStrings(resource.params ?? {}, ['resources', name, 'params'], strings);
    for (const { path, text } of strings) check(text, path);
  }
  return problems;
}

/**
 * A resource `type` that is no standard type but close to one (`postgress`): a warning with the type meant. Not an
 * error: an organization may register its own types (and Score's `environment`, `service` are converted, not
 * provisioned); the plan refuses a type nobody registered, with the same suggestion.
 */
export function checkResourceTypeNames(workload: ScoreWorkload): SemanticProblem[] {
  const problems: SemanticProblem[] = [];
  const known = [...defaultTypeRegistry.list().filter((type) => type.use !== 'implicit').map((type) => type.type), 'environment', 'service'];
  for (const [name, resource] of entries(workload.resources)) {
    if (!isRecord(resource) || typeof resource.type !== 'string' || known.includes(resource.type) || resource.type.includes('/')) continue;
    const meant = resource.type.length <= 64 ? closestName(resource.type, known) : undefined;
    if (meant) problems.push({ path: ['resources', name, 'type'], message: `resource '${name}': '${resource.type}' is no standard resource type (did you mean '${meant}'?)` });
  }
  return problems;
}
