/**
 * Artefacts and artefact versions (Humanitec tags Artefact, ArtefactVersion) and the deprecated image API (tag
 * Image). Thin: validation here, behaviour in src/ci/artefacts.ts. `convert-score` lives in score.ts.
 */
import { Type } from 'typebox';
import { stringify } from 'yaml';
import type { ArtefactsService } from '../../ci/index.js';
import { COMMON_ERRORS, IdParam, NoContent, OrgParams, errorResponses } from '../schemas.js';
import { ConvertScoreToSetBody, WorkloadArtefactVersionDeploymentSet } from './score.js';
import type { RouteModule } from './types.js';
import { PagingQuery, pageList, pageRequest, setNextLink } from './paging.js';

export const DEPLOYMENT_SET_MEDIA_TYPE = 'application/x.workload-deployment-set+json';
export const DEPLOYMENT_SET_YAML_MEDIA_TYPE = 'application/x.workload-deployment-set+x-yaml';

const Name = Type.String({ minLength: 1, maxLength: 1024 });
const Short = Type.String({ maxLength: 1024 });

const CreateArtefactVersion = Type.Object(
  {
    type: Type.String({ enum: ['container', 'workload'], description: 'container or workload' }),
    name: Name,
    version: Type.Optional(Short),
    ref: Type.Optional(Short),
    commit: Type.Optional(Type.String({ maxLength: 40 })),
    digest: Type.Optional(Short),
    spec: Type.Optional(ConvertScoreToSetBody.properties.spec),
    image: Type.Optional(Short),
    overrides: Type.Optional(ConvertScoreToSetBody.properties.overrides),
    property_overrides: Type.Optional(ConvertScoreToSetBody.properties.property_overrides),
    resource_type_aliases: Type.Optional(ConvertScoreToSetBody.properties.resource_type_aliases),
    extensions: Type.Optional(ConvertScoreToSetBody.properties.extensions),
  },
  { additionalProperties: false, title: 'CreateArtefactVersion' },
);

export const ArtefactVersionResponse = Type.Object(
  {
    id: Type.String(),
    artefact_id: Type.String(),
    type: Type.String(),
    name: Type.String(),
    version: Type.String(),
    ref: Type.String(),
    commit: Type.String(),
    digest: Type.Optional(Type.String()),
    archived: Type.Boolean(),
    created_at: Type.String(),
    created_by: Type.String(),
    updated_at: Type.String(),
    updated_by: Type.String(),
  },
  { title: 'ArtefactVersion' },
);

const ArtefactResponse = Type.Object(
  { id: Type.String(), name: Type.String(), type: Type.String(), created_at: Type.String(), created_by: Type.String(), updated_at: Type.String(), updated_by: Type.String() },
  { title: 'ArtefactResponse' },
);

const VersionParams = Type.Object({ orgId: IdParam('Organization id'), artefactVersionId: IdParam('Artefact version id') });
const ArtefactParams = Type.Object({ orgId: IdParam('Organization id'), artefactId: IdParam('Artefact id') });
const ArtefactVersionPathParams = Type.Object({ orgId: IdParam('Organization id'), artefactId: IdParam('Artefact id'), versionId: IdParam('Artefact version id') });
const ImageParams = Type.Object({ orgId: IdParam('Organization id'), imageId: IdParam('Image id') });

const ImageBuildRequest = Type.Object(
  {
    branch: Type.Optional(Type.String({ maxLength: 1024 })),
    commit: Type.Optional(Type.String({ maxLength: 256 })),
    image: Type.String({ minLength: 1, maxLength: 2048 }),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: 100 })),
  },
  { additionalProperties: false, title: 'ImageBuildRequest' },
);
const ImageBuildResponse = Type.Object(
  { branch: Type.String(), commit: Type.String(), image: Type.String(), tags: Type.Array(Type.String()), added_at: Type.String() },
  { title: 'ImageBuildResponse' },
);
const ImageResponse = Type.Object({ id: Type.String(), source: Type.String(), added_at: Type.String(), builds: Type.Array(ImageBuildResponse) }, { title: 'ImageResponse' });

