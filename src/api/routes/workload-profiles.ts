/**
 * Workload profiles (Humanitec tag WorkloadProfile) and Baton's spec validation endpoint. `profileQid` is
 * `<org>/<id>` URL-encoded (`humanitec%2Fdefault-module`), as Humanitec's clients send it; a bare id names the
 * org's own profile.
 */
import { Type } from 'typebox';
import type { ResolvedObject } from '../../profiles/index.js';
import { COMMON_ERRORS, IdParam, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';
import { PagingQuery, pageList } from './paging.js';

const FreeObject = (description?: string) => Type.Record(Type.String(), Type.Unknown(), description ? { description } : {});

const SpecDefinition = Type.Object(
  {
    properties: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'Properties of the module spec, each `{type: feature|collection|schema, schema?, properties?, title?, …}`.',
      }),
    ),
    runtime_properties: Type.Optional(Type.Array(Type.Unknown())),
  },
  { additionalProperties: true, title: 'WorkloadProfileSpecDefinition', description: 'Workload spec definition (Humanitec). Only `schema` properties carry rules in Baton.' },
);

const ChartReference = Type.Object(
  {
    id: Type.String({ minLength: 1, description: 'Chart id. In Baton: a built-in profile id (`humanitec/default-module`, …) to render with, or informational when `baton_template` is set.' }),
    version: Type.String({ minLength: 1 }),
  },
  { title: 'WorkloadProfileChartReference' },
);

const BATON_TEMPLATE_DESCRIPTION =
  'Baton extension. A Go text/template (with sprig functions) rendering a YAML stream of Kubernetes objects from ' +
  '`{ .id (workload id), .spec (module spec), .context: { org, app, env, deployment: {id}, namespace } }`. ' +
  'Required unless `workload_profile_chart.id` names a built-in profile. Must parse; objects are stamped with Baton labels.';

const SPEC_SCHEMA_REQUEST_DESCRIPTION =
  'Baton extension in requests: JSON Schema (draft 2020-12) of the module spec. When absent it is derived from `spec_definition`.';

const profileFields = {
  description: Type.Optional(Type.String({ maxLength: 10_000, description: 'Describes the workload profile' })),
  deprecation_message: Type.Optional(Type.String({ maxLength: 10_000, description: 'A non-empty string marks the profile deprecated (hidden from lists unless `deprecated=true`).' })),
  spec_definition: Type.Optional(SpecDefinition),
  spec_schema: Type.Optional(FreeObject(SPEC_SCHEMA_REQUEST_DESCRIPTION)),
  version: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Version id, unique per profile. Generated (`1`, `2`, …) when absent.' })),
  workload_profile_chart: Type.Optional(ChartReference),
  baton_template: Type.Optional(Type.String({ minLength: 1, description: BATON_TEMPLATE_DESCRIPTION })),
};

const WorkloadProfileRequest = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 50, description: 'Workload Profile ID (without the org).' }), ...profileFields },
  { additionalProperties: false, title: 'WorkloadProfileRequest' },
);
const WorkloadProfileUpdateRequest = Type.Object(profileFields, { additionalProperties: false, title: 'WorkloadProfileUpdateRequest' });

const contentFields = {
  description: Type.String(),
  deprecation_message: Type.Optional(Type.String()),
  spec_definition: SpecDefinition,
  spec_schema: FreeObject('JSON Schema (draft 2020-12) validating the module spec.'),
  workload_profile_chart: ChartReference,
  baton_template: Type.Optional(Type.String({ description: BATON_TEMPLATE_DESCRIPTION })),
  created_at: Type.String({ format: 'date-time' }),
  created_by: Type.String(),
};

const WorkloadProfileResponse = Type.Object(
  {
    org_id: Type.String({ description: 'Owner: the org, or `humanitec`/`baton` for built-ins.' }),
    id: Type.String(),
    version: Type.String(),
    ...contentFields,
    updated_at: Type.String({ format: 'date-time' }),
    updated_by: Type.String(),
  },
  { title: 'WorkloadProfileResponse' },
);

const WorkloadProfileVersionResponse = Type.Object(
  { org_id: Type.String(), workload_profile_id: Type.String(), id: Type.String({ description: 'Version id' }), version: Type.String(), ...contentFields },
  { title: 'WorkloadProfileVersionResponse' },
);

const SpecValidationResponse = Type.Object(
  {
    profile: Type.String({ description: 'Qualified id of the profile validated against' }),
    version: Type.String(),
    valid: Type.Boolean(),
    issues: Type.Array(Type.Object({ path: Type.String({ description: 'JSON pointer into the module, e.g. `/spec/containers/main/image`' }), message: Type.String() })),
  },
  { title: 'BatonSpecValidationResponse' },
);

