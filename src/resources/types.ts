import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { InvalidInput, Conflict, NotFound } from '../shared/errors.js';
import { checkId } from '../shared/ids.js';
import { safeRegExpEngine } from '../shared/safe-regex.js';

/**
 * Resource types: what kinds of resources exist, how workloads may depend on them (`use`),
 * and the shape of what a provisioned resource hands back (`outputs_schema`).
 * Shapes follow Humanitec's ResourceTypeResponse.
 */

export type JsonSchema = Record<string, unknown>;

/**
 * - `direct`: a workload may declare it (Score `resources`, set `externals`/`shared`).
 * - `indirect`: only other resources reference or co-provision it.
 * - `implicit`: provisioned for every deployment; nobody declares it.
 */
export type ResourceUse = 'direct' | 'indirect' | 'implicit';
export const RESOURCE_USES: readonly ResourceUse[] = ['direct', 'indirect', 'implicit'];

export interface ResourceOutputsSchema {
  values: JsonSchema;
  secrets: JsonSchema;
}

export interface ResourceType {
  /** `postgres`, or `<orgId>/<name>` for an organization's own type. */
  type: string;
  name: string;
  category: string;
  use: ResourceUse;
  /** Resource inputs (the `params` a set or a `provision` entry passes), as `{values: schema}`. */
  inputs_schema: JsonSchema;
  outputs_schema: ResourceOutputsSchema;
}

const str = { type: 'string' } as const;
const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const anyObject: JsonSchema = { type: 'object' };
const freeForm: JsonSchema = { type: 'object', additionalProperties: true };

function outputs(
  values: Record<string, JsonSchema>,
  requiredValues: string[],
  secrets: Record<string, JsonSchema> = {},
  requiredSecrets: string[] = [],
): ResourceOutputsSchema {
  return {
    values: { type: 'object', properties: values, required: requiredValues },
    secrets: { type: 'object', properties: secrets, required: requiredSecrets },
  };
}

const noInputs: JsonSchema = { values: anyObject };
const credentials = { username: str, password: str };

function builtIn(
  type: string,
  name: string,
  category: string,
  use: ResourceUse,
  outputsSchema: ResourceOutputsSchema,
  inputsSchema: JsonSchema = noInputs,
): ResourceType {
  return { type, name, category, use, inputs_schema: inputsSchema, outputs_schema: outputsSchema };
}

/**
 * The standard types: Humanitec's resource type catalogue (developer.humanitec.com, "Resource Types") plus the
 * types Score's reference implementations use. The catalogue lists each type's outputs without marking any of
 * them required, and Humanitec's own examples rely on that: the delegator and propagate-class patterns forward a
 * subset of another resource's outputs (an `s3` without `region`), the in-cluster MongoDB pack outputs no `name`
 * or credentials. So the schemas here type the documented outputs (a typo such as a string `port` is caught) and
 * require none, except what Baton itself reads (`k8s-namespace.namespace`); extra outputs stay allowed.
 */
