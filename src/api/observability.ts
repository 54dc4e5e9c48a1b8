/**
 * Request ids and request metrics.
 *
 * Request ids: Fastify logs every line of a request with `reqId`. A caller (or a proxy) may send `x-request-id`: it
 * is used when it is 1–128 characters of `A–Z a–z 0–9 . _ : -` (anything else could forge log lines or blow up log
 * storage), otherwise a new UUID is made. The id is sent back as `x-request-id` on every answer.
 *
 * Metrics: every answer is observed into `baton_http_request_duration_seconds` with the route *pattern*
 * (`/orgs/:orgId/apps`), never the raw URL, so the label set stays bounded; unmatched URLs share `route="unmatched"`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics/index.js';

export const REQUEST_ID_HEADER = 'x-request-id';
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's request id when it is safe to log, else a fresh UUID. */
export function requestIdFor(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && SAFE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** Fastify options: ids come from `requestIdFor`, never straight from a header. */
export function installRequestIds(): { requestIdHeader: false; genReqId: (req: IncomingMessage) => string } {
  return { requestIdHeader: false, genReqId: (req) => requestIdFor(req.headers[REQUEST_ID_HEADER]) };
}

/** Answers carry the request id, and (when metrics are on) every answer is timed. */
export function installRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

export function installRequestIdHeader(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
