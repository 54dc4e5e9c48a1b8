import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DriverFailed } from '../shared/errors.js';
import { DEFAULT_TEMPLATE_LIMITS, renderTemplate } from '../templates/index.js';
import type { JsonObject, ProvisionRequest } from './contract.js';
import { createBuiltinRegistry } from './registry.js';
import { createTemplateDriver } from './template.js';

function request(values: JsonObject, extra: Partial<ProvisionRequest> = {}): ProvisionRequest {
  return {
    guresid: '0123456789abcdef0123456789abcdef01234567',
    type: 'postgres',
    class: 'default',
    resId: 'modules.api.externals.db',
    resource: { size: 'small' },
    driver: { values, secrets: {} },
    context: { orgId: 'acme', appId: 'shop', envId: 'dev', envType: 'development' },
    signal: new AbortController().signal,
    log: () => undefined,
    ...extra,
  };
}

const driver = createTemplateDriver();

describe('humanitec/template', () => {
  it("hands the definition's driver_account credentials to templates as .driver.secrets.account, beside the other secrets", async () => {
    const result = await driver.provision(
      request(
        {},
        { driver: { values: { templates: { outputs: 'key: {{ .driver.secrets.account.aws_access_key_id }}\nuser: {{ .driver.secrets.user }}', secrets: 'secret: {{ .driver.secrets.account.aws_secret_access_key }}' } }, secrets: { user: 'app' } }, account: { aws_access_key_id: 'AKIA1', aws_secret_access_key: 's3cr3t' } },
      ),
    );
    assert.deepEqual(result.values, { key: 'AKIA1', user: 'app' });
    assert.deepEqual(result.secrets, { secret: 's3cr3t' });
    const without = await driver.provision(request({ templates: { outputs: 'has: {{ hasKey .driver.secrets "account" }}' } }));
    assert.deepEqual(without.values, { has: false });
  });

  it('gives every template .id, .resource, .driver.values, .driver.secrets and the parsed .init', async () => {
    const full = await driver.provision({
      ...request({}),
      driver: {
        values: {
          prefix: 'db',
          templates: {
            init: 'name: {{ .driver.values.prefix }}-{{ .resource.size }}\nport: 5432',
            outputs: 'id: {{ .id }}\nname: {{ .init.name }}\nport: {{ .init.port }}\nuser: {{ .driver.secrets.user }}',
          },
        },
        secrets: { user: 'app' },
      },
    });
    assert.deepEqual(full.values, {
      id: '0123456789abcdef0123456789abcdef01234567',
      name: 'db-small',
      port: 5432,
      user: 'app',
    });
    assert.deepEqual(full.secrets, {});
    assert.deepEqual(full.manifests, []);
    assert.equal(full.cookie, undefined, 'no cookie template means no cookie');
  });

  it('evaluates init before the others, so outputs, cookie and manifests agree on one generated value', async () => {
    const result = await driver.provision(
      request({
        templates: {
          init: 'password: {{ randAlphaNum 24 | quote }}',
          cookie: 'password: {{ .init.password }}',
          outputs: 'length: {{ len .init.password }}',
          secrets: 'password: {{ .init.password }}',
          manifests: 'secret.yaml:\n  location: namespace\n  data:\n    kind: Secret\n    stringData: {password: {{ .init.password | quote }}}',
        },
      }),
    );
    const password = result.secrets.password;
    assert.equal(typeof password, 'string');
    assert.equal((password as string).length, 24);
    assert.deepEqual(result.cookie, { password });
    assert.deepEqual(result.values, { length: 24 });
    assert.deepEqual(result.manifests[0]?.data, { kind: 'Secret', stringData: { password } });
  });

  it('hands the previous cookie back as .cookie and keeps generated values stable across provisions', async () => {
    const values = {
      templates: {
        init: '{{- if .cookie }}password: {{ .cookie.password }}{{ else }}password: {{ randAlphaNum 16 }}{{ end }}',
        cookie: 'password: {{ .init.password }}',
        secrets: 'password: {{ .init.password }}',
      },
    };
    const first = await driver.provision(request(values));
    const second = await driver.provision(request(values, { cookie: first.cookie }));
    const third = await driver.provision(request(values, { cookie: second.cookie }));
    assert.equal(second.secrets.password, first.secrets.password);
    assert.equal(third.secrets.password, first.secrets.password);
    const withoutCookie = await driver.provision(request(values));
    assert.notEqual(withoutCookie.secrets.password, first.secrets.password);
  });

  it('sees .cookie as nil on the first provision', async () => {
    const result = await driver.provision(request({ templates: { outputs: 'first: {{ if .cookie }}false{{ else }}true{{ end }}' } }));
    assert.deepEqual(result.values, { first: true });
  });

  it('merges secret outputs from values.templates.secrets and secrets.templates.outputs', async () => {
    const result = await driver.provision({
      ...request({ templates: { secrets: 'a: from-values\nb: from-values' } }),
      driver: {
        values: { templates: { secrets: 'a: from-values\nb: from-values' } },
        secrets: { token: 't0k', templates: { outputs: 'b: from-secrets\nc: {{ .driver.secrets.token }}' } },
      },
    });
    assert.deepEqual(result.secrets, { a: 'from-values', b: 'from-secrets', c: 't0k' });
  });

  it('gives the secret templates the parsed outputs as .outputs.values (not the outputs template itself)', async () => {
    const result = await driver.provision({
      ...request({}),
      driver: {
        values: { templates: { outputs: '{{ if .outputs }}seen: true{{ else }}host: example.com\nport: 8080{{ end }}', secrets: 'url: http://{{ .outputs.values.host }}:{{ .outputs.values.port }}' } },
        secrets: { templates: { outputs: 'port: {{ .outputs.values.port | toRawJson }}' } },
      },
    });
    assert.deepEqual(result.values, { host: 'example.com', port: 8080 });
    assert.deepEqual(result.secrets, { url: 'http://example.com:8080', port: 8080 });
  });

  it('returns manifests keyed by name with their location, sorted by name', async () => {
    const result = await driver.provision(
      request({
        templates: {
          manifests: [
            'z-ns.yaml: {location: cluster, data: {apiVersion: v1, kind: Namespace, metadata: {name: n}}}',
            'a-sidecar.yaml: {location: containers, data: {name: proxy, image: envoy}}',
            'm-vol.yaml: {location: volumes, data: {name: v, emptyDir: {}}}',
            'cm.yaml: {location: namespace, data: {apiVersion: v1, kind: ConfigMap}}',
          ].join('\n'),
        },
      }),
    );
    assert.deepEqual(
      result.manifests.map((m) => [m.name, m.location]),
      [
        ['a-sidecar.yaml', 'containers'],
        ['cm.yaml', 'namespace'],
        ['m-vol.yaml', 'volumes'],
        ['z-ns.yaml', 'cluster'],
      ],
    );
  });

  it('fails naming the manifest when its location is not one of containers, volumes, namespace, cluster', async () => {
    await assert.rejects(
      driver.provision(request({ templates: { manifests: 'bad.yaml:\n  location: pod\n  data: {kind: X}' } })),
      (error: unknown) => {
        assert.ok(error instanceof DriverFailed);
        assert.match(error.message, /manifest "bad\.yaml" has invalid location "pod"/);
        assert.equal(error.details.manifest, 'bad.yaml');
        return true;
      },
    );
  });

  it('reads manifest data given as YAML text as the object it holds (as Humanitec does), and refuses other text', async () => {
    const result = await driver.provision(request({ templates: { manifests: 'm.yaml:\n  location: namespace\n  data: "kind: X"' } }));
    assert.deepEqual(result.manifests, [{ name: 'm.yaml', location: 'namespace', data: { kind: 'X' } }]);
    await assert.rejects(
      driver.provision(request({ templates: { manifests: 'm.yaml:\n  location: namespace\n  data: "just text"' } })),
      /manifest "m\.yaml" data must be a YAML map/,
    );
  });

  it('reports template errors with the template name, line and column', async () => {
    await assert.rejects(driver.provision(request({ templates: { init: 'a: 1\nb: {{ .nope | nosuchfunc }}' } })), (error: unknown) => {
      assert.ok(error instanceof DriverFailed);
      assert.match(error.message, /template "init" failed/);
      assert.match(error.message, /init:2:/);
      return true;
    });
  });

  it('reports output that is not YAML, naming the template and showing the rendered text', async () => {
    await assert.rejects(
      driver.provision(request({ templates: { outputs: 'a: [unclosed' } })),
      /template "outputs" did not render valid YAML[\s\S]*a: \[unclosed/,
    );
  });

  it('refuses outputs that are not a map', async () => {
    await assert.rejects(driver.provision(request({ templates: { outputs: '- a\n- b' } })), /outputs must render to a YAML map \(got a list\)/);
  });

  it('treats an empty rendering as no outputs, no manifests and no cookie', async () => {
    const result = await driver.provision(
      request({ templates: { outputs: '{{/* nothing */}}', manifests: '{{- if false }}x: y{{ end }}', cookie: '' } }),
    );
    assert.deepEqual(result, { values: {}, secrets: {}, manifests: [] });
  });

  it('accepts a definition without templates', async () => {
    assert.deepEqual(await driver.provision(request({})), { values: {}, secrets: {}, manifests: [] });
  });

  it('uses an injected renderer when given one', async () => {
    const seen: unknown[] = [];
    const custom = createTemplateDriver({
      renderTemplate: (source, data, options) => {
        seen.push([source, options?.name, (data as { id: string }).id]);
        return 'rendered: true';
      },
    });
    const result = await custom.provision(request({ templates: { outputs: 'SRC' } }));
    assert.deepEqual(result.values, { rendered: true });
    assert.deepEqual(seen, [['SRC', 'outputs', '0123456789abcdef0123456789abcdef01234567']]);
  });
});

describe('humanitec/template manifests whose data renders to YAML text', () => {
  it('parses the text into the object (example-library propagate-id: `data: |` inside a manifests template)', async () => {
    const manifests = 'service-account.yaml:\n  location: namespace\n  data: |\n    apiVersion: v1\n    kind: ServiceAccount\n    metadata:\n      name: {{ .resource.size }}-sa\n';
    const result = await driver.provision(request({ templates: { manifests } }));
    assert.deepEqual(result.manifests, [{ name: 'service-account.yaml', location: 'namespace', data: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'small-sa' } } }]);
  });

  it('refuses text that is not YAML or not a map, naming the manifest', async () => {
    await assert.rejects(driver.provision(request({ templates: { manifests: 'a.yaml:\n  location: namespace\n  data: "just text"\n' } })), (e: unknown) => e instanceof DriverFailed && /manifest "a\.yaml" data must be a YAML map/.test(e.message));
    await assert.rejects(driver.provision(request({ templates: { manifests: 'b.yaml:\n  location: namespace\n  data: "key: [unclosed"\n' } })), /manifest "b\.yaml" data is text that is not valid YAML/);
  });
});

