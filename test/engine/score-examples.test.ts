/**
 * Acceptance (issue 9): every valid, convertible Score example of the project's fixtures converts to a delta,
 * deploys to an environment whose `k8s-cluster` uses the `baton/directory` target, and every object written
 * there validates offline against the Kubernetes schemas (kubernetes-models).
 *
 * The examples' resources (amqp, dns, route, mongodb and types of their own such as `thing` or `vol`) get simple
 * definitions made here: echo definitions whose outputs satisfy the type's outputs schema and every output the
 * workloads reference, and a template definition handing a pod volume over for types used as volume sources.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { validateK8sObject } from '../../src/profiles/testing.js';
import { isSopsDocument, sopsDecryptText } from '../../src/secrets/index.js';
import { defaultTypeRegistry } from '../../src/resources/index.js';
import { convertScoreToDelta, loadScoreFiles, readBinaryFile } from '../../src/score/index.js';
import type { K8sObject } from '../../src/targets/index.js';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';

const examplesDir = join(import.meta.dirname, '..', '..', 'src', 'score', 'fixtures', 'examples');
/** Valid examples whose conversion fails by design (src/score/examples.test.ts says why). */
const NOT_CONVERTIBLE = new Set(['01-spec-score-full']);
const IMAGE = 'registry.example.com/app:1.0';
/**
 * Examples that do not deploy yet, with the reason the deployment fails today. The test asserts exactly that
 * failure, so it notices (and asks for this entry to go) once the gap is closed.
 */
const KNOWN_GAPS: Record<string, RegExp> = {
  // `volumes: [{source: some-volume}]` names no resource, so no driver provides the pod volume.
  '02-spec-deprecated-arrays': /no resource "some-volume" provides a volume/,
};

/**
 * Container args that must reach the written workload object unchanged: Score never expands placeholders in
 * command/args and Humanitec resolves none there (score-k8s' golden for case 14 keeps `${args}`).
 */
const VERBATIM_ARGS: Record<string, string[]> = {
  '14-k8s-massive': ['with', '${args}'],
};

interface ExampleDeployment {
  name: string;
  files: string[];
}

/** Each valid example; a case whose files are alternatives of one workload (same name) deploys file by file. */
function exampleDeployments(): ExampleDeployment[] {
  const out: ExampleDeployment[] = [];
  for (const caseName of readdirSync(examplesDir).filter((n) => !n.endsWith('.md')).sort()) {
    const dir = join(examplesDir, caseName);
    const expected = parse(readFileSync(join(dir, 'expected.yaml'), 'utf8')) as { outcome: string };
    if (!expected.outcome.startsWith('valid') || NOT_CONVERTIBLE.has(caseName)) continue;
    const files = readdirSync(dir)
      .filter((n) => n.endsWith('.yaml') && n !== 'expected.yaml' && !n.startsWith('given-'))
      .sort()
      .map((n) => join(dir, n));
    const names = files.map((f) => (parse(readFileSync(f, 'utf8')) as { metadata: { name: string } }).metadata.name);
    if (new Set(names).size === names.length) out.push({ name: caseName, files });
    else files.forEach((file, i) => out.push({ name: `${caseName}-${i + 1}`, files: [file] }));
  }
  return out;
}

interface Delta {
  modules: { add: Record<string, { externals?: Record<string, { type: string; class?: string }>; spec: { containers?: Record<string, { volume_mounts?: Record<string, { id: string }> }> } }> };
  shared?: { op: string; path: string; value: { type: string; class?: string } }[];
}

interface TypeUse {
  type: string;
  class: string;
  keys: Set<string>;
  volume: boolean;
}

