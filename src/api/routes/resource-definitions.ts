import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { COMMON_ERRORS, IdParam, OrgParams, errorResponses } from '../schemas.js';
import { PagingQuery, pageRequest, setNextLink, pageFromStore } from './paging.js';
import type { RouteModule } from './types.js';

const FreeObject = (description?: string) => Type.Object({}, { additionalProperties: true, ...(description ? { description } : {}) });

export const MatchingCriteriaResponse = Type.Object(
  {
    id: Type.String(),
    class: Type.String(),
    app_id: Type.Optional(Type.String()),
    env_id: Type.Optional(Type.String()),
    env_type: Type.Optional(Type.String()),
    res_id: Type.Optional(Type.String()),
  },
  { title: 'MatchingCriteriaResponse' },
);

/** Criteria bodies are checked by the domain (`normalizeCriterion`), which names the field; this documents them. */
const MatchingCriteriaRuleRequest = Type.Object(
  {
    class: Type.Optional(Type.String()),
    app_id: Type.Optional(Type.String()),
    env_id: Type.Optional(Type.String()),
    env_type: Type.Optional(Type.String()),
    res_id: Type.Optional(Type.String()),
  },
  { additionalProperties: false, title: 'MatchingCriteriaRuleRequest' },
);

const ProvisionDependencies = Type.Object(
  { is_dependent: Type.Optional(Type.Boolean()), match_dependents: Type.Optional(Type.Boolean()), params: Type.Optional(FreeObject()) },
  { additionalProperties: true },
);

const ValuesSecretsRefs = Type.Object(
  { values: Type.Optional(FreeObject()), secrets: Type.Optional(FreeObject()), secret_refs: Type.Optional(FreeObject()) },
  { additionalProperties: true, title: 'ValuesSecretsRefs' },
);

export const ResourceDefinitionResponse = Type.Object(
  {
    org_id: Type.String(),
    id: Type.String(),
    name: Type.String(),
    type: Type.String(),
    driver_type: Type.String(),
    driver_account: Type.Optional(Type.String()),
    driver_inputs: ValuesSecretsRefs,
    provision: Type.Record(Type.String(), ProvisionDependencies),
    criteria: Type.Array(MatchingCriteriaResponse),
    active_version_id: Type.String(),
    current_version_id: Type.String(),
    in_place_driver_change: Type.Boolean(),
    is_default: Type.Boolean(),
    is_deleted: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
    created_by: Type.String(),
    updated_at: Type.String({ format: 'date-time' }),
    updated_by: Type.String(),
  },
  { title: 'ResourceDefinitionResponse' },
);

/**
 * The body shape is documented here but checked by the domain (`validateDefinitionRequest`), which reports
 * every problem at once, each naming its field; so the schema stays permissive about nested content.
 */
const CreateResourceDefinitionRequest = Type.Object(
  {
    id: Type.String(),
    name: Type.Optional(Type.String()),
    type: Type.String(),
    driver_type: Type.String(),
    driver_account: Type.Optional(Type.String()),
    driver_inputs: Type.Optional(ValuesSecretsRefs),
    provision: Type.Optional(Type.Record(Type.String(), ProvisionDependencies)),
    criteria: Type.Optional(Type.Array(FreeObject())),
    in_place_driver_change: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'CreateResourceDefinitionRequestRequest' },
);

const UpdateResourceDefinitionRequest = Type.Object(
  {
    name: Type.String(),
    driver_type: Type.Optional(Type.String()),
    driver_account: Type.Optional(Type.String()),
    driver_inputs: Type.Optional(ValuesSecretsRefs),
    provision: Type.Optional(Type.Record(Type.String(), ProvisionDependencies)),
    in_place_driver_change: Type.Optional(Type.Boolean()),
    proposed: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'UpdateResourceDefinitionRequestRequest' },
);

