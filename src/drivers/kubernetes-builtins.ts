/**
 * Humanitec's built-in drivers that need no cloud account, with Humanitec's inputs and outputs:
 *
 * - `humanitec/dns-wildcard` (dns): values `domain`, optional `template` (Go template + sprig, placeholders already
 *   resolved) → output `host = <template>.<domain>`. Without a template Humanitec generates a unique subdomain;
 *   Baton derives it from the GUResID, so it is unique and stays the same across deployments.
 * - `humanitec/volume-pvc` (volume): values `access_modes` (default `ReadWriteOnce`), `capacity` (default `10Gi`),
 *   `storage_class_name` → a PersistentVolumeClaim in the namespace and the pod volume that mounts it.
 * - `humanitec/volume-nfs` (volume): values `server`, `path` → a PersistentVolume on that NFS export (cluster),
 *   a PersistentVolumeClaim bound to it (namespace) and the pod volume mounting the claim.
 * - `humanitec/hpa` (horizontal-pod-autoscaler): values `minReplicas` (default 2), `maxReplicas` (default 3),
 *   `targetCPUUtilizationPercentage` (default 80) → an autoscaling/v2 HorizontalPodAutoscaler for the Deployment of
 *   the workload that depends on it (it must be a workload's private resource, `modules.<w>.externals.<r>`).
 * - `humanitec/ingress` (ingress): values `class`, `annotations`, `labels`, `api_version`, `no_tls`,
 *   `tls_secret_name`, `path_type` (default `Prefix`) → one Ingress for the dns host from the routes that depend on
 *   the dns. Humanitec's driver reads the dns and its routes from the graph; Baton hands them over as inputs
 *   the definition does not write (`IMPLICIT_DRIVER_INPUTS`, added when the graph is built), so the same
 *   definition text works and the graph shows the dependencies.
 */
import { createHash } from 'node:crypto';
import { DriverFailed } from '../shared/errors.js';
import { DEFAULT_HOST_LOOKUP, DEFAULT_TEMPLATE_LIMITS, parseTemplate, type HostLookupPolicy, type TemplateLimits } from '../templates/index.js';
import type { Driver, JsonObject, ProvisionRequest, ProvisionResult } from './contract.js';

export const DNS_WILDCARD_DRIVER_ID = 'humanitec/dns-wildcard';
export const VOLUME_PVC_DRIVER_ID = 'humanitec/volume-pvc';
export const INGRESS_DRIVER_ID = 'humanitec/ingress';
export const HPA_DRIVER_ID = 'humanitec/hpa';
export const VOLUME_NFS_DRIVER_ID = 'humanitec/volume-nfs';

/** Where Baton puts the inputs Humanitec's ingress driver takes from the graph. */
export const INGRESS_IMPLICIT_KEY = 'baton_implicit';

/**
 * Driver inputs Baton adds to every definition of a driver (placeholders, resolved like the definition's own).
 * The ingress reads the host of the dns with its own id and class, and the routes depending on that dns.
 */
export const IMPLICIT_DRIVER_INPUTS: Readonly<Record<string, JsonObject>> = {
  [INGRESS_DRIVER_ID]: {
    [INGRESS_IMPLICIT_KEY]: {
      host: '${resources.dns.outputs.host}',
      route_paths: '${resources.dns<route.outputs.path}',
      route_ports: '${resources.dns<route.outputs.port}',
      route_services: '${resources.dns<route.outputs.service}',
    },
  },
};

/**
 * A definition with the inputs Baton adds for its driver (IMPLICIT_DRIVER_INPUTS); its own values win. Applied
 * wherever graphs are built (the engine, `POST /resources/graphs`, explain), so all show the same edges.
 */
export function withImplicitDriverInputs<D extends { driver_type: string; driver_inputs: { values: JsonObject } }>(definition: D): D {
  const implicit = Object.hasOwn(IMPLICIT_DRIVER_INPUTS, definition.driver_type) ? IMPLICIT_DRIVER_INPUTS[definition.driver_type] : undefined;
  if (!implicit) return definition;
  return { ...definition, driver_inputs: { ...definition.driver_inputs, values: { ...implicit, ...definition.driver_inputs.values } } };
}

