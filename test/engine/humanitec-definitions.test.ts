/**
 * Acceptance (issue 18, issue 26): real resource definitions from Humanitec's public repositories (copied unchanged
 * to test/fixtures/humanitec-definitions, pinned and licensed in SOURCES.md) are applied as a Humanitec user would
 * and real Score files are deployed against them to the `baton/directory` target; the written objects are compared
 * with what each template says, read by hand (expected values in cases.yaml beside the definitions).
 *
 * The only change made to a definition is its criteria: every case runs in an app of its own in one org, so each
 * criterion gets that app's id (its class/res_id stay), and a case may make the edits a definition asks its user to
 * make (`overrides` of its `FIXME` placeholders). Secrets that `secret_refs` read live in Vault-protocol stores
 * registered in the org (`stores`). Cases whose `status` is not `pass` must fail for the reason given (so the table
 * notices when a gap closes): `humanitec-only` is a feature docs/compatibility.md lists as Humanitec-only,
 * `broken-upstream` a published definition that Go's own template engine refuses too (checked with the Go WASM
 * oracle, @evertdespiegeleer/go-template, on the culprits' templates).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { convertScoreToDelta, loadScoreFiles, readBinaryFile } from '../../src/score/index.js';
import type { K8sObject } from '../../src/targets/index.js';
import { startEngineHarness, waitForDeployment } from './harness.js';
import type { EngineHarness } from './harness.js';
import { readSecrets, useAgeIdentities } from '../secrets/secret-data.js';
import { startTestVaultServer } from '../../src/secrets/stores/test-vault-server.js';
import type { TestVaultServer } from '../../src/secrets/stores/test-vault-server.js';
import { runGo } from '../../src/templates/testdata/generate-core-expected.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const definitionsDir = join(fixtures, 'humanitec-definitions');
const IMAGE = 'registry.example.com/app:1.0';
const VAULT_TOKEN = 'hvs.humanitec-definitions-table-7c1e';

interface Expectation {
  /** `Kind/name` of a written object; for a Secret, `secret`/`key` may check a decrypted value instead. */
  object?: string;
  /** The name of a written Secret (SOPS-decrypted with Baton's age key); `key` names its data key. */
  secret?: string;
  key?: string;
  /** Dotted path into it (`spec.template.spec.containers.0.env`); absent: the object exists. */
  path?: string;
  equals?: unknown;
  /** Instead of `equals`: the value at `path` contains this text. */
  contains?: string;
}

interface DefinitionRef {
  /** A Humanitec Definition manifest (`apiVersion: entity.humanitec.io/v1b1`), path under humanitec-definitions. */
  file?: string;
  /** A resource pack's `definition-values.yaml`: driver_inputs.values of a humanitec/template definition. */
  values?: string;
  id?: string;
  type?: string;
  /**
   * With `file`: the edits the definition asks its user to make (its `FIXME` placeholders), as dotted paths under
   * `entity` → value. Nothing else of the definition is changed.
   */
  overrides?: Record<string, unknown>;
}

interface Case {
  name: string;
  definitions: (string | DefinitionRef)[];
  /** Score files, relative to test/fixtures. */
  score: string[];
  /** A Humanitec extensions file (humanitec.score.yaml), relative to test/fixtures. */
  extensions?: string;
  /** Values the app gets (for `${values.*}` and the like). */
  expect: Expectation[];
  status?: 'pass' | 'humanitec-only' | 'broken-upstream';
  /** For a non-passing status: the failure the deployment must report. */
  failure?: string;
  reason?: string;
  /** For a non-passing case: the definitions that make it fail (default: all of them). */
  culprits?: string[];
  /**
   * Secrets the definitions' `secret_refs` read: store id → ref → value. Each store is registered in the org as a
   * Vault store (an in-test Vault-protocol server, as test/secrets/secret-refs.test.ts does) holding these values.
   */
  stores?: Record<string, Record<string, string>>;
}

interface ApiDefinition {
  id: string;
  name: string;
  type: string;
  driver_type: string;
  driver_inputs?: unknown;
  provision?: unknown;
  criteria: Record<string, unknown>[];
}

