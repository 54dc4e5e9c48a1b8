/**
 * The local runtime pulls an image under a registry with credentials, with those credentials: the Podman target gets
 * the objects a deployment renders (a Deployment naming the registry's pull secret, the `kubernetes.io/dockerconfigjson`
 * Secret), finds the image missing, and runs `podman pull --authfile` with a file of its own (0600, in a private
 * folder removed afterwards). The registry is an in-test one speaking the registry API over HTTP, declared insecure
 * to Podman through `CONTAINERS_REGISTRIES_CONF` (a test-only setting: real registries use TLS); it demands Basic
 * authentication and serves the test's busybox image. Skips where podman cannot run.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { attachPullSecrets, renderPullSecret, renderWorkload } from '../../src/profiles/index.js';
import { TEST_HASHER } from '../../src/profiles/testing.js';
import { PodmanTarget } from '../../src/targets/podman/target.js';
import { BUSYBOX_IMAGE, podmanCommand, preparePodman } from '../helpers/podman.js';

const podman = preparePodman();
if (!podman.ok) console.log(`# podman pull-secret test skipped: ${podman.reason}`);
const containersConf = podman.ok ? podman.containersConf : '';

const USERNAME = 'robot';
const PASSWORD = `podman-reg-pw-${Date.now().toString(36)}`;
const APP = `pull${Date.now().toString(36)}`;

interface Blob {
  digest: string;
  bytes: Buffer;
}

function blob(bytes: Buffer): Blob {
  return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, bytes };
}

/** The busybox test image as an OCI manifest, config and one uncompressed layer (from `podman save`). */
function imageBlobs(containersConf: string, work: string): { manifest: Buffer; blobs: Map<string, Blob> } {
  const archive = join(work, 'image.tar');
  const saved = podmanCommand(['save', '--format', 'docker-archive', '-o', archive, BUSYBOX_IMAGE], containersConf);
  assert.equal(saved.status, 0, saved.stderr);
  execFileSync('tar', ['-xf', archive, '-C', work]);
  const [entry] = JSON.parse(readFileSync(join(work, 'manifest.json'), 'utf8')) as { Config: string; Layers: string[] }[];
  const config = blob(readFileSync(join(work, entry!.Config)));
  const layers = entry!.Layers.map((layer) => blob(readFileSync(join(work, layer))));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest, size: config.bytes.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: l.digest, size: l.bytes.length })),
    }),
  );
  return { manifest, blobs: new Map([config, ...layers].map((b) => [b.digest, b])) };
}

/** What the registry saw of each authenticated request, and the auth file Podman was given at that moment. */
interface Seen {
  path: string;
  authorization: string | undefined;
  authFiles: { dirMode: number; fileMode: number }[];
}

function authFilesNow(): { dirMode: number; fileMode: number }[] {
  return readdirSync(tmpdir())
    .filter((name) => name.startsWith('baton-pull-'))
    .flatMap((name) => {
      try {
        return [{ dirMode: statSync(join(tmpdir(), name)).mode & 0o777, fileMode: statSync(join(tmpdir(), name, 'auth.json')).mode & 0o777 }];
      } catch {
        return [];
      }
    });
}