function fail(driver: string, message: string, details: Record<string, unknown> = {}): never {
  throw new DriverFailed(`${driver}: ${message}`, { driver, ...details });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(driver: string, field: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) fail(driver, `values.${field} must be a map of strings`, { field });
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) out[key] = typeof item === 'string' ? item : JSON.stringify(item);
  return out;
}

/** A DNS label of at most 63 characters: lower-case, `[a-z0-9-]`, no dash at either end. */
function dnsLabel(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 63).replace(/-+$/, '');
}

/** A Kubernetes object name for this resource: `<prefix>-<hash of the GUResID>`. */
function objectName(prefix: string, guresid: string): string {
  return `${dnsLabel(prefix).slice(0, 40).replace(/-+$/, '')}-${createHash('sha256').update(guresid).digest('hex').slice(0, 10)}`;
}

function lastSegment(resId: string): string {
  return resId.split('.').pop() ?? resId;
}

/**
 * `limits` and `hostLookup` are the server's template settings (config `BATON_TEMPLATE_*`): `values.template` is
 * written by the definition's author, so it renders under the same rules as `humanitec/template`.
 */
export function createDnsWildcardDriver(options: { limits?: TemplateLimits; hostLookup?: HostLookupPolicy } = {}): Driver {
  const id = DNS_WILDCARD_DRIVER_ID;
  const templateOptions = { name: 'template', limits: options.limits ?? DEFAULT_TEMPLATE_LIMITS, hostLookup: options.hostLookup ?? DEFAULT_HOST_LOOKUP };
  return {
    id,
    types: ['dns'],
    inputsSchema: {
      type: 'object',
      properties: {
        values: { type: 'object', required: ['domain'], properties: { domain: { type: 'string', minLength: 1 }, template: { type: 'string' } } },
      },
    },
    provision(request: ProvisionRequest): Promise<ProvisionResult> {
      return Promise.resolve().then(() => {
        const { domain, template } = request.driver.values;
        if (typeof domain !== 'string' || domain === '') fail(id, 'values.domain must be the domain under which subdomains are made', { field: 'domain' });
        let subdomain: string;
        if (typeof template === 'string' && template.trim() !== '') {
          try {
            subdomain = parseTemplate(template, templateOptions).execute({ id: request.guresid, resource: request.resource }).trim();
          } catch (error) {
            fail(id, `values.template failed: ${error instanceof Error ? error.message : String(error)}`, { field: 'template' });
          }
          if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(subdomain)) {
            fail(id, `values.template rendered ${JSON.stringify(subdomain)}, which is not a DNS name`, { field: 'template' });
          }
        } else {
          subdomain = `${dnsLabel(lastSegment(request.resId)).slice(0, 40)}-${createHash('sha256').update(request.guresid).digest('hex').slice(0, 10)}`.replace(/^-/, '');
        }
        return { values: { host: `${subdomain}.${domain.replace(/^\.+/, '')}` }, secrets: {}, manifests: [] };
      });
    },
    deprovision: () => Promise.resolve(),
  };
}