/**
 * Starts the templates' worker thread (sync-worker.ts) with a call that may wait for it: a lookup allows itself 1 s,
 * worker start-up included, which a busy test machine can exceed.
 */
function warmTemplateWorker(): void {
  renderTemplate('{{ htpasswd "a" "b" }}', {}, { limits: { ...DEFAULT_TEMPLATE_LIMITS, timeoutMs: 60_000 } });
}

describe('getHostByName in definitions follows the server host lookup policy', () => {
  before(warmTemplateWorker);
  const lookup = (host: string) => request({ templates: { outputs: `addr: {{ getHostByName "${host}" }}` } });
  const off = { enabled: false, allowedSuffixes: [] };

  it('resolves any name when no policy is given (as before the setting existed)', async () => {
    assert.match(String((await createTemplateDriver().provision(lookup('localhost'))).values.addr), /^(127\.0\.0\.1|::1)$/);
  });

  it('refuses a lookup the policy forbids with an error naming the template, the position, the function and the host', async () => {
    const refusing = createTemplateDriver({ hostLookup: { enabled: true, allowedSuffixes: ['localhost'] } });
    assert.match(String((await refusing.provision(lookup('localhost'))).values.addr), /^(127\.0\.0\.1|::1)$/);
    await assert.rejects(
      refusing.provision(lookup('vault.internal.corp')),
      (error: unknown) =>
        error instanceof DriverFailed &&
        error.message.startsWith('humanitec/template: template "outputs" failed: template: outputs:1:9: executing "outputs" at <getHostByName "vault...>: error calling getHostByName: lookup of "vault.internal.corp" refused'),
    );
  });

  it('does not reuse a template compiled under another policy (the compiled-template cache keys on it)', async () => {
    const source = lookup('localhost');
    await createTemplateDriver().provision(source);
    await assert.rejects(createTemplateDriver({ hostLookup: off }).provision(source), /lookup of "localhost" refused: host name lookups are turned off/);
    assert.match(String((await createTemplateDriver().provision(source)).values.addr), /^(127\.0\.0\.1|::1)$/);
  });

  it("the built-in registry hands the policy to humanitec/template and to humanitec/dns-wildcard's template", async () => {
    const registry = createBuiltinRegistry({ terraformStateDir: '/nonexistent', templateHostLookup: off });
    await assert.rejects(registry.get('humanitec/template').provision(lookup('localhost')), /error calling getHostByName: lookup of "localhost" refused/);
    const dns = request({ domain: 'example.com', template: '{{ if getHostByName "localhost" }}resolved{{ end }}' });
    await assert.rejects(registry.get('humanitec/dns-wildcard').provision(dns), /error calling getHostByName: lookup of "localhost" refused/);
    const open = createBuiltinRegistry({ terraformStateDir: '/nonexistent' });
    assert.match(String((await open.get('humanitec/dns-wildcard').provision(dns)).values.host), /^resolved\.example\.com$/);
  });
});