describe('the local runtime pulls with the registry credentials', { skip: !podman.ok, timeout: 300_000 }, () => {
  let server: Server;
  let host = '';
  let work = '';
  let target: PodmanTarget;
  const seen: Seen[] = [];
  const expected = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;

  before(() => {
    if (!podman.ok) return Promise.resolve();
    work = mkdtempSync(join(tmpdir(), 'baton-pull-test-'));
    const image = imageBlobs(containersConf, work);
    server = createServer((req, res) => {
      const path = req.url ?? '';
      seen.push({ path, authorization: req.headers.authorization, authFiles: authFilesNow() });
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="in-test registry"', 'docker-distribution-api-version': 'registry/2.0', 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
        return;
      }
      const send = (type: string, bytes: Buffer, digest: string): void => {
        res.writeHead(200, { 'content-type': type, 'content-length': bytes.length, 'docker-content-digest': digest, 'docker-distribution-api-version': 'registry/2.0' });
        res.end(req.method === 'HEAD' ? undefined : bytes);
      };
      if (path === '/v2/') return send('application/json', Buffer.from('{}'), '');
      if (/^\/v2\/team\/app\/manifests\/1$/.test(path)) return send('application/vnd.oci.image.manifest.v1+json', image.manifest, blob(image.manifest).digest);
      const found = /^\/v2\/team\/app\/blobs\/(sha256:[0-9a-f]{64})$/.exec(path);
      const b = found ? image.blobs.get(found[1]!) : undefined;
      if (b) return send('application/octet-stream', b.bytes, b.digest);
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'NOT_FOUND' }] }));
    });
    return new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
        const registriesConf = join(work, 'registries.conf');
        writeFileSync(registriesConf, `[[registry]]\nlocation = "${host}"\ninsecure = true\n`);
        process.env.CONTAINERS_REGISTRIES_CONF = registriesConf;
        target = new PodmanTarget({ dataDir: join(work, 'data'), containersConf: containersConf });
        resolve();
      }),
    );
  });
  after(async () => {
    if (!podman.ok) return;
    await target?.removeEnvironment?.(APP, 'development').catch(() => undefined);
    podmanCommand(['rmi', '--force', `${host}/team/app:1`], containersConf);
    server?.closeAllConnections();
    server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function objectsFor(image: string, password: string): Promise<Parameters<PodmanTarget['apply']>[0]['objects']> {
    const registry = { id: 'team', registry: `${host}/team`, type: 'basic', creds: { username: USERNAME, password } };
    const context = { orgId: 'local', appId: APP, envId: 'development', namespace: `${APP}-development`, hasher: TEST_HASHER };
    const rendered = await renderWorkload({
      workloadId: 'web',
      module: { spec: { containers: { main: { image, command: ['/bin/sleep'], args: ['300'] } } } },
      context: { ...context, deploymentId: 'd-1' },
    });
    const attached = attachPullSecrets(rendered, [registry], TEST_HASHER);
    assert.deepEqual(attached.used.map((r) => r.id), ['team']);
    return [renderPullSecret(registry, context), ...attached.objects];
  }

  it('pulls a missing image with an auth file of its own, removed afterwards, and runs it', async () => {
    const image = `${host}/team/app:1`;
    podmanCommand(['rmi', '--force', image], containersConf);
    const objects = await objectsFor(image, PASSWORD);
    await target.apply({ deploymentId: 'd-1', appId: APP, envId: 'development', namespace: `${APP}-development`, objects });

    const authenticated = seen.filter((s) => s.authorization === expected);
    assert.ok(authenticated.some((s) => s.path === '/v2/team/app/manifests/1'), `the manifest was fetched with the registry's credentials; seen: ${seen.map((s) => `${s.path} ${s.authorization ? 'auth' : '-'}`).join(', ')}`);
    assert.ok(authenticated.every((s) => s.authFiles.length >= 1 && s.authFiles.every((f) => f.dirMode === 0o700 && f.fileMode === 0o600)), 'the auth file is 0600 in a 0700 folder while podman pulls');
    assert.deepEqual(authFilesNow(), [], 'the auth file is gone after the pull');
    assert.equal(podmanCommand(['image', 'exists', image], containersConf).status, 0, 'the image is on the machine');
    const runtime = await target.runtime(APP, 'development');
    assert.equal(runtime[0]?.containers[0]?.image.replace(/^localhost\//, ''), image);
  });

  it('fails clearly with wrong credentials, never naming them', async () => {
    const image = `${host}/team/app:1`;
    podmanCommand(['rmi', '--force', image], containersConf);
    await target.removeEnvironment?.(APP, 'development');
    const wrong = `wrong-pw-${Date.now().toString(36)}`;
    const objects = await objectsFor(image, wrong);
    await assert.rejects(
      target.apply({ deploymentId: 'd-2', appId: APP, envId: 'development', namespace: `${APP}-development`, objects }),
      (error: Error) => {
        assert.match(error.message, new RegExp(`pulling image "${image.replace(/[.]/g, '\\.')}" with the credentials of its registry failed`));
        assert.ok(!error.message.includes(wrong) && !error.message.includes(Buffer.from(`${USERNAME}:${wrong}`).toString('base64')), error.message);
        return true;
      },
    );
    assert.deepEqual(authFilesNow(), []);
  });
});