/** The deployment-set media type the Accept header asks for, if any. */
function wantedDeploymentSet(accept: string | undefined): string | undefined {
  const types = (accept ?? '').split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
  return [DEPLOYMENT_SET_MEDIA_TYPE, DEPLOYMENT_SET_YAML_MEDIA_TYPE].find((type) => types.includes(type));
}

export const registerArtefactRoutes: RouteModule = (app, { ci }) => {
  const artefacts: ArtefactsService = ci.artefacts;
  app.post(
    '/orgs/:orgId/artefact-versions',
    {
      config: { permission: 'artefacts.write' },
      schema: {
        tags: ['ArtefactVersion'],
        operationId: 'createArtefactVersion',
        description: `Registers a container or workload artefact version. With \`dry_run=true\` nothing is stored: the request is validated (204), and with \`Accept: ${DEPLOYMENT_SET_MEDIA_TYPE}\` (or \`+x-yaml\`) a workload answers the deployment set it converts to. A container version queues the evaluation of the automation rules (a durable job; they run just after the answer).`,
        params: OrgParams,
        querystring: Type.Object({ vcs: Type.Optional(Type.String({ enum: ['git', 'none'] })), dry_run: Type.Optional(Type.Boolean()) }),
        body: CreateArtefactVersion,
        response: { 200: Type.Union([ArtefactVersionResponse, WorkloadArtefactVersionDeploymentSet]), 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const body = { ...request.body, resource_type_aliases: request.body.resource_type_aliases as Record<string, string> | undefined };
      const result = await artefacts.createVersion(request.params.orgId, body, request.user.id, { vcs: request.query.vcs ?? 'git', dryRun: request.query.dry_run === true });
      if ('stored' in result) return reply.status(200).send(result.stored);
      const media = wantedDeploymentSet(request.headers.accept);
      if (result.dryRun !== undefined && media !== undefined) {
        const text = media === DEPLOYMENT_SET_YAML_MEDIA_TYPE ? stringify(result.dryRun) : JSON.stringify(result.dryRun);
        return reply.status(200).type(media).send(text as never);
      }
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/orgs/:orgId/artefact-versions',
    {
      config: { permission: 'artefacts.read' },
      schema: {
        tags: ['ArtefactVersion'],
        operationId: 'listArtefactVersionsInOrg',
        params: OrgParams,
        querystring: Type.Object({
          name: Type.Optional(Name),
          reference: Type.Optional(Short),
          archived: Type.Optional(Type.Boolean()),
          type: Type.Optional(Type.String({ maxLength: 50 })),
          ...PagingQuery,
        }),
        response: { 200: Type.Array(ArtefactVersionResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { per_page: _perPage, page: _page, ...filters } = request.query;
      const page = pageRequest(request.query);
      if (page === undefined) return artefacts.listVersions(request.params.orgId, filters);
      const listed = await artefacts.pageVersions(request.params.orgId, filters, page);
      setNextLink(request, reply, listed.nextToken, request.query.per_page);
      return listed.items;
    },
  );
  app.get(
    '/orgs/:orgId/artefact-versions/:artefactVersionId',
    {
      config: { permission: 'artefacts.read' },
      schema: { tags: ['ArtefactVersion'], operationId: 'getArtefactVersion', params: VersionParams, response: { 200: ArtefactVersionResponse, ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    (request) => artefacts.getVersion(request.params.orgId, request.params.artefactVersionId),
  );
  app.get(
    '/orgs/:orgId/artefact-versions/:artefactVersionId/workload-spec',
    {
      config: { permission: 'artefacts.read' },
      schema: {
        tags: ['ArtefactVersion'],
        operationId: 'getWorkloadArtefactVersionSpec',
        params: VersionParams,
        response: { 200: Type.Object({}, { additionalProperties: true }), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => (await artefacts.workloadSpec(request.params.orgId, request.params.artefactVersionId)) as Record<string, unknown>,
  );
  app.get(
    '/orgs/:orgId/artefact-versions/:artefactVersionId/workload-deployment-set',
    {
      config: { permission: 'artefacts.read' },
      schema: {
        tags: ['ArtefactVersion'],
        operationId: 'getWorkloadArtefactVersionDeploymentSet',
        params: VersionParams,
        response: { 200: WorkloadArtefactVersionDeploymentSet, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    (request) => artefacts.workloadDeploymentSet(request.params.orgId, request.params.artefactVersionId),
  );
  app.get(
    '/orgs/:orgId/artefacts',
    {
      config: { permission: 'artefacts.read' },
      schema: {
        tags: ['Artefact'],
        operationId: 'listArtefacts',
        params: OrgParams,
        querystring: Type.Object({ type: Type.Optional(Type.String({ maxLength: 50 })), name: Type.Optional(Name), ...PagingQuery }),
        response: { 200: Type.Array(ArtefactResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => pageList(request, reply, request.query, await artefacts.listArtefacts(request.params.orgId, request.query), (a) => a.id),
  );
  app.delete(
    '/orgs/:orgId/artefacts/:artefactId',
    {
      config: { permission: 'artefacts.delete' },
      schema: { tags: ['Artefact'], operationId: 'deleteArtefact', params: ArtefactParams, response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    async (request, reply) => {
      await artefacts.deleteArtefact(request.params.orgId, request.params.artefactId);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/orgs/:orgId/artefacts/:artefactId/versions',
    {
      config: { permission: 'artefacts.read' },
      schema: {
        tags: ['ArtefactVersion'],
        operationId: 'listArtefactVersions',
        params: ArtefactParams,
        querystring: Type.Object({ archived: Type.Optional(Type.Boolean()), reference: Type.Optional(Short), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), ...PagingQuery }),
        response: { 200: Type.Array(ArtefactVersionResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { per_page: _perPage, page: _page, limit, ...filters } = request.query;
      const page = pageRequest(request.query);
      if (page === undefined) return artefacts.listVersions(request.params.orgId, { artefactId: request.params.artefactId, limit, ...filters });
      const listed = await artefacts.pageVersions(request.params.orgId, { artefactId: request.params.artefactId, ...filters }, page);
      setNextLink(request, reply, listed.nextToken, request.query.per_page);
      return listed.items;
    },
  );
  app.patch(
    '/orgs/:orgId/artefacts/:artefactId/versions/:versionId',
    {
      config: { permission: 'artefacts.write' },
      schema: {
        tags: ['ArtefactVersion'],
        operationId: 'patchArtefactVersion',
        params: ArtefactVersionPathParams,
        body: Type.Object({ archived: Type.Boolean() }, { additionalProperties: false, title: 'UpdateArtefactVersionPayloadRequest' }),
        response: { 200: ArtefactVersionResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    (request) => artefacts.setArchived(request.params.orgId, request.params.artefactId, request.params.versionId, request.body.archived, request.user.id),
  );

  // The deprecated image API.
  app.post(
    '/orgs/:orgId/images/:imageId/builds',
    {
      config: { permission: 'artefacts.write' },
      schema: {
        tags: ['Image'],
        operationId: 'createDeprecatedImageBuild',
        description: 'Records a build and registers a container artefact version for it (which queues the evaluation of the automation rules).',
        params: ImageParams,
        body: ImageBuildRequest,
        response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      await artefacts.addImageBuild(request.params.orgId, request.params.imageId, request.body, request.user.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/orgs/:orgId/images',
    { config: { permission: 'artefacts.read' }, schema: { tags: ['Image'], operationId: 'listDeprecatedImages', params: OrgParams, querystring: Type.Object(PagingQuery), response: { 200: Type.Array(ImageResponse), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => pageList(request, reply, request.query, await artefacts.listImages(request.params.orgId), (i) => i.id),
  );
  app.get(
    '/orgs/:orgId/images/:imageId',
    { config: { permission: 'artefacts.read' }, schema: { tags: ['Image'], operationId: 'getDeprecatedImage', params: ImageParams, response: { 200: ImageResponse, ...errorResponses(...COMMON_ERRORS, 404) } } },
    (request) => artefacts.getImage(request.params.orgId, request.params.imageId),
  );
  app.get(
    '/orgs/:orgId/images/:imageId/builds',
    {
      config: { permission: 'artefacts.read' },
      schema: { tags: ['Image'], operationId: 'listDeprecatedImageBuilds', params: ImageParams, response: { 200: Type.Array(ImageBuildResponse), ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    (request) => artefacts.listImageBuilds(request.params.orgId, request.params.imageId),
  );
};
