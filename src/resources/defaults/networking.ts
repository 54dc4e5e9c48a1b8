/**
 * Defaults for the networking and storage types a fresh (embedded) Baton needs so that every Score file of the
 * shipped examples and of score-spec/examples deploys before a platform team writes a definition (issues 18
 * and 26): `route`, `ingress`, `tls-cert`, `volume`, `service-port` and `endpoint` (`dns` is in development.ts).
 *
 * - `route`: outputs `host`, `path`, `port`, `service` (the workload the route belongs to) from the route's
 *   params, and one Ingress per route sending `host` + `path` to the workload's Service on `port` (no TLS: the
 *   default hosts are `*.localhost`).
 * - `ingress`: Humanitec's `humanitec/ingress` driver without TLS, for sets or definitions that ask for an
 *   `ingress` resource (e.g. a dns definition co-provisioning one, as Humanitec's examples do).
 * - `tls-cert`: names the TLS Secret `<app>-<env>-tls`; Baton does not issue certificates, something else
 *   (cert-manager, an operator) must fill that Secret.
 * - `volume`: an `emptyDir` pod volume (as score-k8s' default): data lives as long as the pod.
 * - `service-port`: another workload's service port (score-compose/score-k8s): `hostname`, `port` (container port),
 *   `name`, `service_port`, `protocol`, from what the plan resolved against the deployment set (service-port.ts).
 * - `endpoint`: another workload of the app reached by its Service: `name`/`host` are the resource's name,
 *   `port` its `port` param (default 80), `url` `http://<host>:<port>`.
 *
 * All are fallbacks like the others (latest creation time, plainest criteria), so any org definition wins.
 */
import type { ResourceDefinition } from '../definitions.js';
import { FALLBACK_CREATED_AT } from './implicit.js';

function fallback(type: string, driverType: string, values: Record<string, unknown>): ResourceDefinition {
  return {
    id: `baton-default-${type}`,
    name: `Baton default ${type} (${driverType})`,
    type,
    driver_type: driverType,
    driver_inputs: { values, secrets: {} },
    provision: {},
    criteria: [{ id: `baton-default-${type}`, class: 'default' }],
    version_id: 'builtin',
    created_at: FALLBACK_CREATED_AT,
    is_default: true,
  };
}

/** `modules.<w>.externals.<name>` → `<w>`; `shared.<name>` → `<name>`. */
const WORKLOAD_OF_RES_ID = `{{- $parts := splitList "." .driver.values.res_id }}
workload: {{ if gt (len $parts) 2 }}{{ index $parts 1 | toRawJson }}{{ else }}{{ last $parts | toRawJson }}{{ end }}
name: {{ last $parts | toRawJson }}
`;

export const NETWORKING_DEFINITIONS: readonly ResourceDefinition[] = [
  fallback('route', 'humanitec/template', {
    res_id: '${context.res.id}',
    templates: {
      init: WORKLOAD_OF_RES_ID,
      outputs: `host: {{ .resource.host | default "" | toRawJson }}
path: {{ .resource.path | default "/" | toRawJson }}
port: {{ .resource.port | default 80 }}
service: {{ .resource.service | default .init.workload | toRawJson }}
`,
      manifests: `{{- if .resource.host }}
ingress.yaml:
  location: namespace
  data:
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata:
      name: {{ printf "route-%s-%s" (.init.name | trunc 30 | trimSuffix "-") (.id | trunc 10) | toRawJson }}
    spec:
      rules:
        - host: {{ .resource.host | toRawJson }}
          http:
            paths:
              - path: {{ .resource.path | default "/" | toRawJson }}
                pathType: Prefix
                backend:
                  service:
                    name: {{ .resource.service | default .init.workload | toRawJson }}
                    port:
                      number: {{ .resource.port | default 80 }}
{{- end }}
`,
    },
  }),
  fallback('ingress', 'humanitec/ingress', { no_tls: true }),
  fallback('tls-cert', 'humanitec/echo', { tls_secret_name: '${context.app.id}-${context.env.id}-tls' }),
  fallback('volume', 'humanitec/template', {
    templates: {
      outputs: 'name: {{ printf "volume-%s" (.id | trunc 10) }}\n',
      manifests: `volume.yaml:
  location: volumes
  data:
    name: {{ printf "volume-%s" (.id | trunc 10) }}
    emptyDir: {}
`,
    },
  }),
  // As score-compose's DMR provisioner: the model named by the `model` param, served by Docker Model Runner's
  // OpenAI-compatible endpoint on the host. A platform points it elsewhere with its own llm-model definition.
  fallback('llm-model', 'humanitec/template', {
    templates: {
      outputs: `model: {{ .resource.model | default "ai/smollm2" | toRawJson }}
url: "http://model-runner.docker.internal/engines/v1/"
`,
      secrets: 'api-key: "not-needed"\n',
    },
  }),
  // As score-compose's and score-k8s' service-port provisioner: the plan has checked `workload` and `port` against
  // the deployment set and added what it found as `service` (src/resources/service-port.ts). `port` is the container
  // port (the reference's value, right on the local runtime where the hostname reaches the pod), `service_port` the
  // port the workload's Kubernetes Service listens on.
  fallback('service-port', 'humanitec/template', {
    templates: {
      outputs: `{{- if not .resource.service }}{{ fail "service-port: the params workload and port must name a workload of the deployment set and one of its service ports" }}{{ end }}
hostname: {{ .resource.service.hostname | toRawJson }}
port: {{ .resource.service.target_port }}
name: {{ .resource.service.name | toRawJson }}
service_port: {{ .resource.service.service_port }}
protocol: {{ .resource.service.protocol | toRawJson }}
`,
    },
  }),
  fallback('endpoint', 'humanitec/template', {
    res_id: '${context.res.id}',
    templates: {
      init: WORKLOAD_OF_RES_ID,
      outputs: `name: {{ .init.name | toRawJson }}
scheme: http
host: {{ .init.name | toRawJson }}
port: {{ .resource.port | default 80 }}
path: ""
`,
      secrets: 'url: {{ printf "http://%s:%v" .init.name (.resource.port | default 80) | toRawJson }}\n',
    },
  }),
];
