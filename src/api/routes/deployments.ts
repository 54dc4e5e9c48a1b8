/**
 * Deployments (Humanitec tag Deployment) and the environment's deployment pointers: submit, list, get, errors,
 * Baton's structured logs (`/baton/logs`, SSE with `?follow=true`) and phases, and `PUT .../from_deploy_id`
 * (rebase). Environment creation (clone) and deletion are the environment routes' (envs.ts), through the same
 * deployments service.
 */
import { Type } from 'typebox';
import { COMMON_ERRORS, EnvParams, IdParam, errorResponses } from '../schemas.js';
import { PagingQuery, DEFAULT_PER_PAGE, setNextLink } from './paging.js';
import type { RouteModule } from './types.js';

export const DeploymentResponse = Type.Object(
  {
    id: Type.String(),
    env_id: Type.String(),
    from_id: Type.String(),
    delta_id: Type.Optional(Type.String()),
    set_id: Type.String(),
    value_set_version_id: Type.Optional(Type.String()),
    comment: Type.String(),
    status: Type.String({ description: 'pending, in progress, succeeded or failed' }),
    status_changed_at: Type.String({ format: 'date-time' }),
    created_at: Type.String({ format: 'date-time' }),
    created_by: Type.String(),
    export_status: Type.String(),
    export_file: Type.String(),
    dependency_graph_id: Type.Optional(Type.String()),
  },
  { title: 'DeploymentResponse' },
);

const DeploymentRequest = Type.Object(
  {
    delta_id: Type.Optional(Type.String({ maxLength: 256 })),
    set_id: Type.Optional(Type.String({ maxLength: 256 })),
    value_set_version_id: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
    comment: Type.Optional(Type.String({ maxLength: 10_000 })),
    mode: Type.Optional(Type.String()),
    pipeline: Type.Optional(Type.Object({}, { additionalProperties: true })),
    plan_id: Type.Optional(Type.String({ maxLength: 256, description: 'Baton: deploy this plan; 409 when the environment changed since it was made' })),
  },
  { additionalProperties: false, title: 'DeploymentRequest' },
);

const PlanRequest = Type.Object(
  {
    delta_id: Type.Optional(Type.String({ maxLength: 256 })),
    set_id: Type.Optional(Type.String({ maxLength: 256 })),
    value_set_version_id: Type.Optional(Type.Union([Type.String({ maxLength: 256 }), Type.Null()])),
    comment: Type.Optional(Type.String({ maxLength: 10_000 })),
  },
  { additionalProperties: false, title: 'BatonPlanRequest' },
);

const PlanResponse = Type.Object(
  {
    id: Type.String(),
    env_id: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    created_by: Type.String(),
    from_deploy_id: Type.Optional(Type.String()),
    last_deploy_id: Type.Optional(Type.String()),
    base_set_id: Type.String(),
    set_id: Type.String(),
    set_diff: Type.Object({}, { additionalProperties: true }),
    resources: Type.Array(Type.Object({}, { additionalProperties: true })),
    orphaned: Type.Array(Type.Object({}, { additionalProperties: true })),
    objects: Type.Array(Type.Object({ key: Type.String(), hash: Type.String(), workload: Type.Optional(Type.String()), depends_on_unknown_outputs: Type.Boolean() })),
    manifests: Type.Object({}, { additionalProperties: true }),
    unresolved_workloads: Type.Array(Type.Object({ workload: Type.String(), message: Type.String() })),
    warnings: Type.Optional(Type.Array(Type.String(), { description: "What the deployment would go on with but a person should know, e.g. an environment value a variable uses that is not set (the variable gets an empty string)." })),
  },
  { title: 'BatonPlanResponse', description: 'What a deployment would do: set diff, resource actions, per-object manifest diff (see docs/internals/engine.md).' },
);

const PlanParams = Type.Object({ ...EnvParams.properties, planId: IdParam('Plan id') });

const DeploymentErrorResponse = Type.Object(
  { code: Type.String(), error_type: Type.String(), message: Type.String(), object_id: Type.String(), scope: Type.String(), summary: Type.String() },
  { title: 'DeploymentErrorResponse' },
);

