/**
 * JSON Schemas (draft 2020-12) of the module `spec` each built-in profile accepts, after the shape of
 * Humanitec's default-module features (orchestrator-semantics §4.2). Open where Kubernetes is open
 * (`pod`, `deployment`, resources), strict where a typo would silently do nothing (container fields).
 */
type Schema = Record<string, unknown>;

const stringMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const port: Schema = { oneOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string', minLength: 1 }] };
const timings: Schema = Object.fromEntries(
  ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold'].map((k) => [
    k,
    { type: 'integer', minimum: 0 },
  ]),
);

const probe: Schema = {
  type: 'object',
  required: ['type'],
  properties: {
    type: { enum: ['http', 'tcp', 'command'] },
    path: { type: 'string' },
    port,
    host: { type: 'string' },
    scheme: { type: 'string' },
    headers: stringMap,
    command: { type: 'array', items: { type: 'string' }, minItems: 1 },
    ...timings,
  },
  additionalProperties: false,
  allOf: [
    { if: { properties: { type: { const: 'http' } } }, then: { required: ['port'] } },
    { if: { properties: { type: { const: 'tcp' } } }, then: { required: ['port'] } },
    { if: { properties: { type: { const: 'command' } } }, then: { required: ['command'] } },
  ],
};

const objectList: Schema = { type: 'array', items: { type: 'object' } };

/** Kubernetes Container fields a module's container may carry besides Humanitec's own (rendered unchanged). */
export const CONTAINER_PASSTHROUGH = [
  'env',
  'envFrom',
  'ports',
  'securityContext',
  'imagePullPolicy',
  'workingDir',
  'lifecycle',
  'stdin',
  'stdinOnce',
  'tty',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'volumeDevices',
  'resizePolicy',
  'restartPolicy',
] as const;

/**
 * PodSpec fields a module may set at the top of its spec, as Humanitec's default profiles take them (the
 * example library patches `/spec/tolerations`, `/spec/affinity`, `/spec/nodeSelector`, `/spec/imagePullSecrets`,
 * `/spec/securityContext`); rendered into the pod spec. `spec.pod` remains the general way to set any pod field.
 */
export const POD_PASSTHROUGH = [
  'securityContext',
  'tolerations',
  'affinity',
  'nodeSelector',
  'hostAliases',
  'priorityClassName',
  'priority',
  'terminationGracePeriodSeconds',
  'activeDeadlineSeconds',
  'dnsPolicy',
  'dnsConfig',
  'runtimeClassName',
  'schedulerName',
  'topologySpreadConstraints',
  'automountServiceAccountToken',
  'enableServiceLinks',
  'hostNetwork',
  'hostPID',
  'hostIPC',
  'shareProcessNamespace',
  'preemptionPolicy',
  'readinessGates',
  'overhead',
  'os',
  'subdomain',
  'hostname',
  'setHostnameAsFQDN',
] as const;

const K8S_FIELD_SCHEMAS: Record<string, Schema> = {
  env: objectList,
  envFrom: objectList,
  ports: objectList,
  securityContext: { type: 'object' },
  lifecycle: { type: 'object' },
  volumeDevices: objectList,
  resizePolicy: objectList,
  imagePullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
  workingDir: { type: 'string' },
  stdin: { type: 'boolean' },
  stdinOnce: { type: 'boolean' },
  tty: { type: 'boolean' },
  terminationMessagePath: { type: 'string' },
  terminationMessagePolicy: { type: 'string' },
  restartPolicy: { type: 'string' },
  tolerations: objectList,
  affinity: { type: 'object' },
  nodeSelector: stringMap,
  hostAliases: objectList,
  priorityClassName: { type: 'string' },
  priority: { type: 'integer' },
  terminationGracePeriodSeconds: { type: 'integer', minimum: 0 },
  activeDeadlineSeconds: { type: 'integer', minimum: 1 },
  dnsPolicy: { type: 'string' },
  dnsConfig: { type: 'object' },
  runtimeClassName: { type: 'string' },
  schedulerName: { type: 'string' },
  topologySpreadConstraints: objectList,
  automountServiceAccountToken: { type: 'boolean' },
  enableServiceLinks: { type: 'boolean' },
  hostNetwork: { type: 'boolean' },
  hostPID: { type: 'boolean' },
  hostIPC: { type: 'boolean' },
  shareProcessNamespace: { type: 'boolean' },
  preemptionPolicy: { type: 'string' },
  readinessGates: objectList,
  overhead: { type: 'object' },
  os: { type: 'object' },
  subdomain: { type: 'string' },
  hostname: { type: 'string' },
  setHostnameAsFQDN: { type: 'boolean' },
};

