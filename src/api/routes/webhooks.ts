/**
 * Webhooks (Humanitec tag Webhook, "jobs") and the event catalogue (tag Event). Behaviour in src/ci/webhooks.ts;
 * signing and delivery rules in docs/ci.md.
 */
import { Type } from 'typebox';
import { EVENT_TYPES } from '../../ci/index.js';
import { AppParams, COMMON_ERRORS, IdParam, IdSchema, NoContent, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';
import { PagingQuery, pageList } from './paging.js';

const Trigger = Type.Object({ scope: Type.String({ maxLength: 50 }), type: Type.String({ maxLength: 50 }) }, { additionalProperties: false, title: 'EventBaseRequest' });
const JsonMap = Type.Object({}, { additionalProperties: true });

const WebhookRequest = Type.Object(
  {
    id: Type.Optional(IdSchema('Webhook id, unique within the application.')),
    url: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2048 }), Type.Null()], { description: 'http(s) URL the events are POSTed to.' })),
    headers: Type.Optional(JsonMap),
    payload: Type.Optional(JsonMap),
    triggers: Type.Optional(Type.Union([Type.Array(Trigger, { maxItems: 20 }), Type.Null()])),
    disabled: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
  },
  { additionalProperties: false, title: 'WebhookRequest' },
);

const WebhookResponse = Type.Object(
  {
    id: Type.String(),
    url: Type.String(),
    headers: JsonMap,
    payload: JsonMap,
    triggers: Type.Array(Type.Object({ scope: Type.String(), type: Type.String() })),
    disabled: Type.Boolean(),
    created_at: Type.String(),
    created_by: Type.String(),
    signing_secret: Type.Optional(Type.String({ description: 'Baton: the HMAC-SHA256 key of the Baton-Signature header; only in the answer to the creation.' })),
  },
  { title: 'WebhookResponse' },
);

const DeliveryResponse = Type.Object(
  {
    id: Type.String(),
    event: Type.String(),
    state: Type.String({ description: 'pending, retrying, succeeded or failed' }),
    attempts: Type.Array(
      Type.Object({ n: Type.Integer(), at: Type.String(), status_code: Type.Optional(Type.Integer()), error: Type.Optional(Type.String()), duration_ms: Type.Integer() }),
    ),
    created_at: Type.String(),
    updated_at: Type.String(),
  },
  { title: 'BatonWebhookDelivery' },
);

const EventResponse = Type.Object({ scope: Type.String(), type: Type.String(), properties: Type.Array(Type.String()) }, { title: 'EventResponse' });
const JobParams = Type.Object({ ...AppParams.properties, jobId: IdParam('Webhook id') });

export const registerWebhookRoutes: RouteModule = (app, { ci: { webhooks }, core }) => {
  app.get(
    '/orgs/:orgId/events',
    { config: { permission: 'org.read' }, schema: { tags: ['Event'], operationId: 'listEvents', params: OrgParams, response: { 200: Type.Array(EventResponse), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request) => {
      await core.orgs.require(request.params.orgId);
      return EVENT_TYPES.map((e) => ({ ...e }));
    },
  );
  app.get(
    '/orgs/:orgId/apps/:appId/webhooks',
    { config: { permission: 'webhooks.read' }, schema: { tags: ['Webhook'], operationId: 'listWebhooks', params: AppParams, querystring: Type.Object(PagingQuery), response: { 200: Type.Array(WebhookResponse), ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => pageList(request, reply, request.query, await webhooks.list(request.params.orgId, request.params.appId), (w) => w.id),
  );
  app.post(
    '/orgs/:orgId/apps/:appId/webhooks',
    {
      config: { permission: 'webhooks.write' },
      schema: { tags: ['Webhook'], operationId: 'createWebhook', params: AppParams, body: WebhookRequest, response: { 201: WebhookResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) } },
    },
    async (request, reply) => reply.status(201).send(await webhooks.create(request.params.orgId, request.params.appId, request.body, request.user.id)),
  );
  app.get(
    '/orgs/:orgId/apps/:appId/webhooks/:jobId',
    { config: { permission: 'webhooks.read' }, schema: { tags: ['Webhook'], operationId: 'getWebhook', params: JobParams, response: { 200: WebhookResponse, ...errorResponses(...COMMON_ERRORS, 404) } } },
    (request) => webhooks.get(request.params.orgId, request.params.appId, request.params.jobId),
  );
  app.patch(
    '/orgs/:orgId/apps/:appId/webhooks/:jobId',
    {
      config: { permission: 'webhooks.write' },
      schema: { tags: ['Webhook'], operationId: 'updateWebhook', params: JobParams, body: WebhookRequest, response: { 200: WebhookResponse, ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    (request) => webhooks.update(request.params.orgId, request.params.appId, request.params.jobId, request.body),
  );
  app.delete(
    '/orgs/:orgId/apps/:appId/webhooks/:jobId',
    { config: { permission: 'webhooks.write' }, schema: { tags: ['Webhook'], operationId: 'deleteWebhook', params: JobParams, response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => {
      await webhooks.delete(request.params.orgId, request.params.appId, request.params.jobId);
      return reply.status(204).send(null);
    },
  );
  app.delete(
    '/orgs/:orgId/apps/:appId/jobs',
    { config: { permission: 'webhooks.write' }, schema: { tags: ['Webhook'], operationId: 'deleteJobs', params: AppParams, response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) } } },
    async (request, reply) => {
      await webhooks.deleteAll(request.params.orgId, request.params.appId);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/orgs/:orgId/apps/:appId/webhooks/:jobId/baton/deliveries',
    {
      config: { permission: 'webhooks.read' },
      schema: {
        tags: ['Webhook'],
        operationId: 'listWebhookDeliveries',
        description: 'Baton: the latest 100 deliveries of the webhook, newest first, each with its attempts.',
        params: JobParams,
        response: { 200: Type.Array(DeliveryResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    (request) => webhooks.deliveries(request.params.orgId, request.params.appId, request.params.jobId),
  );
};
