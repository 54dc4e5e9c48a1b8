/** Automation rules (Humanitec tag AutomationRule). Behaviour in src/ci/rules.ts. */
import { Type } from 'typebox';
import { COMMON_ERRORS, EnvParams, IdParam, NoContent, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';
import { PagingQuery, pageList } from './paging.js';

const Filter = Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 100 });

const AutomationRuleRequest = Type.Object(
  {
    type: Type.String({ description: 'Must be "update".' }),
    active: Type.Optional(Type.Boolean()),
    artefacts_filter: Type.Optional(Filter),
    exclude_artefacts_filter: Type.Optional(Type.Boolean()),
    match_ref: Type.Optional(Type.String({ maxLength: 1024, description: 'A regular expression on the ref of a new artefact version; empty matches all.' })),
    images_filter: Type.Optional(Filter),
    exclude_images_filter: Type.Optional(Type.Boolean()),
    update_to: Type.Optional(Type.String({ description: 'DEPRECATED: branch or tag.' })),
    match: Type.Optional(Type.String({ maxLength: 1024, description: 'DEPRECATED: a regular expression on the branch or tag name.' })),
  },
  { additionalProperties: false, title: 'AutomationRuleRequest' },
);

const AutomationRuleResponse = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    active: Type.Boolean(),
    artefacts_filter: Type.Array(Type.String()),
    exclude_artefacts_filter: Type.Boolean(),
    match_ref: Type.String(),
    images_filter: Type.Array(Type.String()),
    exclude_images_filter: Type.Boolean(),
    update_to: Type.String(),
    match: Type.String(),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  { title: 'AutomationRuleResponse' },
);

const RuleRunResponse = Type.Object(
  {
    artefact_version_id: Type.String(),
    outcome: Type.String({ description: 'deployed, skipped or failed.' }),
    deploy_id: Type.Optional(Type.String({ description: 'The deployment the rule queued (outcome deployed).' })),
    reason: Type.String({ description: 'The deployment comment, or why the rule skipped or failed (e.g. its creator may no longer deploy there).' }),
    at: Type.String(),
  },
  { title: 'BatonAutomationRuleRun' },
);

const RuleParams = Type.Object({ ...EnvParams.properties, ruleId: IdParam('Automation rule id') });

export const registerRuleRoutes: RouteModule = (app, { ci: { rules } }) => {
  const base = '/orgs/:orgId/apps/:appId/envs/:envId/rules';
  app.get(
    base,
    { config: { permission: 'automation-rules.read' }, schema: { tags: ['AutomationRule'], operationId: 'listAutomationRules', params: EnvParams, querystring: Type.Object(PagingQuery), response: { 200: Type.Array(AutomationRuleResponse), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => pageList(request, reply, request.query, await rules.list(request.params.orgId, request.params.appId, request.params.envId), (r) => r.id),
  );
  app.post(
    base,
    {
      config: { permission: 'automation-rules.write' },
      schema: {
        tags: ['AutomationRule'],
        operationId: 'createAutomationRule',
        description: 'Creates a rule; the caller must be allowed to deploy to the environment. The rule deploys as its creator.',
        params: EnvParams,
        body: AutomationRuleRequest,
        response: { 201: AutomationRuleResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await rules.create(request.user, request.params.orgId, request.params.appId, request.params.envId, request.body)),
  );
  app.get(
    `${base}/:ruleId`,
    { config: { permission: 'automation-rules.read' }, schema: { tags: ['AutomationRule'], operationId: 'getAutomationRule', params: RuleParams, response: { 200: AutomationRuleResponse, ...errorResponses(...COMMON_ERRORS, 404) } } },
    (request) => rules.get(request.params.orgId, request.params.appId, request.params.envId, request.params.ruleId),
  );
  app.get(
    `${base}/:ruleId/baton/runs`,
    {
      config: { permission: 'automation-rules.read' },
      schema: {
        tags: ['baton'],
        summary: 'What the rule did with each container artefact version it accepted (latest 100, newest first): deployed, skipped (with the reason) or failed.',
        params: RuleParams,
        response: { 200: Type.Array(RuleRunResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    (request) => rules.runs(request.params.orgId, request.params.appId, request.params.envId, request.params.ruleId),
  );
  app.put(
    `${base}/:ruleId`,
    {
      config: { permission: 'automation-rules.write' },
      schema: { tags: ['AutomationRule'], operationId: 'updateAutomationRule', params: RuleParams, body: AutomationRuleRequest, response: { 200: AutomationRuleResponse, ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    (request) => rules.update(request.user, request.params.orgId, request.params.appId, request.params.envId, request.params.ruleId, request.body),
  );
  app.delete(
    `${base}/:ruleId`,
    { config: { permission: 'automation-rules.write' }, schema: { tags: ['AutomationRule'], operationId: 'deleteAutomationRule', params: RuleParams, response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => {
      await rules.delete(request.params.orgId, request.params.appId, request.params.envId, request.params.ruleId);
      return reply.status(204).send(null);
    },
  );
};