/** The API body of a Definition manifest, its criteria scoped to `appId`. */
function toApiDefinition(ref: string | DefinitionRef, appId: string): ApiDefinition {
  const scope = (criteria: unknown): Record<string, unknown>[] => {
    const list = Array.isArray(criteria) && criteria.length > 0 ? (criteria as Record<string, unknown>[]) : [{}];
    return list.map((c) => {
      const { app_id: _app, env_id: _env, env_type: _type, ...rest } = c ?? {};
      return { ...rest, app_id: appId };
    });
  };
  if (typeof ref !== 'string' && ref.values !== undefined) {
    const values = parse(readFileSync(join(definitionsDir, ref.values), 'utf8')) as unknown;
    return { id: `${appId}-${ref.id!}`, name: ref.id!, type: ref.type!, driver_type: 'humanitec/template', driver_inputs: { values }, criteria: scope([]) };
  }
  const file = typeof ref === 'string' ? ref : ref.file!;
  const manifest = parseAllDocuments(readFileSync(join(definitionsDir, file), 'utf8'))[0]!.toJS() as { metadata: { id: string }; entity: Omit<ApiDefinition, 'id'> };
  if (typeof ref !== 'string') {
    for (const [path, value] of Object.entries(ref.overrides ?? {})) {
      const keys = path.split('.');
      const parent = at(manifest.entity, keys.slice(0, -1).join('.'));
      assert.ok(parent && typeof parent === 'object' && keys.at(-1)! in parent, `${file}: override ${path} names no existing field`);
      (parent as Record<string, unknown>)[keys.at(-1)!] = value;
    }
  }
  const { criteria, ...entity } = manifest.entity;
  return { ...entity, id: `${appId}-${manifest.metadata.id}`.slice(0, 100), criteria: scope(criteria) };
}

/** Every template text of a definition file (`driver_inputs.values.templates`, manifests' `data` included). */
function templatesOf(file: string): string[] {
  const manifest = parseAllDocuments(readFileSync(join(definitionsDir, file), 'utf8'))[0]!.toJS() as { entity: { driver_inputs?: { values?: { templates?: unknown } } } };
  const texts: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') texts.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(manifest.entity.driver_inputs?.values?.templates);
  return texts;
}