const quantities: Schema = { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }] } };

export const containerSchema: Schema = {
  type: 'object',
  required: ['image'],
  properties: {
    id: { type: 'string' },
    image: { type: 'string', minLength: 1 },
    command: { type: 'array', items: { type: 'string' } },
    args: { type: 'array', items: { type: 'string' } },
    variables: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    files: {
      type: 'object',
      propertyNames: { pattern: '^/[^/]+(/[^/]+)*$' },
      additionalProperties: {
        type: 'object',
        properties: { mode: { type: ['string', 'integer'] }, value: { type: 'string' } },
        additionalProperties: false,
      },
    },
    volume_mounts: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string', minLength: 1 }, sub_path: { type: 'string' }, read_only: { type: 'boolean' } },
        additionalProperties: false,
      },
    },
    resources: {
      type: 'object',
      properties: { limits: quantities, requests: quantities },
      additionalProperties: false,
    },
    liveness_probe: probe,
    readiness_probe: probe,
    startup_probe: probe,
    // Kubernetes Container fields Humanitec's profiles pass through (the example library's workload definitions
    // patch `securityContext` and `env` into containers); rendered as written.
    ...Object.fromEntries(CONTAINER_PASSTHROUGH.map((field) => [field, K8S_FIELD_SCHEMAS[field] ?? {}])),
  },
  additionalProperties: false,
};

const containersSchema: Schema = {
  type: 'object',
  minProperties: 1,
  propertyNames: { pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
  additionalProperties: containerSchema,
};

const serviceSchema: Schema = {
  type: 'object',
  properties: {
    ports: {
      type: 'object',
      propertyNames: { pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 15 },
      additionalProperties: {
        type: 'object',
        required: ['service_port'],
        properties: {
          protocol: { enum: ['TCP', 'UDP', 'SCTP'] },
          service_port: { type: 'integer', minimum: 1, maximum: 65535 },
          container_port: { type: 'integer', minimum: 1, maximum: 65535 },
        },
        additionalProperties: false,
      },
    },
    labels: stringMap,
    annotations: stringMap,
  },
  additionalProperties: false,
};

/** `imagePullSecrets`: Kubernetes' `[{name}]`, or plain names. */
const imagePullSecrets: Schema = {
  type: 'array',
  items: { oneOf: [{ type: 'string', minLength: 1 }, { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } }] },
};

/** Humanitec's `volumes` feature: extra pod volumes, a map name → volume source (or a Kubernetes list). */
const extraVolumes: Schema = {
  oneOf: [
    { type: 'object', propertyNames: { pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }, additionalProperties: { type: 'object' } },
    { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } } },
  ],
};

const podCommon: Schema = {
  containers: containersSchema,
  labels: stringMap,
  annotations: stringMap,
  serviceAccountName: { type: 'string' },
  pod: { type: 'object' },
  imagePullSecrets,
  volumes: extraVolumes,
  ...Object.fromEntries(POD_PASSTHROUGH.map((field) => [field, K8S_FIELD_SCHEMAS[field] ?? {}])),
  // Accepted for compatibility with older sets; the profiles do not render an Ingress (use a `route`).
  ingress: { type: 'object' },
};

function moduleSchema(title: string, extra: Record<string, Schema>, required: string[] = ['containers']): Schema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title,
    type: 'object',
    required,
    properties: { ...podCommon, ...extra },
    additionalProperties: false,
  };
}

export const defaultModuleSchema = moduleSchema('humanitec/default-module spec', {
  service: serviceSchema,
  replicas: { type: 'integer', minimum: 0 },
  deployment: { type: 'object' },
});

export const defaultJobSchema = moduleSchema('humanitec/default-job spec', { job: { type: 'object' } });

export const defaultCronJobSchema = moduleSchema(
  'humanitec/default-cronjob spec',
  {
    cronjob: { type: 'object' },
    // The Job each CronJob creates (`jobTemplate.spec`): backoffLimit, ttlSecondsAfterFinished, ...
    job: { type: 'object' },
    schedules: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
      additionalProperties: {
        type: 'object',
        required: ['schedule'],
        properties: {
          schedule: { type: 'string', minLength: 1 },
          containers: { type: 'object', additionalProperties: { type: 'object' } },
        },
        additionalProperties: false,
      },
    },
  },
  ['containers', 'schedules'],
);

export const statefulSetSchema = moduleSchema('baton/statefulset spec', {
  service: serviceSchema,
  replicas: { type: 'integer', minimum: 0 },
  statefulset: { type: 'object' },
});