const DeploymentLogEntry = Type.Object(
  { seq: Type.Integer(), at: Type.String(), phase: Type.String(), level: Type.String(), resource: Type.Optional(Type.String()), message: Type.String() },
  { title: 'BatonDeploymentLogEntry' },
);

const PhaseResponse = Type.Object(
  { name: Type.String(), status: Type.String(), started_at: Type.String(), ended_at: Type.Optional(Type.String()) },
  { title: 'BatonDeploymentPhase' },
);

const DeploymentManifestsResponse = Type.Object(
  {
    deploy_id: Type.String(),
    previous_deploy_id: Type.Optional(Type.String()),
    recorded: Type.Boolean(),
    previous_recorded: Type.Boolean(),
    added: Type.Array(Type.Object({ key: Type.String(), object: Type.Object({}, { additionalProperties: true }) })),
    changed: Type.Array(Type.Object({ key: Type.String(), diff: Type.String() })),
    removed: Type.Array(Type.Object({ key: Type.String() })),
    unchanged: Type.Array(Type.String()),
  },
  { title: 'BatonDeploymentManifests' },
);

const DeployParams = Type.Object({ ...EnvParams.properties, deployId: IdParam('Deployment id') });

export const registerDeploymentRoutes: RouteModule = (app, deps) => {
  const { deployments } = deps;

  app.post(
    '/orgs/:orgId/apps/:appId/envs/:envId/deploys',
    {
      config: { permission: 'env.deploy' },
      schema: {
        tags: ['Deployment'],
        operationId: 'createDeployment',
        params: EnvParams,
        querystring: Type.Object({ queue: Type.Optional(Type.Boolean({ description: 'Baton: queue behind a running deployment instead of 409' })) }),
        body: DeploymentRequest,
        response: { 201: DeploymentResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, envId } = request.params;
      const view = await deployments.submit(orgId, appId, envId, request.body, request.user.id, { queue: request.query.queue === true });
      return reply.status(201).send(view);
    },
  );
  app.post(
    '/orgs/:orgId/apps/:appId/envs/:envId/baton/plans',
    {
      config: { permission: 'env.deploy' },
      schema: {
        tags: ['Deployment'],
        operationId: 'batonCreatePlan',
        description: 'Baton: plan a deployment (same body as a deployment) without side effects; deploy it with `plan_id`.',
        params: EnvParams,
        body: PlanRequest,
        response: { 201: PlanResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, envId } = request.params;
      return reply.status(201).send(await deployments.plan(orgId, appId, envId, request.body, request.user.id));
    },
  );
  app.get(
    '/orgs/:orgId/apps/:appId/envs/:envId/baton/plans/:planId',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Deployment'],
        operationId: 'batonGetPlan',
        description: 'Baton: a plan made with POST .../baton/plans.',
        params: PlanParams,
        response: { 200: PlanResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, envId, planId } = request.params;
      return deployments.getPlan(orgId, appId, envId, planId);
    },
  );
  app.get(
    '/orgs/:orgId/apps/:appId/envs/:envId/deploys',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Deployment'],
        operationId: 'listDeployments',
        params: EnvParams,
        querystring: Type.Object({ ...PagingQuery, pipelineRunId: Type.Optional(Type.String()) }),
        response: { 200: Type.Array(DeploymentResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, envId } = request.params;
      const page = await deployments.list(orgId, appId, envId, { limit: request.query.per_page ?? DEFAULT_PER_PAGE, token: request.query.page });
      setNextLink(request, reply, page.nextToken, request.query.per_page);
      return page.items;
    },
  );
  app.get(
    '/orgs/:orgId/apps/:appId/envs/:envId/deploys/:deployId',
    {
      config: { permission: 'app.read' },
      schema: { tags: ['Deployment'], operationId: 'getDeployment', params: DeployParams, response: { 200: DeploymentResponse, ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    async (request) => {
      const { orgId, appId, envId, deployId } = request.params;
      return deployments.get(orgId, appId, envId, deployId);
    },
  );
  app.post(
    '/orgs/:orgId/apps/:appId/envs/:envId/deploys/:deployId/baton/cancel',
    {
      config: { permission: 'env.deploy' },
      schema: {
        tags: ['Deployment'],
        operationId: 'batonCancelDeployment',
        description:
          'Baton: stops a pending or running deployment at its next safe point; it ends `failed` with a `DEP-CANCELLED` error and the environment accepts a new deployment at once. 409 when it already ended.',
        params: DeployParams,
        response: { 200: DeploymentResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => {
      const { orgId, appId, envId, deployId } = request.params;
      return deployments.cancel(orgId, appId, envId, deployId, request.user.id);
    },
  );
  app.get(
    '/orgs/:orgId/apps/:appId/envs/:envId/deploys/:deployId/errors',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Deployment'],
        operationId: 'listDeploymentErrors',
        params: DeployParams,
        response: { 200: Type.Array(DeploymentErrorResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, envId, deployId } = request.params;
      return deployments.errors(orgId, appId, envId, deployId);
    },
  );
  app.get(
    '/orgs/:orgId/apps/:appId/envs/:envId/deploys/:deployId/baton/phases',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Deployment'],
        operationId: 'batonListDeploymentPhases',
        description: 'Baton: the pipeline phases (read, match, create, deploy) with their start and end times.',
        params: DeployParams,
        response: { 200: Type.Array(PhaseResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, envId, deployId } = request.params;
      return deployments.phases(orgId, appId, envId, deployId);
    },
  );
  app.get(
    '/orgs/:orgId/apps/:appId/envs/:envId/deploys/:deployId/baton/manifests',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Deployment'],
        operationId: 'batonGetDeploymentManifests',
        description:
          'Baton: the manifest diff of a deployment from the one it built on (`previous_deploy_id`): what its final apply gave the target against what the previous one gave it, per object (`added` with the object, `changed` with a unified diff, `removed`, `unchanged`). Secret values appear as short hashes only. `recorded` is false when the deployment never applied.',
        params: DeployParams,
        response: { 200: DeploymentManifestsResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, envId, deployId } = request.params;
      return deployments.manifests(orgId, appId, envId, deployId);
    },
  );
  app.get(
    '/orgs/:orgId/apps/:appId/envs/:envId/deploys/:deployId/baton/logs',
    {
      config: { permission: 'app.read' },
      schema: {
        tags: ['Deployment'],
        operationId: 'batonGetDeploymentLogs',
        description: 'Baton: the structured deployment log. With `follow=true` a text/event-stream of entries until the deployment ends.',
        params: DeployParams,
        querystring: Type.Object({ follow: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Array(DeploymentLogEntry), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, envId, deployId } = request.params;
      const toEntry = (e: { seq: number; at: string; phase: string; level: string; resource: string | null; message: string }) => ({
        seq: e.seq,
        at: e.at,
        phase: e.phase,
        level: e.level,
        ...(e.resource !== null ? { resource: e.resource } : {}),
        message: e.message,
      });
      if (request.query.follow !== true) return (await deployments.logs(orgId, appId, envId, deployId)).entries.map(toEntry);

      await deployments.getRow(orgId, appId, envId, deployId); // 404 before the stream starts
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      let closed = false;
      raw.on('close', () => (closed = true));
      let after = 0;
      // Polls the log table: it works the same whichever replica runs the deployment.
      while (!closed) {
        const { entries, finished } = await deployments.logs(orgId, appId, envId, deployId, after);
        for (const entry of entries) {
          raw.write(`id: ${entry.seq}\nevent: log\ndata: ${JSON.stringify(toEntry(entry))}\n\n`);
          after = entry.seq;
        }
        if (finished && entries.length === 0) {
          const final = await deployments.get(orgId, appId, envId, deployId);
          raw.write(`event: end\ndata: ${JSON.stringify({ status: final.status })}\n\n`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      raw.end();
      return reply;
    },
  );
  app.put(
    '/orgs/:orgId/apps/:appId/envs/:envId/from_deploy_id',
    {
      config: { permission: 'env.deploy' },
      schema: {
        tags: ['Environment'],
        operationId: 'rebaseEnvironment',
        params: EnvParams,
        body: Type.String({ minLength: 1, maxLength: 256, description: 'The deployment the next deployment builds on (any env of the app).' }),
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const { orgId, appId, envId } = request.params;
      await deployments.rebase(orgId, appId, envId, request.body);
      return reply.status(204).send(null);
    },
  );
};
