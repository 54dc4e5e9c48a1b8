import { Type } from 'typebox';
import type { CandidateExplanation, MatchExplanation } from '../../resources/index.js';
import { COMMON_ERRORS, OrgParams, errorResponses } from '../schemas.js';
import { MatchingCriteriaResponse } from './resource-definitions.js';
import type { RouteModule } from './types.js';

const Candidate = Type.Object({
  def_id: Type.String(),
  criteria_id: Type.String(),
  criterion: MatchingCriteriaResponse,
  matches: Type.Boolean(),
  specificity: Type.Integer({ description: '0-15: bits res_id, env_id, app_id, env_type' }),
  reason: Type.String({ description: '`winner`, why it does not match, or why it lost' }),
});

const MatchExplanationResponse = Type.Object(
  {
    resource: Type.Object({ type: Type.String(), class: Type.String(), res_id: Type.String() }),
    context: Type.Object({ app_id: Type.String(), env_id: Type.String(), env_type: Type.String() }),
    winner: Type.Optional(Type.Object({ def_id: Type.String(), criteria_id: Type.String(), criterion: MatchingCriteriaResponse })),
    message: Type.String(),
    candidates: Type.Array(Candidate),
  },
  { title: 'BatonMatchExplanation' },
);

const MatchQuery = Type.Object({
  app: Type.String({ minLength: 1 }),
  env: Type.String({ minLength: 1 }),
  type: Type.String({ minLength: 1 }),
  class: Type.Optional(Type.String()),
  res_id: Type.String({ minLength: 1, description: 'e.g. modules.<workload>.externals.<name>, shared.<name>, or the type for implicit resources' }),
});

function candidateBody(c: CandidateExplanation) {
  return { def_id: c.definitionId, criteria_id: c.criterion.id, criterion: c.criterion, matches: c.matches, specificity: c.specificity, reason: c.reason };
}

function toBody(explanation: MatchExplanation) {
  const { resource, context, winner } = explanation;
  return {
    resource,
    context: { app_id: context.appId, env_id: context.envId, env_type: context.envType },
    ...(winner ? { winner: { def_id: winner.definitionId, criteria_id: winner.criterion.id, criterion: winner.criterion } } : {}),
    message: winner
      ? `definition "${winner.definitionId}" matches ${resource.type}.${resource.class}#${resource.res_id}`
      : `no resource definition matches ${resource.type}.${resource.class}#${resource.res_id} in app "${context.appId}", env "${context.envId}" (env type "${context.envType}")`,
    candidates: explanation.candidates.map(candidateBody),
  };
}

/** Baton-only: why a resource gets the definition it gets (the env type is read from the environment). */
export const registerMatchRoutes: RouteModule = (app, deps) => {
  const { definitions } = deps.resources;
  app.get(
    '/orgs/:orgId/baton/match',
    {
      config: { permission: 'resource-definitions.read' },
      schema: {
        tags: ['baton'],
        operationId: 'explainResourceMatch',
        summary: 'Explain which resource definition a resource matches in an environment, and why every other candidate lost.',
        params: OrgParams,
        querystring: MatchQuery,
        response: { 200: MatchExplanationResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { app: appId, env: envId, type, class: cls, res_id: resId } = request.query;
      return toBody(await definitions.explain(request.params.orgId, { appId, envId, type, class: cls, resId }));
    },
  );
};