const HUMANITEC_TYPES: readonly ResourceType[] = [
  builtIn('agent', 'Humanitec agent', 'kubernetes', 'indirect', outputs({}, [], { url: str })),
  builtIn('amqp', 'AMQP broker', 'messaging', 'direct', outputs({ host: str, port, vhost: str }, [], credentials)),
  builtIn('aws-policy', 'AWS IAM policy', 'aws', 'indirect', outputs({ arn: str }, [])),
  builtIn('aws-role', 'AWS IAM role', 'aws', 'indirect', outputs({ arn: str }, [])),
  builtIn('azure-blob', 'Azure Blob Storage', 'datastore', 'direct', outputs({ account: str, container: str }, [])),
  builtIn('azure-service-bus', 'Azure Service Bus', 'messaging', 'direct', outputs({ namespace: str, queue: str, topic: str }, [], { connection_string: str })),
  builtIn('base-env', 'Base Environment', 'kubernetes', 'implicit', outputs({}, []), { values: { type: 'object', properties: { id: str } } }),
  builtIn('bigquery', 'BigQuery dataset', 'datastore', 'direct', outputs({ name: str, project_id: str }, [])),
  builtIn('cassandra', 'Cassandra', 'datastore', 'direct', outputs({ host: str, port, keyspace: str }, [], credentials)),
  builtIn('config', 'Config', 'config', 'direct', { values: freeForm, secrets: freeForm }),
  builtIn('dns', 'DNS name', 'dns', 'direct', outputs({ host: str }, []), { values: { type: 'object', properties: { subdomain: str } } }),
  builtIn('dynamodb', 'Amazon DynamoDB table', 'datastore', 'direct', outputs({ name: str, arn: str, region: str }, [])),
  builtIn('elasticsearch', 'Elasticsearch', 'datastore', 'direct', outputs({ host: str, port }, [], credentials)),
  builtIn('endpoint', 'Network endpoint', 'general', 'direct',
    outputs({ scheme: str, host: str, port, path: str, query: str, fragment: str }, [], { username: str, password: str, url: str })),
  // Baton extension (not in Humanitec's catalogue): score-compose's Docker Model Runner resource, so Score files
  // that ask for a model (score-spec/examples aks-store-demo) deploy; outputs as score-compose's provisioner.
  builtIn('llm-model', 'LLM model (OpenAI-compatible endpoint)', 'general', 'direct', outputs({ model: str, url: str }, [], { 'api-key': str }),
    { values: { type: 'object', properties: { model: str } } }),
  builtIn('environment', 'Environment (Score)', 'config', 'direct', { values: freeForm, secrets: freeForm }),
  builtIn('gcp-private-service-connect', 'GCP Private Service Connect', 'network', 'indirect', outputs({}, [])),
  builtIn('gcp-service-account', 'GCP service account', 'gcp', 'indirect', outputs({ email: str, name: str }, [])),
  builtIn('gcs', 'Google Cloud Storage bucket', 'datastore', 'direct', outputs({ name: str }, [])),
  builtIn('horizontal-pod-autoscaler', 'Horizontal Pod Autoscaler', 'kubernetes', 'direct', outputs({}, []),
    { values: { type: 'object', properties: { minReplicas: { type: 'integer' }, maxReplicas: { type: 'integer' }, targetCPUUtilizationPercentage: { type: 'integer' } } } }),
  builtIn('ingress', 'Ingress', 'dns', 'indirect', outputs({ id: str }, [])),
  builtIn('k8s-cluster', 'Kubernetes Cluster', 'kubernetes', 'implicit',
    outputs({ name: str, loadbalancer: str, cluster_type: str, cluster_data: anyObject }, [], { credentials: {}, agent_url: str })),
  builtIn('k8s-logging', 'Kubernetes logging', 'kubernetes', 'implicit', outputs({}, [])),
  builtIn('k8s-namespace', 'Kubernetes Namespace', 'kubernetes', 'implicit', outputs({ namespace: str }, ['namespace'])),
  builtIn('k8s-service-account', 'Kubernetes Service Account', 'kubernetes', 'indirect', outputs({ name: str }, [])),
  builtIn('kafka', 'Kafka', 'messaging', 'direct', outputs({ bootstrap_servers: str, host: str, port, topic: str }, [], credentials)),
  builtIn('logging', 'Logging', 'general', 'implicit', outputs({}, [])),
  builtIn('mariadb', 'MariaDB', 'datastore', 'direct', outputs({ host: str, port, name: str }, [], credentials)),
  builtIn('mongodb', 'MongoDB', 'datastore', 'direct', outputs({ host: str, port, name: str }, [], { ...credentials, connection_string: str })),
  builtIn('mssql', 'Microsoft SQL Server', 'datastore', 'direct', outputs({ host: str, port, name: str }, [], credentials)),
  builtIn('mysql', 'MySQL', 'datastore', 'direct', outputs({ host: str, port, name: str }, [], credentials)),
  builtIn('mysql-instance', 'MySQL instance', 'datastore', 'indirect', outputs({ host: str, port, name: str }, [], credentials)),
  builtIn('postgres', 'PostgreSQL', 'datastore', 'direct', outputs({ host: str, port, name: str }, [], credentials),
    { values: { type: 'object', properties: { extensions: { type: 'object', additionalProperties: { type: 'object', properties: { schema: str, version: str } } } } } }),
  builtIn('postgres-instance', 'PostgreSQL instance', 'datastore', 'indirect', outputs({ host: str, port, name: str }, [], credentials)),
  builtIn('pubsub-subscription', 'Pub/Sub subscription', 'messaging', 'direct', outputs({ name: str }, [])),
  builtIn('pubsub-topic', 'Pub/Sub topic', 'messaging', 'direct', outputs({ name: str }, [])),
  builtIn('redis', 'Redis', 'datastore', 'direct', outputs({ host: str, port }, [], credentials)),
  builtIn('route', 'HTTP route', 'dns', 'direct', outputs({ host: str, path: str, port, service: str }, []),
    { values: { type: 'object', properties: { host: str, path: str, port, service: str } } }),
  builtIn('s3', 'S3 bucket', 'datastore', 'direct', outputs({ bucket: str, region: str }, [], { aws_access_key_id: str, aws_secret_access_key: str })),
  // Baton extension: score-compose's and score-k8s' service-port (another workload's service port, checked at plan
  // time against the deployment set: src/resources/service-port.ts); outputs as theirs plus the Service's own port.
  builtIn('service-port', 'Service port of another workload (Score)', 'network', 'direct',
    outputs({ hostname: str, port, name: str, service_port: port, protocol: str }, []),
    { values: { type: 'object', properties: { workload: str, port: { type: ['string', 'integer'] } }, required: ['workload', 'port'] } }),
  builtIn('sns', 'Amazon SNS topic', 'messaging', 'direct', outputs({ arn: str, region: str }, [])),
  builtIn('spanner', 'Cloud Spanner', 'datastore', 'direct', outputs({ instance: str, database: str, project_id: str }, [])),
  builtIn('sqs', 'Amazon SQS queue', 'messaging', 'direct', outputs({ arn: str, region: str, url: str }, [])),
  builtIn('tls-cert', 'TLS certificate', 'dns', 'indirect', outputs({ tls_secret_name: str }, [])),
  // Volumes hand their result over as manifests (pod volumes), not as outputs.
  builtIn('volume', 'Volume', 'datastore', 'direct', outputs({}, [])),
  builtIn('workload', 'Workload', 'kubernetes', 'implicit',
    outputs({ update: { type: 'array', items: { type: 'object', required: ['op', 'path'], properties: { op: str, path: str } } } }, [])),
];

