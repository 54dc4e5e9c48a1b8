/** The built-in profiles: default-module, default-job, default-cronjob and baton/statefulset. */
import { canonicalJson, sha256Hex } from '../shared/canonical-json.js';
import { CONFIG_HASH_ANNOTATION, deepMerge, selectorLabels, sortObjects, stampObject, workloadLabels } from './metadata.js';
import { buildPod, objectAt, plainJson, sortedEntries, stringMap } from './pod.js';
import type { PodParts } from './pod.js';
import { defaultCronJobSchema, defaultJobSchema, defaultModuleSchema, statefulSetSchema } from './schemas.js';
import type { K8sObject, RenderRequest, ResolvedObject, WorkloadProfile } from './types.js';
import { assertValidSpec } from './validate.js';

type Json = Record<string, unknown>;

/** Profiles are async (custom ones render templates); a synchronous throw becomes a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function podTemplate(request: RenderRequest, pod: PodParts, extraPodSpec: Json = {}): Json {
  const annotations: Record<string, string> = { ...pod.podAnnotations };
  if (pod.configHash !== undefined) annotations[CONFIG_HASH_ANNOTATION] = pod.configHash;
  const metadata: Json = {
    labels: { ...pod.podLabels, ...workloadLabels(request.context, request.workloadId) },
  };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return { metadata, spec: deepMerge(extraPodSpec, pod.podSpec) };
}

/** Split `{labels, annotations, ...rest}` override objects (`spec.deployment`, `spec.job`, ...). */
function splitOverride(value: ResolvedObject[string] | undefined): { metadata: Json; spec: Json } {
  const { labels, annotations, ...spec } = plainJson(value);
  const metadata: Json = {};
  if (labels !== undefined) metadata.labels = stringMap(labels as never);
  if (annotations !== undefined) metadata.annotations = stringMap(annotations as never);
  return { metadata, spec };
}

function serviceObject(request: RenderRequest, name: string, headless: boolean): K8sObject | undefined {
  const service = objectAt(request.module.spec.service);
  const ports = sortedEntries(plainJson(service.ports)).map(([portName, raw]) => {
    const p = raw as Json;
    return {
      name: portName,
      port: p.service_port,
      targetPort: p.container_port ?? p.service_port,
      protocol: p.protocol ?? 'TCP',
    };
  });
  if (ports.length === 0 && !headless) return undefined;
  const metadata: K8sObject['metadata'] = { name };
  const labels = stringMap(service.labels);
  const annotations = stringMap(service.annotations);
  if (Object.keys(labels).length > 0) metadata.labels = labels;
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  const spec: Json = { selector: selectorLabels(request.workloadId), ports };
  if (headless) {
    spec.clusterIP = 'None';
    // Peers of a StatefulSet must find each other before they are ready (e.g. to form a quorum).
    spec.publishNotReadyAddresses = true;
  }
  return { apiVersion: 'v1', kind: 'Service', metadata, spec };
}

function finish(request: RenderRequest, objects: K8sObject[]): K8sObject[] {
  return sortObjects(objects.map((o) => stampObject(o, request.context, request.workloadId)));
}

function withMetadata(object: K8sObject, metadata: Json): K8sObject {
  return { ...object, metadata: { ...object.metadata, ...metadata, name: object.metadata.name } };
}

export const defaultModuleProfile: WorkloadProfile = {
  id: 'humanitec/default-module',
  description: 'A Deployment, with a Service when the module has service ports, and the ConfigMap/Secret its pods read.',
  specSchema: defaultModuleSchema,
  render(request) {
    return settle(() => {
      const spec = request.module.spec;
      assertValidSpec(this, request.workloadId, spec);
      const pod = buildPod(request.workloadId, spec, request.manifests ?? [], request.context.hasher);
      const override = splitOverride(spec.deployment);
      const deploymentSpec: Json = {
        selector: { matchLabels: selectorLabels(request.workloadId) },
        template: podTemplate(request, pod),
      };
      // Without `replicas` the field stays unowned by Baton, so an autoscaler can own it (as score-k8s does).
      if (typeof spec.replicas === 'number') deploymentSpec.replicas = spec.replicas;
      const deployment = withMetadata(
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: request.workloadId },
          spec: deepMerge(deploymentSpec, override.spec),
        },
        override.metadata,
      );
      const objects = [...pod.configObjects, deployment];
      const service = serviceObject(request, request.workloadId, false);
      if (service) objects.push(service);
      return finish(request, objects);
    });
  },
};

