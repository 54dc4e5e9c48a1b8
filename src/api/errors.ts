/**
 * The one place where errors become HTTP responses. Domain errors (src/shared/errors.ts) map to a status and
 * Humanitec's error body `{ error, message, details }`; Fastify's own client errors (validation, malformed JSON,
 * wrong media type, body too large) keep their 4xx status; anything else is a 500 with a generic message,
 * the detail going only to the log. Responses never carry stack traces.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  BatonError,
  Conflict,
  DriverFailed,
  SecretStoreFailed,
  Forbidden,
  InvalidInput,
  NotFound,
  StoreUnavailable,
  Timeout,
  TooManyAttempts,
  Unauthenticated,
  NotImplemented,
} from '../shared/errors.js';

export const HumanitecErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'A short code identifying the kind of error.' }),
    message: Type.String({ description: 'A human-readable message.' }),
    details: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { title: 'HumanitecError' },
);

export interface HumanitecErrorBody {
  error: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface HttpError {
  statusCode: number;
  body: HumanitecErrorBody;
  /** Response headers the error implies (`Retry-After` on 429). */
  headers?: Record<string, string>;
}

/** Status per domain error class; the first match wins (subclasses before their parents). */
const STATUS_BY_ERROR: ReadonlyArray<[abstract new (...args: never[]) => BatonError, number]> = [
  [InvalidInput, 400],
  [Unauthenticated, 401],
  [Forbidden, 403],
  [NotFound, 404],
  [Conflict, 409],
  [TooManyAttempts, 429],
  [DriverFailed, 502],
  [SecretStoreFailed, 502],
  [Timeout, 504],
  [StoreUnavailable, 503],
  [NotImplemented, 501],
];

interface AjvIssue {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as { statusCode?: unknown }).statusCode === 'number';
}

/** Turns AJV's issues into one message that names each offending field, plus a machine-readable list. */
function describeValidation(context: string, issues: readonly AjvIssue[]): HttpError {
  const described = issues.map((issue) => {
    const extra = issue.params?.additionalProperty;
    const pointer = (issue.instancePath ?? '') + (typeof extra === 'string' ? `/${extra}` : '');
    const field = pointer.replace(/^\//, '').replace(/\//g, '.');
    const message =
      issue.keyword === 'additionalProperties' && typeof extra === 'string'
        ? `unknown property "${extra}"`
        : (issue.message ?? 'is invalid');
    return { field: field || context, location: context, message };
  });
  const message = described.map((d) => `${d.location}${d.field && d.field !== d.location ? '.' + d.field : ''}: ${d.message}`).join('; ');
  const first = described[0];
  return {
    statusCode: 400,
    body: { error: 'INVALID_INPUT', message, details: { ...(first ? { field: first.field } : {}), issues: described } },
  };
}

/** Maps any thrown value to a status and body; `isServerError` tells the caller to log the detail. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof BatonError) {
    const status = STATUS_BY_ERROR.find(([type]) => error instanceof type)?.[1] ?? 500;
    if (status === 500) return internalError();
    const headers = error instanceof TooManyAttempts ? { 'retry-after': String(error.retryAfterSeconds) } : undefined;
    return { statusCode: status, body: { error: error.code, message: error.message, details: error.details }, ...(headers ? { headers } : {}) };
  }
  if (isFastifyError(error)) {
    if (Array.isArray(error.validation)) {
      return describeValidation(error.validationContext ?? 'request', error.validation);
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      const code = error.statusCode === 400 ? 'INVALID_INPUT' : (error.code ?? 'BAD_REQUEST');
      return { statusCode: error.statusCode, body: { error: code, message: error.message, details: { code: error.code } } };
    }
  }
  return internalError();
}

function internalError(): HttpError {
  return { statusCode: 500, body: { error: 'INTERNAL', message: 'internal server error; see the server log' } };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { statusCode, body, headers } = toHttpError(error);
    if (statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.debug({ err: error }, 'request rejected');
    if (headers) void reply.headers(headers);
    return reply.status(statusCode).send(body);
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const { statusCode, body } = toHttpError(new NotFound('route', `${request.method} ${request.url.split('?')[0] ?? ''}`));
    return reply.status(statusCode).send(body);
  });
}
