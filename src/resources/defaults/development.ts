/**
 * Resource definitions a fresh Baton offers for the common Score resource types, so `baton score deploy` of a
 * typical workload succeeds before a platform team has written any definition (issue 7, item 7).
 *
 * - When `BATON_DEV_POSTGRES_URL`, `BATON_DEV_MYSQL_URL`, `BATON_DEV_REDIS_URL` or `BATON_DEV_AMQP_URL` points at a
 *   server, environments of type `development` get a definition that provisions a real database / user / vhost
 *   there through the matching infrastructure driver.
 * - Otherwise (and for every other environment type) the fallback is a `humanitec/template` definition that runs
 *   the service inside the environment's namespace: a StatefulSet or Deployment plus a Service, with a generated
 *   password kept stable across deployments through the driver cookie, as score-k8s's defaults do.
 *
 * All of them are fallbacks: created "at the end of time" with the plainest criteria, so any definition an org
 * writes for the same type wins the match.
 */
import type { ResourceDefinition } from '../definitions.js';
import { FALLBACK_CREATED_AT } from './implicit.js';
import { InvalidInput } from '../../shared/errors.js';

export interface DevelopmentServers {
  postgresUrl?: string | undefined;
  mysqlUrl?: string | undefined;
  redisUrl?: string | undefined;
  amqpUrl?: string | undefined;
}

function definition(
  id: string,
  type: string,
  driverType: string,
  inputs: { values: Record<string, unknown>; secrets?: Record<string, unknown> },
  criteria: ResourceDefinition['criteria'],
): ResourceDefinition {
  return {
    id,
    name: `Baton default ${type} (${driverType})`,
    type,
    driver_type: driverType,
    driver_inputs: { values: inputs.values, secrets: inputs.secrets ?? {} },
    provision: {},
    criteria,
    version_id: 'builtin',
    created_at: FALLBACK_CREATED_AT,
    is_default: true,
  };
}

/** The stable part of every in-namespace template: a generated password that the cookie keeps. */
const PASSWORD_INIT = `
name: {{ printf "%s-%s" .driver.values.prefix (.id | trunc 10) }}
{{- if and .cookie .cookie.password }}
password: {{ .cookie.password | quote }}
{{- else }}
password: {{ randAlphaNum 24 | quote }}
{{- end }}
`;

interface InNamespaceService {
  type: string;
  prefix: string;
  image: string;
  port: number;
  env: string;
  outputs: string;
  secrets: string;
}

function inNamespaceTemplate(service: InNamespaceService): ResourceDefinition {
  const labels = `app.kubernetes.io/name: {{ .init.name }}\n              app.kubernetes.io/managed-by: baton`;
  const manifests = `
secret:
  location: namespace
  data:
    apiVersion: v1
    kind: Secret
    metadata:
      name: {{ .init.name }}
    stringData:
      password: {{ .init.password | quote }}
service:
  location: namespace
  data:
    apiVersion: v1
    kind: Service
    metadata:
      name: {{ .init.name }}
    spec:
      selector:
        app.kubernetes.io/name: {{ .init.name }}
      ports:
        - port: ${service.port}
          targetPort: ${service.port}
statefulset:
  location: namespace
  data:
    apiVersion: apps/v1
    kind: StatefulSet
    metadata:
      name: {{ .init.name }}
    spec:
      serviceName: {{ .init.name }}
      replicas: 1
      selector:
        matchLabels:
          app.kubernetes.io/name: {{ .init.name }}
      template:
        metadata:
          labels:
              ${labels}
        spec:
          containers:
            - name: main
              image: ${service.image}
              ports:
                - containerPort: ${service.port}
              env:
${service.env}
`;
  return definition(`baton-default-${service.type}`, service.type, 'humanitec/template', {
    values: {
      prefix: service.prefix,
      templates: {
        init: PASSWORD_INIT,
        cookie: 'password: {{ .init.password | quote }}\n',
        manifests,
        outputs: service.outputs,
        secrets: service.secrets,
      },
    },
  }, [{ id: `baton-default-${service.type}`, class: 'default' }]);
}

const passwordFromSecret = (name: string) => `                - name: ${name}
                  valueFrom:
                    secretKeyRef:
                      name: {{ .init.name }}
                      key: password`;

