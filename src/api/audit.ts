/**
 * The audit log's one writer: an `onSend` hook that records every successful mutating request (`POST`, `PUT`,
 * `PATCH`, `DELETE` answered 2xx) through the audit service (src/org/audit.ts) before the answer leaves, so a
 * client that saw a 2xx finds its entry. Only method, path (no query string), status, caller and org are kept.
 *
 * A failure to write the entry does not fail the request (the change it made is already committed, and answering
 * an error would invite a retry that repeats it): it is logged as an error and counted in
 * `baton_audit_write_failures_total`, so an operator can alert on lost entries.
 */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics/index.js';
import type { AuditService } from '../org/index.js';
import { isAudited } from '../org/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who a public route acted for (`/baton/login`, `/baton/invitations/accept`), for the audit log. */
    auditUserId: string | undefined;
  }
}

export function installAuditLog(app: FastifyInstance, audit: AuditService, metrics?: Metrics): void {
  app.decorateRequest('auditUserId', undefined);
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.is404 || !isAudited(request.method, reply.statusCode)) return payload;
    const userId = (request.user as { id?: string } | null)?.id ?? request.auditUserId;
    if (userId === undefined) {
      request.log.error({ method: request.method, route: request.routeOptions.url }, 'audit log: a successful mutating request without a known caller is not recorded');
      metrics?.auditWriteFailed();
      return payload;
    }
    const params = (request.params ?? {}) as Record<string, unknown>;
    try {
      await audit.record({ method: request.method, url: request.url, status: reply.statusCode, userId, orgId: typeof params.orgId === 'string' ? params.orgId : undefined });
    } catch (error) {
      request.log.error({ err: error, method: request.method, route: request.routeOptions.url }, 'audit log: entry not written');
      metrics?.auditWriteFailed();
    }
    return payload;
  });
}
