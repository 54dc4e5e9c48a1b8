/** Template-driver templates from orchestrator-semantics.md §9 render with realistic data. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { renderTemplate } from './index.js';

const ingressManifests = `{{- if gt (len .driver.values.routePaths) 0 -}}
ingress.yaml:
  location: namespace
  data:
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: {{ .id }}-ingress}
    spec:
      rules:
      - host: {{ .driver.values.host | toRawJson }}
        http:
          paths:
          {{- range $i, $p := .driver.values.routePaths }}
          - path: {{ $p | toRawJson }}
            pathType: Prefix
            backend: {service: {name: {{ index $.driver.values.routeServices $i | toRawJson }}, port: {number: {{ index $.driver.values.routePorts $i }}}}}
          {{- end }}
{{- end -}}
`;

test('ingress manifests template renders one path per route', () => {
  const out = renderTemplate(ingressManifests, {
    id: 'modules-my-module-externals-ingress',
    driver: { values: { host: 'qa-team-my-app.my-domain.com', routePaths: ['/', '/api'], routePorts: [8080, 9090], routeServices: ['web', 'api'] } },
  }, { name: 'manifests' });
  assert.equal(
    out,
    `ingress.yaml:
  location: namespace
  data:
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    metadata: {name: modules-my-module-externals-ingress-ingress}
    spec:
      rules:
      - host: "qa-team-my-app.my-domain.com"
        http:
          paths:
          - path: "/"
            pathType: Prefix
            backend: {service: {name: "web", port: {number: 8080}}}
          - path: "/api"
            pathType: Prefix
            backend: {service: {name: "api", port: {number: 9090}}}`,
  );
  const parsed = parseYaml(out) as { 'ingress.yaml': { data: { spec: { rules: { http: { paths: unknown[] } }[] } } } };
  assert.equal(parsed['ingress.yaml'].data.spec.rules[0]!.http.paths.length, 2);
});

test('ingress manifests template renders nothing without routes', () => {
  const out = renderTemplate(ingressManifests, { id: 'x', driver: { values: { host: 'h', routePaths: [], routePorts: [], routeServices: [] } } });
  assert.equal(out, '');
});

test('ingress outputs template', () => {
  assert.equal(renderTemplate('id: {{ .id }}-ingress\n', { id: 'abc' }), 'id: abc-ingress\n');
});

test('k8s-service-account init, outputs and manifests templates chain through .init', () => {
  const init = renderTemplate('name: {{ .driver.values.res_id | splitList "." | last }}-sa\n', { driver: { values: { res_id: 'modules.w1' } } });
  assert.equal(init, 'name: w1-sa\n');
  const initValues = parseYaml(init) as Record<string, unknown>;
  assert.equal(renderTemplate('name: {{ .init.name }}\n', { init: initValues }), 'name: w1-sa\n');
  const manifests = renderTemplate(
    'service-account.yaml:\n  location: namespace\n  data: {apiVersion: v1, kind: ServiceAccount, metadata: {name: {{ .init.name }}}}\n',
    { init: initValues },
  );
  assert.equal(manifests, 'service-account.yaml:\n  location: namespace\n  data: {apiVersion: v1, kind: ServiceAccount, metadata: {name: w1-sa}}\n');
});

test('workload outputs template passes placeholders through untouched', () => {
  const template = 'update:\n- op: add\n  path: /spec/serviceAccountName\n  value: w1-sa\n';
  assert.equal(renderTemplate(template, {}), template);
});

test('dns-style template with cookie-stable generated password', () => {
  const template = 'password: {{ .cookie.password | default (randAlphaNum 16) }}\n';
  const first = renderTemplate(template, { cookie: {} });
  assert.match(first, /^password: [A-Za-z0-9]{16}\n$/);
  const again = renderTemplate(template, { cookie: parseYaml(first) as unknown });
  assert.equal(again, first);
});
