/**
 * Workload profiles through Humanitec's generated client against Baton on a real socket, on SQLite and PostgreSQL:
 * built-ins listed and read-only, a custom Go-template profile created, read, updated (each update a version),
 * validated against, deleted; a template that does not parse is a 400 naming `baton_template`.
 *
 * `baton_template` is a Baton extension the generated client does not know: its request models drop unknown fields,
 * so the tests add it to the JSON body through the client's per-request init override.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PublicApi, ResponseError, apiConfig } from '@humanitec/autogen';
import type { InitOverrideFunction } from '@humanitec/autogen';
import { startInProcessBaton } from '../helpers/in-process.js';
import type { InProcessBaton } from '../helpers/in-process.js';

const TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .id }}-greeting
data:
  greeting: {{ .spec.greeting | quote }}
`;
const SPEC_SCHEMA = {
  type: 'object',
  required: ['greeting'],
  properties: { greeting: { type: 'string', minLength: 1 }, loud: { type: 'boolean' } },
  additionalProperties: false,
};

/** Adds Baton-only fields to the JSON body the generated client builds. */
function withBatonFields(extra: Record<string, unknown>): InitOverrideFunction {
  // The client JSON-encodes the overridden body after this hook (runtime.js createFetchParams), so it must stay an
  // object here, although the declared return type (RequestInit) says a body is already encoded.
  return ({ init }) => Promise.resolve({ body: { ...(init.body as Record<string, unknown>), ...extra } as unknown as RequestInit['body'] });
}

async function failure(call: Promise<unknown>): Promise<{ status: number; body: { error: string; message: string; details?: { field?: string } } }> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof ResponseError, `expected an HTTP error, got ${String(error)}`);
    return { status: error.response.status, body: (await error.response.json()) as { error: string; message: string; details?: { field?: string } } };
  }
  assert.fail('expected the call to fail');
}

