/**
 * The `service-port` resource type (score-compose's and score-k8s' default provisioner): another workload's
 * service port, named by the params `workload` (a module of the deployment set) and `port` (a port name of its
 * `service.ports`, or the port number as a string alias). The plan checks both against the deployment set, as the
 * reference provisioners check them against the project's workloads, and hands the definition what it found.
 */
import { InvalidInput } from '../shared/errors.js';
import { closestName } from '../shared/suggest.js';
import type { JsonObject } from './definitions.js';

export const SERVICE_PORT_TYPE = 'service-port';

/** What the plan adds to a `service-port` resource's inputs as `service` (read by definitions, e.g. the default one). */
export interface ResolvedServicePort {
  /** The workload's Service name (Baton names a workload's Service after the workload). */
  hostname: string;
  /** The port name in the workload's `service.ports`. */
  name: string;
  /** The Service port. */
  service_port: number;
  /** The container port behind it (`targetPort`, default the port). */
  target_port: number;
  protocol: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The service ports of a module spec (`spec.service.ports.P = {service_port, container_port, protocol}`). */
function portsOf(spec: unknown): Map<string, { service_port: number; target_port: number; protocol: string }> {
  const ports = new Map<string, { service_port: number; target_port: number; protocol: string }>();
  const declared = isRecord(spec) && isRecord(spec.service) && isRecord(spec.service.ports) ? spec.service.ports : {};
  for (const [name, raw] of Object.entries(declared)) {
    if (!isRecord(raw)) continue;
    const servicePort = Number(raw.service_port ?? raw.port);
    if (!Number.isInteger(servicePort)) continue;
    const target = Number(raw.container_port ?? raw.targetPort ?? servicePort);
    ports.set(name, { service_port: servicePort, target_port: Number.isInteger(target) ? target : servicePort, protocol: typeof raw.protocol === 'string' ? raw.protocol : 'TCP' });
  }
  return ports;
}

const hasPlaceholder = (value: string) => value.includes('${');

/**
 * Checks a `service-port` resource's params against the deployment set's modules and returns its inputs with
 * `service` added. `where` names the resource (`modules.W.externals.R` or `shared.R`) in every error, followed by
 * the param at fault (`params.workload`, `params.port`). Params that are still placeholders are left to the
 * definition (nothing can be checked before they resolve).
 */
export function resolveServicePortParams(
  modules: Readonly<Record<string, { spec?: unknown } | undefined>>,
  params: JsonObject | undefined,
  where: string,
): JsonObject {
  const given = params ?? {};
  const workload = given.workload;
  const port = given.port;
  if (typeof workload !== 'string' || workload === '') {
    throw new InvalidInput(`${where} params.workload: a service-port resource needs the param 'workload' (the name of the workload to connect to)`, { resId: where, param: 'workload' });
  }
  if ((typeof port !== 'string' || port === '') && typeof port !== 'number') {
    throw new InvalidInput(`${where} params.port: a service-port resource needs the param 'port' (a port name of the workload's service)`, { resId: where, param: 'port' });
  }
  if (hasPlaceholder(workload) || (typeof port === 'string' && hasPlaceholder(port))) return given;
  const names = Object.keys(modules).filter((name) => modules[name] !== undefined);
  const module = Object.hasOwn(modules, workload) ? modules[workload] : undefined;
  if (!module) {
    const meant = workload.length <= 64 ? closestName(workload, names) : undefined;
    throw new InvalidInput(
      `${where} params.workload: unknown workload '${workload}'${meant ? ` (did you mean '${meant}'?)` : ''}; the deployment set has ${names.length > 0 ? names.join(', ') : 'no workloads'}`,
      { resId: where, param: 'workload', workload },
    );
  }
  const ports = portsOf(module.spec);
  const key = String(port);
  let found = ports.has(key) ? ([key, ports.get(key)!] as const) : undefined;
  // The port number as a string is an alias of the first port with that number (as the reference provisioners).
  found ??= [...ports].find(([, entry]) => String(entry.service_port) === key);
  if (!found) {
    const meant = key.length <= 64 ? closestName(key, [...ports.keys()]) : undefined;
    throw new InvalidInput(
      `${where} params.port: workload '${workload}' has no service port '${key}'${meant ? ` (did you mean '${meant}'?)` : ''}; its ports: ${ports.size > 0 ? [...ports.keys()].join(', ') : 'none'}`,
      { resId: where, param: 'port', workload, port: key },
    );
  }
  const [name, entry] = found;
  const service: ResolvedServicePort = { hostname: workload, name, service_port: entry.service_port, target_port: entry.target_port, protocol: entry.protocol };
  return { ...given, service: { ...service } };
}