export function createVolumePvcDriver(): Driver {
  const id = VOLUME_PVC_DRIVER_ID;
  return {
    id,
    types: ['volume'],
    inputsSchema: {
      type: 'object',
      properties: {
        values: {
          type: 'object',
          properties: {
            access_modes: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
            capacity: { type: 'string' },
            storage_class_name: { type: 'string' },
          },
        },
      },
    },
    provision(request: ProvisionRequest): Promise<ProvisionResult> {
      return Promise.resolve().then(() => {
        const values = request.driver.values;
        const rawModes = values.access_modes ?? 'ReadWriteOnce';
        if (typeof rawModes !== 'string' && !Array.isArray(rawModes)) fail(id, 'values.access_modes must be a string or a list of strings', { field: 'access_modes' });
        const modes = (Array.isArray(rawModes) ? rawModes : rawModes.split(',')).map((m) => (typeof m === 'string' ? m.trim() : JSON.stringify(m))).filter(Boolean);
        const known = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
        for (const mode of modes) if (!known.includes(mode)) fail(id, `values.access_modes: "${mode}" is not one of ${known.join(', ')}`, { field: 'access_modes' });
        const capacity = typeof values.capacity === 'string' && values.capacity !== '' ? values.capacity : '10Gi';
        if (!/^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.test(capacity)) fail(id, `values.capacity "${capacity}" is not a quantity such as 10Gi`, { field: 'capacity' });
        const claimName = objectName(`pvc-${lastSegment(request.resId)}`, request.guresid);
        const spec: JsonObject = { accessModes: modes.length > 0 ? modes : ['ReadWriteOnce'], resources: { requests: { storage: capacity } } };
        if (typeof values.storage_class_name === 'string' && values.storage_class_name !== '') spec.storageClassName = values.storage_class_name;
        return {
          values: { claim_name: claimName },
          secrets: {},
          manifests: [
            { name: 'pvc.yaml', location: 'namespace', data: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: claimName }, spec } },
            { name: 'volume.yaml', location: 'volumes', data: { name: claimName, persistentVolumeClaim: { claimName } } },
          ],
        };
      });
    },
    deprovision: () => Promise.resolve(),
  };
}

function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

export function createIngressDriver(): Driver {
  const id = INGRESS_DRIVER_ID;
  return {
    id,
    types: ['ingress'],
    inputsSchema: {
      type: 'object',
      properties: {
        values: {
          type: 'object',
          properties: {
            class: { type: 'string' },
            annotations: { type: 'object' },
            labels: { type: 'object' },
            api_version: { enum: ['v1', 'v1beta1'] },
            no_tls: { type: 'boolean' },
            tls_secret_name: { type: 'string' },
            path_type: { enum: ['Prefix', 'Exact', 'ImplementationSpecific'] },
          },
        },
      },
    },
    provision(request: ProvisionRequest): Promise<ProvisionResult> {
      return Promise.resolve().then(() => {
        const values = request.driver.values;
        const implicit = isObject(values[INGRESS_IMPLICIT_KEY]) ? values[INGRESS_IMPLICIT_KEY] : {};
        const host = implicit.host;
        if (typeof host !== 'string' || host === '') fail(id, `the dns resource "${request.resId}" of this ingress has no host output`, { resId: request.resId });
        if (values.api_version !== undefined && values.api_version !== 'v1') fail(id, 'values.api_version: Baton renders networking.k8s.io/v1 Ingresses only', { field: 'api_version' });
        const pathType = typeof values.path_type === 'string' ? values.path_type : 'Prefix';
        const paths = list(implicit.route_paths);
        const ports = list(implicit.route_ports);
        const services = list(implicit.route_services);
        const rulesPaths = paths
          .map((path, i) => ({ path: typeof path === 'string' && path !== '' ? path : '/', port: Number(ports[i]), service: services[i] }))
          .filter((r) => typeof r.service === 'string' && r.service !== '' && Number.isInteger(r.port) && r.port > 0)
          .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
          .map((r) => ({ path: r.path, pathType, backend: { service: { name: r.service, port: { number: r.port } } } }));
        const name = objectName(`ingress-${lastSegment(request.resId)}`, request.guresid);
        const manifests: ProvisionResult['manifests'] = [];
        if (rulesPaths.length > 0) {
          const metadata: JsonObject = { name };
          const annotations = stringMap(id, 'annotations', values.annotations);
          const labels = stringMap(id, 'labels', values.labels);
          if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
          if (Object.keys(labels).length > 0) metadata.labels = labels;
          const spec: JsonObject = { rules: [{ host, http: { paths: rulesPaths } }] };
          if (typeof values.class === 'string' && values.class !== '') spec.ingressClassName = values.class;
          if (values.no_tls !== true) {
            const secretName = typeof values.tls_secret_name === 'string' && values.tls_secret_name !== '' ? values.tls_secret_name : `${name}-tls`;
            spec.tls = [{ hosts: [host], secretName }];
          }
          manifests.push({ name: 'ingress.yaml', location: 'namespace', data: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata, spec } });
        }
        return { values: { id: name }, secrets: {}, manifests };
      });
    },
    deprovision: () => Promise.resolve(),
  };
}

