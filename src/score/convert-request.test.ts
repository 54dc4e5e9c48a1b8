import assert from 'node:assert/strict';
import { it } from 'node:test';
import { InvalidInput } from '../shared/errors.js';
import { convertScoreToSetFragment } from './convert-request.js';

const spec = {
  apiVersion: 'score.dev/v1b1',
  metadata: { name: 'api' },
  containers: { main: { image: 'nginx', variables: { HOST: '${resources.dns.host}', DB: '${resources.db.name}' } } },
  resources: { dns: { type: 'dns', id: 'main-dns' }, db: { type: 's3' } },
};

it('turns shared JSON-Patch adds into a shared map and applies resource type aliases everywhere', () => {
  const fragment = convertScoreToSetFragment({ spec, resource_type_aliases: { s3: 'acme/s3', dns: 'acme/dns' } });
  assert.deepEqual(Object.keys(fragment.modules), ['api']);
  assert.equal(fragment.modules.api!.externals?.db?.type, 'acme/s3');
  const shared = Object.entries(fragment.shared);
  assert.equal(shared.length, 1);
  assert.equal(shared[0]![1].type, 'acme/dns');
  const variables = (fragment.modules.api!.spec.containers as { main: { variables: Record<string, string> } }).main.variables;
  assert.equal(variables.HOST, `\${shared.${shared[0]![0]}.host}`);
});

it('applies property overrides, a null value deleting the property', () => {
  const fragment = convertScoreToSetFragment({
    spec,
    property_overrides: { 'containers.main.image': 'busybox', 'containers.main.variables.DB': null },
  });
  const main = (fragment.modules.api!.spec.containers as { main: { image: string; variables: Record<string, string> } }).main;
  assert.equal(main.image, 'busybox');
  assert.equal(Object.hasOwn(main.variables, 'DB'), false);
});

it('rejects an invalid spec with the JSON path and position of each problem', () => {
  assert.throws(
    () => convertScoreToSetFragment({ spec: { apiVersion: 'score.dev/v1b1', metadata: { name: 'x' }, containers: { main: {} } } }),
    (error: unknown) => error instanceof InvalidInput && /image/.test(error.message) && /spec:\d+:\d+/.test(error.message),
  );
});
