/**
 * The audit log's one writer (src/org/audit.ts keeps the entries). Every mutating request (`POST`, `PUT`, `PATCH`,
 * `DELETE`) of a known caller gets its entry written in a `preHandler` hook, after authentication and validation and
 * before the handler changes anything; the `onSend` hook then completes it with the answer's status (a 2xx) or
 * removes it (anything else), before the answer leaves, so a client that saw a 2xx finds its entry.
 *
 * Why write-ahead: a change must not happen unrecorded. If the entry cannot be written, the request is refused with
 * 503 before the handler runs (nothing changed, the caller may retry). If the process dies between the change and
 * the answer, the entry stays with `response_status` 0 ("outcome not recorded"), instead of being lost. A failure
 * to complete an entry does not fail the request (its change is already committed, and an error answer would invite
 * a retry that repeats it): it is logged and counted in `baton_audit_write_failures_total`, as is a refused request.
 *
 * Public routes whose caller is only known once they ran (`/baton/login`, `/baton/invitations/accept` set
 * `auditUserId`) are recorded after the fact in `onSend`.
 */
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics/index.js';
import type { AuditService } from '../org/index.js';
import { AUDITED_METHODS, isAudited } from '../org/index.js';
import { StoreUnavailable } from '../shared/errors.js';

type AuditTicket = NonNullable<Awaited<ReturnType<AuditService['begin']>>>;

declare module 'fastify' {
  interface FastifyRequest {
    /** Who a public route acted for (`/baton/login`, `/baton/invitations/accept`), for the audit log. */
    auditUserId: string | undefined;
    /** The entries written before the handler ran, completed when the answer is sent. */
    auditTicket: AuditTicket | undefined;
  }
}

export function installAuditLog(app: FastifyInstance, audit: AuditService, metrics?: Metrics): void {
  app.decorateRequest('auditUserId', undefined);
  app.decorateRequest('auditTicket', undefined);
  const orgIdOf = (params: unknown): string | undefined => {
    const orgId = (params as Record<string, unknown> | null | undefined)?.orgId;
    return typeof orgId === 'string' ? orgId : undefined;
  };

  app.addHook('preHandler', async (request) => {
    if (request.is404 || !AUDITED_METHODS.has(request.method)) return;
    const userId = (request.user as { id?: string } | null)?.id;
    if (userId === undefined) return; // a public route: recorded after the fact, once it named its caller
    try {
      request.auditTicket = await audit.begin({ method: request.method, url: request.url, userId, orgId: orgIdOf(request.params) });
    } catch (error) {
      request.log.error({ err: error, method: request.method, route: request.routeOptions.url }, 'audit log: entry not written, request refused before it changed anything');
      metrics?.auditWriteFailed();
      throw new StoreUnavailable('the audit log entry of this request could not be written, so the request was refused before it changed anything; retry when the database is back');
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const ticket = request.auditTicket;
    if (ticket !== undefined) {
      request.auditTicket = undefined; // onSend runs once per answer; never finish an entry twice
      try {
        await audit.finish(ticket, reply.statusCode);
      } catch (error) {
        request.log.error({ err: error, method: request.method, route: request.routeOptions.url }, 'audit log: entry not completed (it stays with status 0)');
        metrics?.auditWriteFailed();
      }
      return payload;
    }
    if (request.is404 || !isAudited(request.method, reply.statusCode)) return payload;
    const userId = (request.user as { id?: string } | null)?.id ?? request.auditUserId;
    if (userId === undefined) {
      request.log.error({ method: request.method, route: request.routeOptions.url }, 'audit log: a successful mutating request without a known caller is not recorded');
      metrics?.auditWriteFailed();
      return payload;
    }
    try {
      await audit.record({ method: request.method, url: request.url, status: reply.statusCode, userId, orgId: orgIdOf(request.params) });
    } catch (error) {
      request.log.error({ err: error, method: request.method, route: request.routeOptions.url }, 'audit log: entry not written');
      metrics?.auditWriteFailed();
    }
    return payload;
  });
}