export function createHpaDriver(): Driver {
  const id = HPA_DRIVER_ID;
  const integer = { type: 'integer', minimum: 1 };
  return {
    id,
    types: ['horizontal-pod-autoscaler'],
    inputsSchema: {
      type: 'object',
      properties: { values: { type: 'object', properties: { minReplicas: integer, maxReplicas: integer, targetCPUUtilizationPercentage: { type: 'integer', minimum: 1, maximum: 100 } } } },
    },
    provision(request: ProvisionRequest): Promise<ProvisionResult> {
      return Promise.resolve().then(() => {
        const match = /^modules\.([a-z0-9-]+)\.externals\./.exec(request.resId);
        if (!match) fail(id, `a horizontal-pod-autoscaler must be a workload's private resource (modules.<workload>.externals.<name>), not "${request.resId}"`, { resId: request.resId });
        const workload = match[1]!;
        const number = (field: string, fallback: number): number => {
          const raw = request.resource[field] ?? request.driver.values[field];
          if (raw === undefined || raw === null) return fallback;
          const value = Number(raw);
          if (!Number.isInteger(value) || value < 1) fail(id, `${field} must be a positive integer`, { field });
          return value;
        };
        const minReplicas = number('minReplicas', 2);
        const maxReplicas = number('maxReplicas', 3);
        if (maxReplicas < minReplicas) fail(id, `maxReplicas (${maxReplicas}) is below minReplicas (${minReplicas})`, { field: 'maxReplicas' });
        const utilization = number('targetCPUUtilizationPercentage', 80);
        return {
          values: {},
          secrets: {},
          manifests: [{
            name: 'hpa.yaml',
            location: 'namespace',
            data: {
              apiVersion: 'autoscaling/v2',
              kind: 'HorizontalPodAutoscaler',
              metadata: { name: `${workload}-hpa` },
              spec: {
                scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: workload },
                minReplicas,
                maxReplicas,
                metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: utilization } } }],
              },
            },
          }],
        };
      });
    },
    deprovision: () => Promise.resolve(),
  };
}

export function createVolumeNfsDriver(): Driver {
  const id = VOLUME_NFS_DRIVER_ID;
  return {
    id,
    types: ['volume'],
    inputsSchema: {
      type: 'object',
      properties: { values: { type: 'object', required: ['server', 'path'], properties: { server: { type: 'string', minLength: 1 }, path: { type: 'string', minLength: 1 } } } },
    },
    provision(request: ProvisionRequest): Promise<ProvisionResult> {
      return Promise.resolve().then(() => {
        const { server, path } = request.driver.values;
        if (typeof server !== 'string' || server === '') fail(id, 'values.server must name the NFS server', { field: 'server' });
        if (typeof path !== 'string' || !path.startsWith('/')) fail(id, 'values.path must be the absolute path of the NFS export', { field: 'path' });
        const name = objectName(`nfs-${lastSegment(request.resId)}`, request.guresid);
        const capacity = { storage: '1Mi' };
        return {
          values: { claim_name: name },
          secrets: {},
          manifests: [
            { name: 'pv.yaml', location: 'cluster', data: { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity, accessModes: ['ReadWriteMany'], nfs: { server, path }, persistentVolumeReclaimPolicy: 'Retain' } } },
            { name: 'pvc.yaml', location: 'namespace', data: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name }, spec: { accessModes: ['ReadWriteMany'], storageClassName: '', resources: { requests: capacity }, volumeName: name } } },
            { name: 'volume.yaml', location: 'volumes', data: { name, persistentVolumeClaim: { claimName: name } } },
          ],
        };
      });
    },
    deprovision: () => Promise.resolve(),
  };
}