export const defaultJobProfile: WorkloadProfile = {
  id: 'humanitec/default-job',
  description:
    'A Job run at deploy time. Its name carries a hash of its pod template: Job templates are immutable, so a changed module runs a new Job (the old one is pruned) and an unchanged one is not re-run.',
  specSchema: defaultJobSchema,
  render(request) {
    return settle(() => {
      const spec = request.module.spec;
      assertValidSpec(this, request.workloadId, spec);
      const pod = buildPod(request.workloadId, spec, request.manifests ?? [], request.context.hasher);
      const override = splitOverride(spec.job);
      const jobSpec = deepMerge({ template: podTemplate(request, pod, { restartPolicy: 'Never' }) }, override.spec);
      const name = `${request.workloadId.slice(0, 52)}-${sha256Hex(canonicalJson(jobSpec)).slice(0, 10)}`;
      const job = withMetadata({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec: jobSpec }, override.metadata);
      return finish(request, [...pod.configObjects, job]);
    });
  },
};

export const defaultCronJobProfile: WorkloadProfile = {
  id: 'humanitec/default-cronjob',
  description: 'One CronJob per entry of `schedules`, named `<workload>-<schedule>`; a schedule may override container fields.',
  specSchema: defaultCronJobSchema,
  render(request) {
    return settle(() => {
      const spec = request.module.spec;
      assertValidSpec(this, request.workloadId, spec);
      const override = splitOverride(spec.cronjob);
      const jobOverride = splitOverride(spec.job);
      const objects: K8sObject[] = [];
      const configByName = new Map<string, K8sObject>();
      for (const [scheduleId, rawSchedule] of sortedEntries(objectAt(spec.schedules))) {
        const schedule = objectAt(rawSchedule);
        const containers = objectAt(spec.containers);
        const containerOverrides = objectAt(schedule.containers);
        const merged: ResolvedObject = {};
        for (const [cid, container] of Object.entries(containers)) {
          merged[cid] = deepMerge(objectAt(container), objectAt(containerOverrides[cid])) as ResolvedObject;
        }
        const pod = buildPod(request.workloadId, spec, request.manifests ?? [], request.context.hasher, merged);
        // Schedules share the workload's ConfigMap/Secret; every schedule renders the same keys plus its own.
        for (const config of pod.configObjects) {
          const key = `${config.kind}/${config.metadata.name}`;
          const previous = configByName.get(key);
          configByName.set(key, previous ? { ...previous, data: { ...(previous.data as Json), ...(config.data as Json) } } : config);
        }
        // `spec.job` shapes the Job each run creates (Humanitec's `job` feature on the cronjob profile).
        const jobSpec = deepMerge({ template: podTemplate(request, pod, { restartPolicy: 'OnFailure' }) }, jobOverride.spec);
        const jobTemplate: Json = { spec: jobSpec };
        if (Object.keys(jobOverride.metadata).length > 0) jobTemplate.metadata = jobOverride.metadata;
        const cronSpec = deepMerge({ schedule: schedule.schedule, jobTemplate }, override.spec);
        objects.push(
          withMetadata(
            { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: `${request.workloadId}-${scheduleId}` }, spec: cronSpec },
            override.metadata,
          ),
        );
      }
      return finish(request, [...configByName.values(), ...objects]);
    });
  },
};

export const statefulSetProfile: WorkloadProfile = {
  id: 'baton/statefulset',
  description:
    'A StatefulSet with its governing headless Service `<workload>-headless`, plus a Service named after the workload when it has service ports.',
  specSchema: statefulSetSchema,
  render(request) {
    return settle(() => {
      const spec = request.module.spec;
      assertValidSpec(this, request.workloadId, spec);
      const pod = buildPod(request.workloadId, spec, request.manifests ?? [], request.context.hasher);
      const override = splitOverride(spec.statefulset);
      const headlessName = `${request.workloadId}-headless`;
      const setSpec: Json = {
        serviceName: headlessName,
        selector: { matchLabels: selectorLabels(request.workloadId) },
        template: podTemplate(request, pod),
      };
      if (typeof spec.replicas === 'number') setSpec.replicas = spec.replicas;
      const statefulSet = withMetadata(
        { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: request.workloadId }, spec: deepMerge(setSpec, override.spec) },
        override.metadata,
      );
      const objects: K8sObject[] = [...pod.configObjects, statefulSet];
      const headless = serviceObject(request, headlessName, true);
      if (headless) objects.push(headless);
      const service = serviceObject(request, request.workloadId, false);
      if (service) objects.push(service);
      return finish(request, objects);
    });
  },
};

export const BUILTIN_PROFILES: readonly WorkloadProfile[] = [
  defaultModuleProfile,
  defaultJobProfile,
  defaultCronJobProfile,
  statefulSetProfile,
];