/** Every resource type/class the delta uses, the output keys its workloads reference, and whether it is a volume source. */
function typesUsed(delta: Delta): TypeUse[] {
  const uses = new Map<string, TypeUse>();
  const use = (type: string, cls = 'default'): TypeUse => {
    const key = `${type}.${cls}`;
    let found = uses.get(key);
    if (!found) uses.set(key, (found = { type, class: cls, keys: new Set(), volume: false }));
    return found;
  };
  const text = JSON.stringify(delta);
  for (const [workload, module] of Object.entries(delta.modules.add)) {
    for (const [name, ref] of Object.entries(module.externals ?? {})) {
      const u = use(ref.type, ref.class);
      for (const match of text.matchAll(new RegExp(String.raw`\$\{externals\.${name}\.([A-Za-z0-9_-]+)`, 'g'))) u.keys.add(match[1]!);
      const mounts = Object.values(module.spec.containers ?? {}).flatMap((c) => Object.values(c.volume_mounts ?? {}));
      if (mounts.some((m) => m.id === `externals.${name}`)) u.volume = true;
      void workload;
    }
  }
  for (const op of delta.shared ?? []) {
    const name = op.path.slice(1);
    const u = use(op.value.type, op.value.class);
    for (const match of text.matchAll(new RegExp(String.raw`\$\{shared\.${name}\.([A-Za-z0-9_-]+)`, 'g'))) u.keys.add(match[1]!);
  }
  return [...uses.values()];
}

function sampleFor(schema: unknown, name: string): unknown {
  const type = (schema as { type?: unknown } | undefined)?.type;
  if (type === 'integer' || type === 'number') return 5672;
  if (type === 'object') return {};
  if (type === 'boolean') return true;
  return `${name}-value`;
}

/** A definition for one type/class in `appId`: outputs that fit the type's schema plus every referenced key. */
function definitionFor(appId: string, use: TypeUse): object {
  const schema = defaultTypeRegistry.get(use.type)?.outputs_schema as
    | { values?: { properties?: Record<string, unknown>; required?: string[] }; secrets?: { properties?: Record<string, unknown>; required?: string[] } }
    | undefined;
  const values: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const key of schema?.values?.required ?? []) values[key] = sampleFor(schema?.values?.properties?.[key], `${use.type}-${key}`);
  for (const key of schema?.secrets?.required ?? []) secrets[key] = sampleFor(schema?.secrets?.properties?.[key], `${use.type}-${key}`);
  for (const key of use.keys) {
    if (key in values || key in secrets) continue;
    if (schema?.secrets?.properties?.[key] !== undefined) secrets[key] = sampleFor(schema.secrets.properties[key], `${use.type}-${key}`);
    else values[key] = sampleFor(schema?.values?.properties?.[key], `${use.type}-${key}`);
  }
  const id = `${appId}-${use.type}-${use.class}`.replace(/[^a-z0-9-]/g, '-').slice(0, 60);
  const criteria = [{ app_id: appId, class: use.class }];
  if (use.volume) {
    return {
      id,
      name: id,
      type: use.type,
      driver_type: 'humanitec/template',
      driver_inputs: {
        values: {
          templates: {
            outputs: Object.entries(values).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n'),
            manifests: { volume: { location: 'volumes', data: { name: `${use.type}-volume`, emptyDir: {} } } },
          },
        },
      },
      criteria,
    };
  }
  return { id, name: id, type: use.type, driver_type: 'humanitec/echo', driver_inputs: { values, secrets }, criteria };
}

/**
 * Score lets a file name any resource type (`foo`, `vol`, …); Baton, like Humanitec, knows only its built-in
 * types and the org's own `<org>/<name>` ones. Types that are not built in become `local/<type>`, registered
 * as custom types.
 */
function toOrgTypes(delta: Delta): string[] {
  const custom = new Set<string>();
  const map = (ref: { type: string }): void => {
    if (defaultTypeRegistry.get(ref.type) !== undefined) return;
    custom.add(ref.type);
    ref.type = `local/${ref.type}`;
  };
  for (const module of Object.values(delta.modules.add)) Object.values(module.externals ?? {}).forEach(map);
  for (const op of delta.shared ?? []) map(op.value);
  return [...custom];
}

/** The objects as the cluster gets them: SOPS-encrypted Secrets decrypted (as Flux does) with Baton's age key. */
function writtenObjects(dir: string, ageIdentity: string): { file: string; object: K8sObject }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const parsed = parse(text) as unknown;
      return { file, object: (isSopsDocument(parsed) ? sopsDecryptText(text, [ageIdentity]).tree : parsed) as K8sObject };
    });
}

