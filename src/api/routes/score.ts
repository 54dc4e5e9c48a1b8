/**
 * `POST /orgs/{orgId}/artefact-versions/convert-score`: a Score spec (plus overrides, property overrides, resource
 * type aliases and Humanitec extensions) → the deployment-set fragment `{modules, shared}` it becomes.
 * The conversion never reads files (`files.*.source` is an error here: the server has no access to the caller's).
 */
import { Type } from 'typebox';
import { convertScoreToSetFragment } from '../../score/convert-request.js';
import { COMMON_ERRORS, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';

const JsonMap = Type.Object({}, { additionalProperties: true });

export const ConvertScoreToSetBody = Type.Object(
  {
    spec: Type.Object({}, { additionalProperties: true, description: 'The Score workload specification (score.dev/v1b1).' }),
    image: Type.Optional(Type.String({ description: 'Image for containers whose image is "."' })),
    overrides: Type.Optional(Type.Object({}, { additionalProperties: true, description: 'A Score overrides document, deep-merged into the spec.' })),
    property_overrides: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: 'Dotted path → value (null deletes), applied after `overrides`.' }),
    ),
    resource_type_aliases: Type.Optional(
      Type.Object({}, { additionalProperties: Type.String(), description: 'Resource type → the type to use in the set.' }),
    ),
    extensions: Type.Optional(
      Type.Object(
        {
          apiVersion: Type.String(),
          profile: Type.Optional(Type.String()),
          spec: Type.Optional(JsonMap),
          deploy: Type.Optional(JsonMap),
        },
        { additionalProperties: true, title: 'ScoreHumanitecExtensions' },
      ),
    ),
  },
  { additionalProperties: false, title: 'ConvertScoreToSetBody' },
);

export const WorkloadArtefactVersionDeploymentSet = Type.Object(
  {
    modules: Type.Object({}, { additionalProperties: JsonMap }),
    shared: Type.Object({}, { additionalProperties: JsonMap }),
  },
  { title: 'WorkloadArtefactVersionDeploymentSet' },
);

export const registerScoreRoutes: RouteModule = (app, { core: services }) => {
  app.post(
    '/orgs/:orgId/artefact-versions/convert-score',
    {
      config: { permission: 'score.convert' },
      schema: {
        tags: ['ArtefactVersion'],
        operationId: 'convertScoreToSet',
        params: OrgParams,
        body: ConvertScoreToSetBody,
        response: { 200: WorkloadArtefactVersionDeploymentSet, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      await services.orgs.require(request.params.orgId);
      const body = request.body;
      return convertScoreToSetFragment({
        spec: body.spec,
        image: body.image,
        overrides: body.overrides,
        property_overrides: body.property_overrides,
        resource_type_aliases: body.resource_type_aliases as Record<string, string> | undefined,
        extensions: body.extensions,
      });
    },
  );
};