export const BUILT_IN_RESOURCE_TYPES: readonly ResourceType[] = HUMANITEC_TYPES;

/** A read-only view of the types an organization can use: built-ins plus its own. */
export interface ResourceTypeRegistry {
  get(type: string): ResourceType | undefined;
  /** Like `get`, but a missing type is a `NotFound` naming where it was needed. */
  require(type: string, neededBy?: string): ResourceType;
  has(type: string): boolean;
  list(): ResourceType[];
}

export function createTypeRegistry(customTypes: readonly ResourceType[] = []): ResourceTypeRegistry {
  const byType = new Map<string, ResourceType>();
  for (const t of BUILT_IN_RESOURCE_TYPES) byType.set(t.type, t);
  for (const t of customTypes) {
    if (byType.has(t.type)) throw new Conflict(`resource type "${t.type}" is registered twice`, { type: t.type });
    byType.set(t.type, t);
  }
  return {
    get: (type) => byType.get(type),
    has: (type) => byType.has(type),
    require(type, neededBy) {
      const found = byType.get(type);
      if (found) return found;
      const where = neededBy ? ` (needed by ${neededBy})` : '';
      throw new NotFound('resource type', type, `resource type "${type}" is not registered${where}`, neededBy ? { neededBy } : {});
    },
    list: () => [...byType.values()].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0)),
  };
}

export const defaultTypeRegistry: ResourceTypeRegistry = createTypeRegistry();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const schemaCompiler = new Ajv({ allErrors: true, strict: false, code: { regExp: safeRegExpEngine } });

/**
 * Validates a request to register an organization's own type (Humanitec's ResourceTypeRequest):
 * the type must be `<orgId>/<name>`; `use` defaults to `direct`; schemas must be valid JSON Schema.
 */
