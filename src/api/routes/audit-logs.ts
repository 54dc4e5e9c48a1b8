/**
 * The audit log (Humanitec tag AuditLogs): `GET /orgs/{orgId}/audit-logs?from&to&per_page&page`, newest first,
 * paged with a `Link: <…>; rel="next"` header. Administrators only. Entries are written by src/api/audit.ts.
 */
import { Type } from 'typebox';
import { COMMON_ERRORS, OrgParams, errorResponses } from '../schemas.js';
import { DEFAULT_PER_PAGE, PagingQuery, setNextLink } from './paging.js';
import type { RouteModule } from './types.js';

const AuditLogEntry = Type.Object(
  {
    at: Type.String({ description: 'When the request was answered.' }),
    org_id: Type.String(),
    user_id: Type.String({ description: 'The user who made the request.' }),
    request_method: Type.String({ description: 'POST, PUT, PATCH or DELETE.' }),
    request_path: Type.String({ description: 'The URL path (never the query string).' }),
    response_status: Type.Integer({ description: 'The status of the answer (2xx); 0 while the request runs, or when Baton stopped before answering it.' }),
  },
  { title: 'AuditLogEntry' },
);

const DateTime = (description: string) => Type.String({ minLength: 10, maxLength: 40, description });

export const registerAuditLogRoutes: RouteModule = (app, { audit }) => {
  app.get(
    '/orgs/:orgId/audit-logs',
    {
      config: { permission: 'audit-logs.read' },
      schema: {
        tags: ['AuditLogs'],
        operationId: 'listAuditLogEntries',
        description: 'Every successful create, modify or delete request (POST, PUT, PATCH, DELETE answered 2xx) of the org, newest first. Administrators only.',
        params: OrgParams,
        querystring: Type.Object({
          ...PagingQuery,
          from: Type.Optional(DateTime('Only entries at or after this time (e.g. 2026-01-01T00:00:00Z).')),
          to: Type.Optional(DateTime('Only entries at or before this time.')),
        }),
        response: { 200: Type.Array(AuditLogEntry), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const page = await audit.list(request.params.orgId, { from: request.query.from, to: request.query.to, limit: request.query.per_page ?? DEFAULT_PER_PAGE, token: request.query.page });
      setNextLink(request, reply, page.nextToken, request.query.per_page);
      return page.items;
    },
  );
};