interface ValidationResult {
  profile: string;
  valid: boolean;
  issues: { path: string; message: string }[];
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`workload profiles contract via @humanitec/autogen [${dialect}]`, () => {
    let baton: InProcessBaton;
    let api: PublicApi;
    const orgId = 'local';
    const profileQid = `${orgId}/greeter`;
    const chart = { id: 'baton/template', version: '1' };

    async function validate(qid: string, spec: Record<string, unknown>): Promise<ValidationResult> {
      const response = await fetch(`${baton.url}/orgs/${orgId}/baton/workload-profiles/${encodeURIComponent(qid)}/validate`, {
        method: 'POST',
        headers: { ...baton.authHeaders, 'content-type': 'application/json' },
        body: JSON.stringify({ spec }),
      });
      assert.equal(response.status, 200, await response.clone().text());
      return (await response.json()) as ValidationResult;
    }

    before(async () => {
      baton = await startInProcessBaton({ dialect, org: orgId, listen: true });
      api = new PublicApi(apiConfig({ token: baton.token, apiHost: baton.url! }));
    });
    after(() => baton.stop());

    it('lists the built-in profiles with their owners and spec schemas', async () => {
      const profiles = await api.listWorkloadProfiles({ orgId });
      const qids = profiles.map((p) => `${p.org_id}/${p.id}`);
      for (const builtin of ['humanitec/default-module', 'humanitec/default-job', 'humanitec/default-cronjob', 'baton/statefulset']) {
        assert.ok(qids.includes(builtin), `${builtin} listed`);
      }
      const defaultModule = profiles.find((p) => p.org_id === 'humanitec' && p.id === 'default-module')!;
      assert.equal((defaultModule.spec_schema as { type: string }).type, 'object');
      assert.ok(defaultModule.created_at instanceof Date && !Number.isNaN(defaultModule.created_at.getTime()));
      const one = await api.getWorkloadProfile({ orgId, profileQid: 'humanitec/default-cronjob' });
      assert.equal(one.id, 'default-cronjob');
      assert.ok(((one.spec_schema as { properties: Record<string, unknown> }).properties).schedules, 'cronjob schema has schedules');
    });

    it('creates a custom Go-template profile and reads it back with its template and schema', async () => {
      const created = await api.createWorkloadProfile(
        { orgId, WorkloadProfileRequest: { id: 'greeter', description: 'Says hello', spec_definition: {}, workload_profile_chart: chart } },
        withBatonFields({ baton_template: TEMPLATE, spec_schema: SPEC_SCHEMA }),
      );
      assert.equal(created.org_id, orgId);
      assert.equal(created.id, 'greeter');
      assert.equal(created.version, '1');
      assert.deepEqual(created.spec_schema, SPEC_SCHEMA);

      const read = await api.getWorkloadProfileRaw({ orgId, profileQid });
      const raw = (await read.raw.json()) as { baton_template?: string; description: string };
      assert.equal(raw.baton_template, TEMPLATE);
      assert.equal(raw.description, 'Says hello');
      const listed = await api.listWorkloadProfiles({ orgId });
      assert.ok(listed.some((p) => p.org_id === orgId && p.id === 'greeter'));
      const duplicate = await failure(
        api.createWorkloadProfile({ orgId, WorkloadProfileRequest: { id: 'greeter', spec_definition: {}, workload_profile_chart: chart } }, withBatonFields({ baton_template: TEMPLATE })),
      );
      assert.equal(duplicate.status, 409);
    });

    it('updates the profile as a new version and lists versions newest first', async () => {
      const updated = await api.updateWorkloadProfile(
        { orgId, profileQid, WorkloadProfileUpdateRequest: { description: 'Says hello, v2', spec_definition: {}, workload_profile_chart: chart } },
        withBatonFields({ baton_template: TEMPLATE.replace('-greeting', '-hello'), spec_schema: SPEC_SCHEMA }),
      );
      assert.equal(updated.version, '2');
      assert.equal(updated.description, 'Says hello, v2');

      const versions = await api.listWorkloadProfileVersions({ orgId, profileQid });
      assert.deepEqual(versions.map((v) => v.id), ['2', '1']);
      assert.deepEqual(versions.map((v) => v.description), ['Says hello, v2', 'Says hello']);
      assert.ok(versions.every((v) => v.workload_profile_id === 'greeter' && v.org_id === orgId));
      assert.deepEqual(versions[1]!.spec_schema, SPEC_SCHEMA);
      const latest = await api.getLatestWorkloadProfileVersion({ orgId, profileQid });
      assert.equal(latest.id, '2');
      assert.equal(latest.description, 'Says hello, v2');
    });

    it('validates module specs against the custom profile and default-module, issues carrying JSON paths', async () => {
      assert.deepEqual(await validate(profileQid, { greeting: 'hi' }), { profile: profileQid, version: '2', valid: true, issues: [] });
      const custom = await validate(profileQid, { greeting: '', colour: 'red' });
      assert.equal(custom.valid, false);
      assert.deepEqual(custom.issues.map((i) => i.path).sort(), ['/spec/colour', '/spec/greeting']);

      assert.equal((await validate('humanitec/default-module', { containers: { main: { image: 'nginx:1' } } })).valid, true);
      const bad = await validate('humanitec/default-module', { containers: { main: { image: 42, command: 'run' } }, replicas: -1 });
      assert.equal(bad.valid, false);
      assert.deepEqual(bad.issues.map((i) => i.path).sort(), ['/spec/containers/main/command', '/spec/containers/main/image', '/spec/replicas']);
    });

    it('refuses to change or delete a built-in profile with a clear message', async () => {
      const deletion = await failure(api.deleteWorkloadProfile({ orgId, profileQid: 'humanitec/default-module' }));
      assert.equal(deletion.status, 403);
      assert.match(deletion.body.message, /humanitec\/default-module.*built into Baton/);
      const update = await failure(
        api.updateWorkloadProfile(
          { orgId, profileQid: 'baton/statefulset', WorkloadProfileUpdateRequest: { spec_definition: {}, workload_profile_chart: chart } },
          withBatonFields({ baton_template: TEMPLATE }),
        ),
      );
      assert.equal(update.status, 403);
      assert.ok((await api.getWorkloadProfile({ orgId, profileQid: 'humanitec/default-module' })).id === 'default-module', 'still there');
    });

    it('rejects a template that does not parse and a schema that does not compile with a 400 naming the field', async () => {
      const template = await failure(
        api.createWorkloadProfile(
          { orgId, WorkloadProfileRequest: { id: 'broken', spec_definition: {}, workload_profile_chart: chart } },
          withBatonFields({ baton_template: 'kind: {{ if .spec.x }}open' }),
        ),
      );
      assert.equal(template.status, 400);
      assert.equal(template.body.details?.field, 'baton_template');
      assert.match(template.body.message, /^baton_template: /);

      const schema = await failure(
        api.createWorkloadProfile(
          { orgId, WorkloadProfileRequest: { id: 'broken', spec_definition: {}, workload_profile_chart: chart } },
          withBatonFields({ baton_template: TEMPLATE, spec_schema: { type: 'object', properties: { x: { type: 'nonsense' } } } }),
        ),
      );
      assert.equal(schema.status, 400);
      assert.equal(schema.body.details?.field, 'spec_schema');

      const helm = await failure(
        api.createWorkloadProfile({ orgId, WorkloadProfileRequest: { id: 'broken', spec_definition: {}, workload_profile_chart: { id: 'my-helm-chart', version: '1.0.0' } } }),
      );
      assert.equal(helm.status, 400);
      assert.equal(helm.body.details?.field, 'baton_template');
      assert.equal((await failure(api.getWorkloadProfile({ orgId, profileQid: `${orgId}/broken` }))).status, 404);
    });

    it('deletes the custom profile and its versions', async () => {
      await api.deleteWorkloadProfile({ orgId, profileQid });
      assert.equal((await failure(api.getWorkloadProfile({ orgId, profileQid }))).status, 404);
      assert.equal((await failure(api.listWorkloadProfileVersions({ orgId, profileQid }))).status, 404);
      assert.equal((await failure(api.deleteWorkloadProfile({ orgId, profileQid }))).status, 404);
      assert.equal((await api.listWorkloadProfiles({ orgId })).some((p) => p.org_id === orgId), false);
    });
  });
}