function at(value: unknown, path: string | undefined): unknown {
  if (path === undefined || path === '') return value;
  let current = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function writtenObjects(dir: string): K8sObject[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((file) => parse(readFileSync(join(dir, file), 'utf8')) as K8sObject);
}

const CASES = parse(readFileSync(join(definitionsDir, 'cases.yaml'), 'utf8')) as Case[];

void describe('real Humanitec definitions applied unchanged and deployed with real Score files', () => {
  let h: EngineHarness;
  let root: string;
  let vault: TestVaultServer;
  before(async () => {
    h = await startEngineHarness();
    root = join(h.database.dataDir, 'manifests');
    useAgeIdentities(h.database.dataDir);
    const stores = new Map<string, Record<string, string>>();
    for (const c of CASES) for (const [id, secrets] of Object.entries(c.stores ?? {})) stores.set(id, { ...stores.get(id), ...secrets });
    vault = await startTestVaultServer({ token: VAULT_TOKEN, mounts: [...stores.keys()] });
    for (const [id, secrets] of stores) {
      const created = await h.api('POST', '/orgs/local/secretstores', { id, primary: false, vault: { url: vault.url, path: id, auth: { token: VAULT_TOKEN } } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      for (const [ref, value] of Object.entries(secrets)) vault.put(`${id}/${ref}`, { value });
    }
  });
  after(async () => {
    await h.stop();
    await vault.close();
  });

  const definitionFiles = new Set(CASES.flatMap((c) => c.definitions.map((d) => (typeof d === 'string' ? d : d.file ?? d.values!))));
  const failing = new Set(
    CASES.filter((c) => (c.status ?? 'pass') !== 'pass').flatMap((c) => c.culprits ?? c.definitions.map((d) => (typeof d === 'string' ? d : d.file ?? d.values!))),
  );
  it(`applies at least 40 distinct real definitions, at least 95% of them passing (${definitionFiles.size} applied, ${failing.size} failing)`, () => {
    assert.ok(definitionFiles.size >= 40, `${definitionFiles.size} definitions`);
    assert.ok((definitionFiles.size - failing.size) / definitionFiles.size >= 0.95, `${failing.size} of ${definitionFiles.size} definitions fail`);
    for (const c of CASES) if ((c.status ?? 'pass') !== 'pass') assert.ok(c.reason && c.failure, `${c.name} documents why it fails`);
  });

  CASES.forEach((c, index) => {
    it(`${c.name}${c.status && c.status !== 'pass' ? ` (${c.status}: ${c.reason})` : ''}`, async () => {
      const appId = `hd${index}`;
      assert.equal((await h.api('POST', '/orgs/local/apps', { id: appId, name: c.name })).status, 201);
      const cluster = { id: `${appId}-cluster`, name: 'directory', type: 'k8s-cluster', driver_type: 'baton/directory', driver_inputs: { values: { root } }, criteria: [{ app_id: appId }] };
      const definitions = [cluster, ...c.definitions.map((d) => toApiDefinition(d, appId))];
      for (const definition of definitions) {
        const created = await h.api('POST', '/orgs/local/resources/defs', definition);
        assert.ok(created.status < 300, `${definition.id}: ${JSON.stringify(created.body)}`);
      }
      const extensions = c.extensions ? (parse(readFileSync(join(fixtures, c.extensions), 'utf8')) as unknown) : undefined;
      const delta = convertScoreToDelta(loadScoreFiles(c.score.map((s) => join(fixtures, s))), { image: IMAGE, readFile: readBinaryFile, ...(extensions ? { extensions } : {}) });
      const stored = await h.api<{ id: string }>('POST', `/orgs/local/apps/${appId}/deltas`, delta);
      assert.ok(stored.status < 300, JSON.stringify(stored.body));
      const deployment = await h.api<{ id: string }>('POST', `/orgs/local/apps/${appId}/envs/development/deploys`, { delta_id: stored.body.id, comment: c.name });
      assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
      const done = await waitForDeployment(h, appId, 'development', deployment.body.id, 60_000);
      const errors = done.status === 'succeeded' ? [] : (await h.api<{ message: string }[]>('GET', `/orgs/local/apps/${appId}/envs/development/deploys/${deployment.body.id}/errors`)).body;
      if ((c.status ?? 'pass') !== 'pass') {
        assert.equal(done.status, 'failed', `${c.name} deploys now: check its expectations and mark it pass`);
        assert.ok(errors.map((e) => e.message).join('\n').includes(c.failure!), JSON.stringify(errors));
        if (c.status === 'broken-upstream') {
          // The proof: Go's own text/template (compiled to WASM) refuses a culprit's template with the same message.
          const outcomes = [];
          for (const template of (c.culprits ?? []).flatMap(templatesOf)) outcomes.push(await runGo(template, {}));
          assert.ok(outcomes.some((o) => 'parseError' in o && o.parseError.includes(c.failure!)), JSON.stringify(outcomes));
        }
        return;
      }
      assert.equal(done.status, 'succeeded', JSON.stringify(errors));
      const written = writtenObjects(join(root, appId, 'development'));
      for (const expectation of c.expect) {
        if (expectation.secret !== undefined) {
          const secrets = readSecrets(join(root, appId, 'development'));
          const data = secrets[expectation.secret.replaceAll('{app}', appId)];
          assert.ok(data, `Secret ${expectation.secret} among ${Object.keys(secrets).join(', ')}`);
          const value = data[expectation.key!];
          if (expectation.contains !== undefined) assert.ok(value?.includes(expectation.contains), `Secret ${expectation.secret} ${expectation.key}: ${value}`);
          else assert.deepEqual(value, expectation.equals, `Secret ${expectation.secret} ${expectation.key}`);
          continue;
        }
        // `{app}` in a name or value stands for this case's app id; `Kind/*` is the only object of that kind.
        const [kind, name] = expectation.object!.replaceAll('{app}', appId).split('/');
        const object = written.find((o) => o.kind === kind && (name === '*' || o.metadata.name === name));
        assert.ok(object, `${expectation.object} among ${written.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
        const value = at(object, expectation.path);
        if (expectation.contains !== undefined) assert.ok(JSON.stringify(value).includes(expectation.contains.replaceAll('{app}', appId)), `${expectation.object} ${expectation.path}: ${JSON.stringify(value)}`);
        else if ('equals' in expectation) {
          const expected = JSON.parse(JSON.stringify(expectation.equals).replaceAll('{app}', appId)) as unknown;
          assert.deepEqual(value, expected, `${expectation.object} ${expectation.path}`);
        }
      }
    });
  });
});
