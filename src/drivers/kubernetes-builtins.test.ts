/**
 * Issue 18 item 3: Humanitec's built-in drivers that need no cloud account, with Humanitec's inputs and outputs
 * (developer.humanitec.com: "Wildcard DNS", "volume-pvc", "ingress" driver pages; orchestrator-semantics §3.6).
 * Every manifest validates against the Kubernetes schemas (kubernetes-models).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PersistentVolume, PersistentVolumeClaim, Volume } from 'kubernetes-models/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { DriverFailed } from '../shared/errors.js';
import type { JsonObject, ProvisionRequest } from './contract.js';
import { INGRESS_IMPLICIT_KEY, createDnsWildcardDriver, createHpaDriver, createIngressDriver, createVolumeNfsDriver, createVolumePvcDriver } from './kubernetes-builtins.js';
import { createBuiltinRegistry } from './registry.js';

function request(type: string, resId: string, values: JsonObject, resource: JsonObject = {}): ProvisionRequest {
  return {
    guresid: 'ab'.repeat(20),
    type,
    class: 'default',
    resId,
    resource,
    driver: { values, secrets: {} },
    context: { orgId: 'o', appId: 'shop', envId: 'dev', envType: 'development' },
    signal: new AbortController().signal,
    log: () => undefined,
  };
}

describe('humanitec/dns-wildcard', () => {
  const driver = createDnsWildcardDriver();
  it('renders the template (placeholders already resolved, sprig available) under the domain', async () => {
    // The driver page's example: template "${context.env.id}-${context.app.id}"; the semantics' splitList form.
    const plain = await driver.provision(request('dns', 'modules.web.externals.dns', { domain: 'staging.example.com', template: 'dev-shop' }));
    assert.deepEqual(plain, { values: { host: 'dev-shop.staging.example.com' }, secrets: {}, manifests: [] });
    const split = await driver.provision(request('dns', 'modules.web.externals.dns', { domain: 'example.com', template: '{{ index (splitList "." "modules.web.externals.dns") 1 }}-dev' }));
    assert.equal(split.values.host, 'web-dev.example.com');
  });

  it('without a template makes a unique subdomain that stays the same across deployments', async () => {
    const first = await driver.provision(request('dns', 'shared.api-dns', { domain: 'example.com' }));
    const again = await driver.provision(request('dns', 'shared.api-dns', { domain: 'example.com' }));
    assert.match(String(first.values.host), /^api-dns-[0-9a-f]{10}\.example\.com$/);
    assert.deepEqual(again, first);
  });

  it('refuses a missing domain and a template that is not a DNS name', async () => {
    await assert.rejects(driver.provision(request('dns', 'shared.d', {})), (e: unknown) => e instanceof DriverFailed && /values\.domain/.test(e.message));
    await assert.rejects(driver.provision(request('dns', 'shared.d', { domain: 'x.com', template: 'Not A Host!' })), /not a DNS name/);
  });
});

describe('humanitec/volume-pvc', () => {
  const driver = createVolumePvcDriver();
  it('creates a PersistentVolumeClaim and the pod volume that mounts it', async () => {
    const result = await driver.provision(request('volume', 'modules.web.externals.data', { access_modes: 'ReadWriteOnce', capacity: '5Gi', storage_class_name: 'standard' }));
    const [pvc, volume] = result.manifests;
    assert.equal(pvc?.location, 'namespace');
    assert.equal(volume?.location, 'volumes');
    const claimName = result.values.claim_name as string;
    assert.match(claimName, /^pvc-data-[0-9a-f]{10}$/);
    assert.deepEqual(pvc?.data, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claimName },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, storageClassName: 'standard' },
    });
    assert.deepEqual(volume?.data, { name: claimName, persistentVolumeClaim: { claimName } });
    new PersistentVolumeClaim(pvc.data as never).validate();
    new Volume(volume.data).validate();
  });

  it('defaults to ReadWriteOnce and 10Gi, and refuses unknown access modes and bad capacities', async () => {
    const result = await driver.provision(request('volume', 'shared.v', {}));
    assert.deepEqual((result.manifests[0]?.data.spec as JsonObject).accessModes, ['ReadWriteOnce']);
    assert.deepEqual((result.manifests[0]?.data.spec as JsonObject).resources, { requests: { storage: '10Gi' } });
    await assert.rejects(driver.provision(request('volume', 'shared.v', { access_modes: 'WriteSometimes' })), /not one of/);
    await assert.rejects(driver.provision(request('volume', 'shared.v', { capacity: 'lots' })), /not a quantity/);
  });
});

describe('humanitec/ingress', () => {
  const driver = createIngressDriver();
  const implicit = { host: 'shop.example.com', route_paths: ['/api', '/'], route_ports: [8080, 80], route_services: ['api', 'frontend'] };

  it('builds one Ingress for the dns host from the routes depending on the dns, with TLS unless no_tls', async () => {
    const result = await driver.provision(request('ingress', 'shared.dns', { [INGRESS_IMPLICIT_KEY]: implicit, class: 'nginx', annotations: { a: 'b' }, tls_secret_name: 'shop-tls' }));
    assert.equal(result.manifests.length, 1);
    const ingress = result.manifests[0]!.data as JsonObject & { metadata: JsonObject; spec: JsonObject };
    assert.equal(result.manifests[0]!.location, 'namespace');
    assert.equal(result.values.id, ingress.metadata.name);
    assert.deepEqual(ingress.metadata.annotations, { a: 'b' });
    assert.deepEqual(ingress.spec, {
      ingressClassName: 'nginx',
      rules: [{
        host: 'shop.example.com',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'frontend', port: { number: 80 } } } },
            { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { number: 8080 } } } },
          ],
        },
      }],
      tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
    });
    new Ingress(ingress).validate();
    const noTls = await driver.provision(request('ingress', 'shared.dns', { [INGRESS_IMPLICIT_KEY]: implicit, no_tls: true, path_type: 'Exact' }));
    const spec = noTls.manifests[0]!.data.spec as { tls?: unknown; rules: { http: { paths: { pathType: string }[] } }[] };
    assert.equal(spec.tls, undefined);
    assert.equal(spec.rules[0]!.http.paths[0]!.pathType, 'Exact');
  });

  it('writes no Ingress without routes and fails naming the dns when it has no host', async () => {
    const none = await driver.provision(request('ingress', 'shared.dns', { [INGRESS_IMPLICIT_KEY]: { host: 'h.example.com', route_paths: [], route_ports: [], route_services: [] } }));
    assert.deepEqual(none.manifests, []);
    await assert.rejects(driver.provision(request('ingress', 'shared.dns', {})), /dns resource "shared\.dns" of this ingress has no host/);
  });
});

describe('humanitec/volume-nfs', () => {
  it('creates a PersistentVolume on the export, a claim bound to it and the pod volume', async () => {
    const result = await createVolumeNfsDriver().provision(request('volume', 'modules.web.externals.shared', { server: 'nfs.example.com', path: '/exports/a' }));
    assert.deepEqual(result.manifests.map((m) => [m.location, m.data.kind ?? 'volume']), [['cluster', 'PersistentVolume'], ['namespace', 'PersistentVolumeClaim'], ['volumes', 'volume']]);
    const [pv, pvc, volume] = result.manifests;
    assert.deepEqual((pv!.data.spec as JsonObject).nfs, { server: 'nfs.example.com', path: '/exports/a' });
    assert.equal((pvc!.data.spec as JsonObject).volumeName, (pv!.data.metadata as JsonObject).name);
    new PersistentVolume(pv!.data).validate();
    new PersistentVolumeClaim(pvc!.data).validate();
    new Volume(volume!.data as never).validate();
    await assert.rejects(createVolumeNfsDriver().provision(request('volume', 'shared.v', { server: 'x', path: 'relative' })), /absolute path/);
  });
});

describe('humanitec/hpa', () => {
  it("scales the owning workload's Deployment; the resource's params win over the definition's values", async () => {
    const result = await createHpaDriver().provision(request('horizontal-pod-autoscaler', 'modules.web.externals.hpa', { minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 }, { maxReplicas: 4 }));
    const hpa = result.manifests[0]!;
    assert.equal(hpa.location, 'namespace');
    assert.deepEqual(hpa.data, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web-hpa' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
      },
    });
    new HorizontalPodAutoscaler(hpa.data).validate();
  });

  it('refuses a shared autoscaler and max below min', async () => {
    await assert.rejects(createHpaDriver().provision(request('horizontal-pod-autoscaler', 'shared.hpa', {})), /private resource/);
    await assert.rejects(createHpaDriver().provision(request('horizontal-pod-autoscaler', 'modules.w.externals.h', { minReplicas: 5, maxReplicas: 2 })), /below minReplicas/);
  });
});

describe('the built-in registry', () => {
  it("registers Humanitec's no-cloud drivers (humanitec/static stays echo's alias)", () => {
    const registry = createBuiltinRegistry({ terraformStateDir: '/nonexistent' });
    for (const id of ['humanitec/dns-wildcard', 'humanitec/volume-pvc', 'humanitec/volume-nfs', 'humanitec/hpa', 'humanitec/ingress', 'humanitec/static', 'humanitec/echo', 'humanitec/template']) assert.ok(registry.has(id), id);
  });
});