export function validateCustomTypeRequest(orgId: string, body: unknown): ResourceType {
  if (!isPlainObject(body)) throw new InvalidInput('resource type request must be an object');
  const issues: string[] = [];
  const type = body.type;
  if (typeof type !== 'string') {
    issues.push('type: required string "<orgId>/<name>"');
  } else {
    const [prefix, name, ...rest] = type.split('/');
    if (prefix !== orgId || name === undefined || rest.length > 0) {
      issues.push(`type: custom types must be named "${orgId}/<name>" (got "${type}")`);
    } else {
      try {
        checkId('type', name);
      } catch (error) {
        issues.push(`type: ${(error as Error).message}`);
      }
    }
  }
  const use = body.use ?? 'direct';
  if (typeof use !== 'string' || !RESOURCE_USES.includes(use as ResourceUse)) {
    issues.push(`use: must be one of ${RESOURCE_USES.join(', ')}`);
  }
  for (const field of ['name', 'category'] as const) {
    if (body[field] !== undefined && typeof body[field] !== 'string') issues.push(`${field}: must be a string`);
  }
  const inputsSchema = body.inputs_schema ?? { values: anyObject };
  const outputsSchema = body.outputs_schema ?? {};
  if (!isPlainObject(inputsSchema)) issues.push('inputs_schema: must be an object');
  if (!isPlainObject(outputsSchema)) {
    issues.push('outputs_schema: must be an object with "values" and "secrets" schemas');
  }
  const normalizedOutputs: ResourceOutputsSchema = { values: freeForm, secrets: freeForm };
  if (isPlainObject(outputsSchema)) {
    for (const part of ['values', 'secrets'] as const) {
      const schema = outputsSchema[part];
      if (schema === undefined) continue;
      if (!isPlainObject(schema)) {
        issues.push(`outputs_schema.${part}: must be a JSON Schema object`);
        continue;
      }
      try {
        schemaCompiler.compile(schema);
        normalizedOutputs[part] = schema;
      } catch (error) {
        issues.push(`outputs_schema.${part}: invalid JSON Schema: ${(error as Error).message}`);
      }
    }
  }
  if (issues.length > 0) throw new InvalidInput(`invalid resource type: ${issues.join('; ')}`, { issues });
  const typeName = type as string;
  return {
    type: typeName,
    name: typeof body.name === 'string' ? body.name : typeName,
    category: typeof body.category === 'string' ? body.category : 'custom',
    use: use as ResourceUse,
    inputs_schema: inputsSchema as JsonSchema,
    outputs_schema: normalizedOutputs,
  };
}

interface CompiledOutputs {
  values: ValidateFunction;
  secrets: ValidateFunction;
}
const compiledOutputs = new WeakMap<ResourceType, CompiledOutputs>();

function compiledFor(type: ResourceType): CompiledOutputs {
  let compiled = compiledOutputs.get(type);
  if (!compiled) {
    compiled = {
      values: schemaCompiler.compile(type.outputs_schema.values),
      secrets: schemaCompiler.compile(type.outputs_schema.secrets),
    };
    compiledOutputs.set(type, compiled);
  }
  return compiled;
}

function describeError(part: 'values' | 'secrets', error: ErrorObject): string {
  const pointer = error.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  let field = pointer ? `${part}.${pointer}` : part;
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty?: string }).missingProperty;
    if (missing) field = `${field}.${missing}`;
  }
  return `${field}: ${error.message ?? 'is invalid'}`;
}

/** Every problem with a driver's outputs for `type`, each naming the field (`values.port: must be integer`). */
export function checkOutputs(type: ResourceType, outputs: { values?: unknown; secrets?: unknown }): string[] {
  const compiled = compiledFor(type);
  const issues: string[] = [];
  for (const part of ['values', 'secrets'] as const) {
    const data = outputs[part] ?? {};
    if (!compiled[part](data)) issues.push(...(compiled[part].errors ?? []).map((e) => describeError(part, e)));
  }
  return issues;
}

/** Throws `InvalidInput` (with `details.issues`) when outputs do not fit the type's outputs_schema. */
export function validateOutputs(type: ResourceType, outputs: { values?: unknown; secrets?: unknown }): void {
  const issues = checkOutputs(type, outputs);
  if (issues.length > 0) {
    throw new InvalidInput(`outputs of resource type "${type.type}" are invalid: ${issues.join('; ')}`, {
      type: type.type,
      issues,
    });
  }
}