const ProfileParams = Type.Object({ orgId: IdParam('Organization id'), profileQid: IdParam('Workload profile id `<org>/<id>` (URL-encoded), or the org’s own id') });

export const registerWorkloadProfileRoutes: RouteModule = (app, deps) => {
  const profiles = deps.profiles;
  const tags = ['WorkloadProfile'];

  app.get(
    '/orgs/:orgId/workload-profiles',
    {
      config: { permission: 'workload-profiles.read' },
      schema: {
        tags,
        operationId: 'listWorkloadProfiles',
        params: OrgParams,
        querystring: Type.Object({ deprecated: Type.Optional(Type.Boolean({ description: 'Whether to include deprecated profiles' })), ...PagingQuery }),
        response: { 200: Type.Array(WorkloadProfileResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => pageList(request, reply, request.query, await profiles.list(request.params.orgId, { includeDeprecated: request.query.deprecated === true }), (p) => p.id),
  );
  app.post(
    '/orgs/:orgId/workload-profiles',
    {
      config: { permission: 'workload-profiles.write' },
      schema: {
        tags,
        operationId: 'createWorkloadProfile',
        params: OrgParams,
        body: WorkloadProfileRequest,
        response: { 201: WorkloadProfileResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await profiles.create(request.params.orgId, request.body, request.user.id)),
  );
  app.get(
    '/orgs/:orgId/workload-profiles/:profileQid',
    { config: { permission: 'workload-profiles.read' }, schema: { tags, operationId: 'getWorkloadProfile', params: ProfileParams, response: { 200: WorkloadProfileResponse, ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request) => profiles.get(request.params.orgId, request.params.profileQid),
  );
  app.put(
    '/orgs/:orgId/workload-profiles/:profileQid',
    {
      config: { permission: 'workload-profiles.write' },
      schema: {
        tags,
        operationId: 'updateWorkloadProfile',
        description: 'Every update creates a new version. Built-in profiles are read-only (403).',
        params: ProfileParams,
        body: WorkloadProfileUpdateRequest,
        response: { 200: WorkloadProfileResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => profiles.update(request.params.orgId, request.params.profileQid, request.body, request.user.id),
  );
  app.delete(
    '/orgs/:orgId/workload-profiles/:profileQid',
    {
      config: { permission: 'workload-profiles.write' },
      schema: {
        tags,
        operationId: 'deleteWorkloadProfile',
        description: 'Deletes a custom profile and its versions. Built-in profiles are read-only (403).',
        params: ProfileParams,
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      await profiles.delete(request.params.orgId, request.params.profileQid);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/orgs/:orgId/workload-profiles/:profileQid/versions',
    {
      config: { permission: 'workload-profiles.read' },
      schema: {
        tags,
        operationId: 'listWorkloadProfileVersions',
        description: 'Newest first. A built-in profile has one version: the Baton release.',
        params: ProfileParams,
        querystring: Type.Object(PagingQuery),
        response: { 200: Type.Array(WorkloadProfileVersionResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => pageList(request, reply, request.query, await profiles.listVersions(request.params.orgId, request.params.profileQid), (v) => v.id),
  );
  app.get(
    '/orgs/:orgId/workload-profiles/:profileQid/versions/latest',
    {
      config: { permission: 'workload-profiles.read' },
      schema: {
        tags,
        operationId: 'getLatestWorkloadProfileVersion',
        params: ProfileParams,
        response: { 200: WorkloadProfileVersionResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => profiles.latestVersion(request.params.orgId, request.params.profileQid),
  );

  app.post(
    '/orgs/:orgId/baton/workload-profiles/:profileQid/validate',
    {
      config: { permission: 'workload-profiles.read' },
      schema: {
        tags: ['baton'],
        operationId: 'batonValidateWorkloadSpec',
        description:
          'Baton only. Validates a module spec against a profile’s `spec_schema` (for a custom profile on a built-in chart, the built-in’s too) ' +
          'without deploying. 200 with `valid: false` and the issues (JSON pointers) when the spec does not fit.',
        params: ProfileParams,
        body: Type.Object({ spec: FreeObject('The module spec, as in a deployment set module') }, { additionalProperties: false, title: 'BatonSpecValidationRequest' }),
        response: { 200: SpecValidationResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    // A JSON body holds only strings, numbers, booleans, null, arrays and objects: exactly a ResolvedObject without secrets.
    async (request) => profiles.validateSpec(request.params.orgId, request.params.profileQid, request.body.spec as ResolvedObject),
  );
};