const PatchResourceDefinitionRequest = Type.Object(
  {
    name: Type.Optional(Type.String()),
    driver_type: Type.Optional(Type.String()),
    driver_account: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    driver_inputs: Type.Optional(ValuesSecretsRefs),
    provision: Type.Optional(Type.Record(Type.String(), ProvisionDependencies)),
    in_place_driver_change: Type.Optional(Type.Boolean()),
    proposed: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'PatchResourceDefinitionRequestRequest' },
);

const ResourceDefinitionVersion = Type.Object(
  {
    id: Type.String(),
    org_id: Type.String(),
    def_id: Type.String(),
    name: Type.String(),
    type: Type.String(),
    driver_type: Type.String(),
    driver_account: Type.String(),
    driver_inputs: ValuesSecretsRefs,
    in_place_driver_change: Type.Boolean(),
    provision: Type.Record(Type.String(), ProvisionDependencies),
    criteria: Type.Array(MatchingCriteriaResponse),
    action: Type.String(),
    archived: Type.Boolean(),
    active: Type.Boolean(),
    proposed: Type.Boolean(),
    created_at: Type.String({ format: 'date-time' }),
    created_by: Type.String(),
  },
  { title: 'ResourceDefinitionVersion' },
);

const ActiveResourceResponse = Type.Object(
  {
    org_id: Type.String(),
    app_id: Type.String(),
    env_id: Type.String(),
    env_type: Type.String(),
    type: Type.String(),
    class: Type.String(),
    res_id: Type.String(),
    gu_res_id: Type.String(),
    def_id: Type.String(),
    def_version_id: Type.String(),
    target_def_version_id: Type.Optional(Type.String({ description: 'The Resource Definition Version pinned to this resource to be provisioned from.' })),
    criteria_id: Type.String(),
    driver_type: Type.String(),
    driver_account: Type.Optional(Type.String()),
    deploy_id: Type.String(),
    status: Type.String(),
    resource: FreeObject(),
    secret_refs: FreeObject(),
    scheduled_deletion: Type.Boolean(),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { title: 'ActiveResourceResponse' },
);

const ImportResponse = Type.Object(
  { created: Type.Array(Type.String()), updated: Type.Array(Type.String()), unchanged: Type.Array(Type.String()) },
  { title: 'BatonDefinitionsImportResponse' },
);
const ImportJsonRequest = Type.Object(
  { yaml: Type.String({ description: 'One or more `---`-separated Definition manifests' }), file_name: Type.Optional(Type.String()) },
  { additionalProperties: false, title: 'BatonDefinitionsImportRequest' },
);

const DefParams = Type.Object({ orgId: IdParam('Organization id'), defId: IdParam('Resource definition id') });
const VersionParams = Type.Object({ orgId: IdParam('Organization id'), defId: IdParam('Resource definition id'), defVersionId: IdParam('Version id') });
const CriterionParams = Type.Object({ orgId: IdParam('Organization id'), defId: IdParam('Resource definition id'), criteriaId: IdParam('Criteria id') });
const ListQuery = Type.Object({
  app: Type.Optional(Type.String()),
  env: Type.Optional(Type.String()),
  env_type: Type.Optional(Type.String()),
  res: Type.Optional(Type.String()),
  res_type: Type.Optional(Type.String()),
  class: Type.Optional(Type.String()),
  deleted: Type.Optional(Type.Boolean()),
  ...PagingQuery,
});
const ForceQuery = Type.Object({ force: Type.Optional(Type.Boolean()) });
const VersionsQuery = Type.Object({ deleted: Type.Optional(Type.Boolean({ description: 'Versions of a deleted definition too.' })), ...PagingQuery });
/** Humanitec's ArchiveDefinitionVersionRequest; its own example spells the field `archive`, so other keys are ignored. */
const ArchiveDefinitionVersionRequest = Type.Object(
  { archived: Type.Optional(Type.Boolean({ description: 'Archive (true, the default) or unarchive (false) the version.' })) },
  { additionalProperties: true, title: 'ArchiveDefinitionVersionRequest' },
);
const DeletedQuery = Type.Object({ deleted: Type.Optional(Type.Boolean()) });

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

export const registerResourceDefinitionRoutes: RouteModule = async (app, deps) => {
  const { definitions } = deps.resources;
  const tags = ['ResourceDefinition'];

  app.get(
    '/orgs/:orgId/resources/defs',
    {
      config: { permission: 'resource-definitions.read' },
      schema: {
        tags,
        operationId: 'listResourceDefinitions',
        params: OrgParams,
        querystring: ListQuery,
        response: { 200: Type.Array(ResourceDefinitionResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) =>
      pageFromStore(request, reply, request.query, () => definitions.list(request.params.orgId, request.query), (page) => definitions.listPage(request.params.orgId, request.query, page)),
  );
  app.post(
    '/orgs/:orgId/resources/defs',
    {
      config: { permission: 'resource-definitions.write' },
      schema: {
        tags,
        operationId: 'createResourceDefinition',
        params: OrgParams,
        body: CreateResourceDefinitionRequest,
        response: { 200: ResourceDefinitionResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => definitions.create(request.params.orgId, request.body, request.user.id),
  );
  app.get(
    '/orgs/:orgId/resources/defs/:defId',
    {
      config: { permission: 'resource-definitions.read' },
      schema: {
        tags,
        operationId: 'getResourceDefinition',
        params: DefParams,
        querystring: DeletedQuery,
        response: { 200: ResourceDefinitionResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => definitions.get(request.params.orgId, request.params.defId, request.query),
  );
  app.put(
    '/orgs/:orgId/resources/defs/:defId',
    {
      config: { permission: 'resource-definitions.write' },
      schema: {
        tags,
        operationId: 'updateResourceDefinition',
        params: DefParams,
        body: UpdateResourceDefinitionRequest,
        response: { 200: ResourceDefinitionResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => definitions.replace(request.params.orgId, request.params.defId, request.body, request.user.id),
  );
  app.patch(
    '/orgs/:orgId/resources/defs/:defId',
    {
      config: { permission: 'resource-definitions.write' },
      schema: {
        tags,
        operationId: 'patchResourceDefinition',
        params: DefParams,
        body: PatchResourceDefinitionRequest,
        response: { 200: ResourceDefinitionResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => definitions.patch(request.params.orgId, request.params.defId, request.body, request.user.id),
  );
  app.delete(
    '/orgs/:orgId/resources/defs/:defId',
    {
      config: { permission: 'resource-definitions.write' },
      schema: {
        tags,
        operationId: 'deleteResourceDefinition',
        params: DefParams,
        querystring: ForceQuery,
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      await definitions.delete(request.params.orgId, request.params.defId, request.query, request.user.id);
      return reply.status(204).send(null);
    },
  );

  const criteriaTags = ['ResourceDefinition', 'MatchingCriteria'];
  app.post(
    '/orgs/:orgId/resources/defs/:defId/criteria',
    {
      config: { permission: 'resource-definitions.write' },
      schema: {
        tags: criteriaTags,
        operationId: 'createResourceDefinitionCriteria',
        params: DefParams,
        body: MatchingCriteriaRuleRequest,
        response: { 200: MatchingCriteriaResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => definitions.addCriterion(request.params.orgId, request.params.defId, request.body, request.user.id),
  );
  app.put(
    '/orgs/:orgId/resources/defs/:defId/criteria',
    {
      config: { permission: 'resource-definitions.write' },
      schema: {
        tags: criteriaTags,
        operationId: 'updateResourceDefinitionCriteria',
        params: DefParams,
        body: Type.Array(MatchingCriteriaRuleRequest),
        response: { 200: Type.Array(MatchingCriteriaResponse), ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => definitions.replaceCriteria(request.params.orgId, request.params.defId, request.body, request.user.id),
  );
  app.delete(
    '/orgs/:orgId/resources/defs/:defId/criteria/:criteriaId',
    {
      config: { permission: 'resource-definitions.write' },
      schema: {
        tags: criteriaTags,
        operationId: 'deleteResourceDefinitionCriteria',
        params: CriterionParams,
        querystring: ForceQuery,
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const { orgId, defId, criteriaId } = request.params;
      await definitions.deleteCriterion(orgId, defId, criteriaId, request.query, request.user.id);
      return reply.status(204).send(null);
    },
  );

  const versionTags = ['ResourceDefinitionVersion'];
  app.get(
    '/orgs/:orgId/resources/defs/:defId/versions',
    {
      config: { permission: 'resource-definitions.read' },
      schema: {
        tags: versionTags,
        operationId: 'listResourceDefinitionVersions',
        params: DefParams,
        querystring: VersionsQuery,
        response: { 200: Type.Array(ResourceDefinitionVersion), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const page = pageRequest(request.query);
      const result = await definitions.listVersions(request.params.orgId, request.params.defId, { deleted: request.query.deleted, page });
      setNextLink(request, reply, result.nextToken, request.query.per_page);
      return result.items;
    },
  );
  app.get(
    '/orgs/:orgId/resources/defs/:defId/versions/:defVersionId',
    {
      config: { permission: 'resource-definitions.read' },
      schema: {
        tags: versionTags,
        operationId: 'getResourceDefinitionVersion',
        params: VersionParams,
        response: { 200: ResourceDefinitionVersion, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => definitions.getVersion(request.params.orgId, request.params.defId, request.params.defVersionId),
  );
  app.post(
    '/orgs/:orgId/resources/defs/:defId/versions/:defVersionId/actions/archive',
    {
      config: { permission: 'resource-definitions.write' },
      schema: {
        tags: versionTags,
        operationId: 'archiveResourceDefinitionVersion',
        summary: 'Mark/unmark the Resource Definition Version as archived.',
        params: VersionParams,
        body: ArchiveDefinitionVersionRequest,
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const { orgId, defId, defVersionId } = request.params;
      await definitions.archiveVersion(orgId, defId, defVersionId, request.body.archived ?? true);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/orgs/:orgId/resources/defs/:defId/versions/:defVersionId/actions/promote',
    {
      config: { permission: 'resource-definitions.write' },
      schema: {
        tags: versionTags,
        operationId: 'promoteResourceDefinitionVersion',
        summary: 'Promote the Resource Definition Version as active.',
        params: VersionParams,
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const { orgId, defId, defVersionId } = request.params;
      await definitions.promoteVersion(orgId, defId, defVersionId, request.user.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/orgs/:orgId/resources/defs/:defId/resources',
    {
      config: { permission: 'resource-definitions.read' },
      schema: {
        tags: ['ResourceDefinition', 'ActiveResource'],
        operationId: 'listActiveResourceByDefinition',
        params: DefParams,
        querystring: Type.Object(PagingQuery),
        response: { 200: Type.Array(ActiveResourceResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId, defId } = request.params;
      return pageFromStore(request, reply, request.query, () => definitions.activeResources(orgId, defId), (page) => definitions.activeResourcesPage(orgId, defId, page));
    },
  );

  // Baton-only: `baton apply -f defs.yaml`. Raw YAML (application/yaml) or JSON `{yaml, file_name}`.
  await app.register((plain, _options, done) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, (_request, body, parsed) => parsed(null, { yaml: String(body) }));
    scope.post(
      '/orgs/:orgId/baton/definitions/import',
      {
        config: { permission: 'resource-definitions.write' },
        schema: {
          tags: ['baton'],
          operationId: 'importResourceDefinitions',
          summary: 'Create or update definitions from Humanitec Definition manifests (multi-document YAML); idempotent.',
          params: OrgParams,
          body: ImportJsonRequest,
          response: { 200: ImportResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
        },
      },
      async (request) => definitions.importManifests(request.params.orgId, request.body.yaml, request.body.file_name ?? 'request', request.user.id),
    );
    done();
  });
};