/** In-namespace fallbacks for every environment type. */
export const IN_NAMESPACE_DEFINITIONS: readonly ResourceDefinition[] = [
  inNamespaceTemplate({
    type: 'postgres',
    prefix: 'pg',
    image: 'postgres:16-alpine',
    port: 5432,
    env: `                - name: POSTGRES_USER
                  value: app
                - name: POSTGRES_DB
                  value: app
${passwordFromSecret('POSTGRES_PASSWORD')}`,
    outputs: 'host: {{ .init.name }}\nport: 5432\nname: app\ndatabase: app\n',
    secrets: 'username: app\npassword: {{ .init.password | quote }}\n',
  }),
  inNamespaceTemplate({
    type: 'mysql',
    prefix: 'mysql',
    image: 'mysql:8.4',
    port: 3306,
    env: `                - name: MYSQL_USER
                  value: app
                - name: MYSQL_DATABASE
                  value: app
                - name: MYSQL_RANDOM_ROOT_PASSWORD
                  value: "yes"
${passwordFromSecret('MYSQL_PASSWORD')}`,
    outputs: 'host: {{ .init.name }}\nport: 3306\nname: app\ndatabase: app\n',
    secrets: 'username: app\npassword: {{ .init.password | quote }}\n',
  }),
  inNamespaceTemplate({
    type: 'redis',
    prefix: 'redis',
    image: 'redis:7-alpine',
    port: 6379,
    env: passwordFromSecret('REDIS_PASSWORD'),
    outputs: 'host: {{ .init.name }}\nport: 6379\n',
    secrets: 'username: default\npassword: {{ .init.password | quote }}\n',
  }),
  inNamespaceTemplate({
    type: 'amqp',
    prefix: 'amqp',
    image: 'rabbitmq:3-management-alpine',
    port: 5672,
    env: `                - name: RABBITMQ_DEFAULT_USER
                  value: app
${passwordFromSecret('RABBITMQ_DEFAULT_PASS')}`,
    outputs: 'host: {{ .init.name }}\nport: 5672\nvhost: /\n',
    secrets: 'username: app\npassword: {{ .init.password | quote }}\n',
  }),
  inNamespaceTemplate({
    type: 'mongodb',
    prefix: 'mongo',
    image: 'mongo:7',
    port: 27017,
    env: `                - name: MONGO_INITDB_ROOT_USERNAME
                  value: app
${passwordFromSecret('MONGO_INITDB_ROOT_PASSWORD')}`,
    outputs: 'host: {{ .init.name }}\nport: 27017\nname: app\n',
    // `connection` is what score-compose's mongodb provisioner outputs (score-spec/examples' aks-store-demo reads it).
    secrets: `username: app
password: {{ .init.password | quote }}
connection: {{ printf "mongodb://app:%s@%s:27017/" .init.password .init.name | quote }}
connection_string: {{ printf "mongodb://app:%s@%s:27017/" .init.password .init.name | quote }}
`,
  }),
  definition('baton-default-dns', 'dns', 'humanitec/echo', {
    values: { host: '${context.app.id}-${context.env.id}.localhost' },
  }, [{ id: 'baton-default-dns', class: 'default' }]),
];

function parseServerUrl(variable: string, text: string, protocols: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInput(`${variable} is not a valid URL`, { field: variable });
  }
  if (!protocols.includes(url.protocol)) {
    throw new InvalidInput(`${variable} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`, { field: variable });
  }
  return url;
}

const port = (url: URL, fallback: number) => (url.port === '' ? fallback : Number(url.port));
const developmentOnly = (id: string): ResourceDefinition['criteria'] => [{ id, class: 'default', env_type: 'development' }];

/** Definitions that provision on real servers for `development` environments, from the BATON_DEV_* URLs. */
export function developmentServerDefinitions(servers: DevelopmentServers): ResourceDefinition[] {
  const result: ResourceDefinition[] = [];
  if (servers.postgresUrl) {
    const url = parseServerUrl('BATON_DEV_POSTGRES_URL', servers.postgresUrl, ['postgres:', 'postgresql:']);
    result.push(definition('baton-dev-postgres', 'postgres', 'humanitec/postgres', {
      values: { host: url.hostname, port: port(url, 5432), name: decodeURIComponent(url.pathname.slice(1)) || 'postgres' },
      secrets: { dbcredentials: { username: decodeURIComponent(url.username) || 'postgres', password: decodeURIComponent(url.password) } },
    }, developmentOnly('baton-dev-postgres')));
  }
  if (servers.mysqlUrl) {
    const url = parseServerUrl('BATON_DEV_MYSQL_URL', servers.mysqlUrl, ['mysql:', 'mariadb:']);
    const driverType = url.protocol === 'mariadb:' ? 'humanitec/mariadb' : 'humanitec/mysql';
    const inputs = {
      values: { host: url.hostname, port: port(url, 3306) },
      secrets: { dbcredentials: { username: decodeURIComponent(url.username) || 'root', password: decodeURIComponent(url.password) } },
    };
    result.push(definition('baton-dev-mysql', 'mysql', driverType, inputs, developmentOnly('baton-dev-mysql')));
    result.push(definition('baton-dev-mariadb', 'mariadb', driverType, inputs, developmentOnly('baton-dev-mariadb')));
  }
  if (servers.redisUrl) {
    const url = parseServerUrl('BATON_DEV_REDIS_URL', servers.redisUrl, ['redis:']);
    result.push(definition('baton-dev-redis', 'redis', 'baton/redis', {
      values: { host: url.hostname, port: port(url, 6379) },
      secrets: {
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      },
    }, developmentOnly('baton-dev-redis')));
  }
  if (servers.amqpUrl) {
    const url = parseServerUrl('BATON_DEV_AMQP_URL', servers.amqpUrl, ['amqp:']);
    result.push(definition('baton-dev-amqp', 'amqp', 'baton/rabbitmq', {
      values: { host: url.hostname, port: port(url, 5672) },
      secrets: { username: decodeURIComponent(url.username) || 'guest', password: decodeURIComponent(url.password) || 'guest' },
    }, developmentOnly('baton-dev-amqp')));
  }
  return result;
}

/** Every fallback for the common types: real servers for development where configured, else in-namespace. */
export function developmentDefinitions(servers: DevelopmentServers = {}): ResourceDefinition[] {
  return [...developmentServerDefinitions(servers), ...IN_NAMESPACE_DEFINITIONS];
}