void describe('Score examples deploy to a directory target and every written object is a valid Kubernetes object', () => {
  let h: EngineHarness;
  let root: string;
  before(async () => {
    h = await startEngineHarness();
    root = join(h.database.dataDir, 'manifests');
  });
  after(() => h.stop());

  const deployments = exampleDeployments();
  it('finds the valid examples', () => {
    assert.ok(deployments.length >= 9, deployments.map((d) => d.name).join(', '));
  });

  for (const example of deployments) {
    it(`${example.name}: converts, deploys and writes only valid objects`, async () => {
      const appId = `ex${example.name.replace(/[^a-z0-9]/g, '')}`.slice(0, 40);
      assert.equal((await h.api('POST', '/orgs/local/apps', { id: appId, name: example.name })).status, 201);
      const delta = convertScoreToDelta(loadScoreFiles(example.files), { image: IMAGE, readFile: readBinaryFile }) as unknown as Delta;

      for (const type of toOrgTypes(delta)) {
        const created = await h.api('POST', '/orgs/local/resources/types', {
          type: `local/${type}`,
          name: type,
          category: 'score',
          use: 'direct',
          inputs_schema: { type: 'object' },
          outputs_schema: { values: { type: 'object' }, secrets: { type: 'object' } },
        });
        assert.ok(created.status < 300 || created.status === 409, JSON.stringify(created.body));
      }
      // `${resources.<environment>.X}` became `${values.X}`: the app gets those values.
      for (const [, key] of JSON.stringify(delta).matchAll(/\$\{values\.([A-Za-z0-9_-]+)\}/g)) {
        const created = await h.api('POST', `/orgs/local/apps/${appId}/values`, { key, value: `${key}-value`, description: '', is_secret: false });
        assert.ok(created.status < 300 || created.status === 409, JSON.stringify(created.body));
      }
      const definitions = [
        { id: `${appId}-cluster`, name: 'directory', type: 'k8s-cluster', driver_type: 'baton/directory', driver_inputs: { values: { root } }, criteria: [{ app_id: appId }] },
        ...typesUsed(delta).map((use) => definitionFor(appId, use)),
      ];
      for (const definition of definitions) {
        const created = await h.api('POST', '/orgs/local/resources/defs', definition);
        assert.ok(created.status < 300, `${JSON.stringify(definition)}: ${JSON.stringify(created.body)}`);
      }
      const storedDelta = await h.api<{ id: string }>('POST', `/orgs/local/apps/${appId}/deltas`, delta);
      assert.ok(storedDelta.status < 300, JSON.stringify(storedDelta.body));
      const deployment = await h.api<{ id: string }>('POST', `/orgs/local/apps/${appId}/envs/development/deploys`, { delta_id: storedDelta.body.id, comment: example.name });
      assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
      const done = await waitForDeployment(h, appId, 'development', deployment.body.id);
      const errors = done.status === 'succeeded' ? [] : (await h.api<{ message: string }[]>('GET', `/orgs/local/apps/${appId}/envs/development/deploys/${deployment.body.id}/errors`)).body;
      const gap = KNOWN_GAPS[example.name];
      if (gap) {
        assert.equal(done.status, 'failed', `${example.name} deploys now: remove it from KNOWN_GAPS`);
        assert.match(errors.map((e) => e.message).join('\n'), gap);
        return;
      }
      assert.equal(done.status, 'succeeded', JSON.stringify(errors));

      const written = writtenObjects(join(root, appId, 'development'), h.baton.ageKey.identity);
      const workloads = Object.keys(delta.modules.add);
      for (const workload of workloads) {
        assert.ok(
          written.some(({ object }) => object.metadata.labels?.['baton.dev/workload'] === workload && ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(object.kind)),
          `a workload object for ${workload} among ${written.map((w) => w.file).join(', ')}`,
        );
      }
      for (const { file, object } of written) {
        assert.doesNotThrow(() => validateK8sObject(object), `${file} is a valid ${object.kind}`);
      }
      const args = VERBATIM_ARGS[example.name];
      if (args) {
        const containers = written.flatMap(({ object }) => (object as unknown as { spec?: { template?: { spec?: { containers?: { args?: string[] }[] } } } }).spec?.template?.spec?.containers ?? []);
        assert.ok(containers.some((c) => JSON.stringify(c.args) === JSON.stringify(args)), `a container with args ${JSON.stringify(args)}: ${JSON.stringify(containers.map((c) => c.args))}`);
      }
    });
  }
});
