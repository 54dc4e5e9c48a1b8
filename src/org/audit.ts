/**
 * The audit log (`GET /orgs/{orgId}/audit-logs`, Humanitec's AuditLogEntry): one entry per successful mutating
 * API request — `POST`, `PUT`, `PATCH`, `DELETE` answered 2xx — with `at, org_id, user_id, request_method,
 * request_path, response_status`. Written from one place, the API's `onSend` hook (src/api/audit.ts), before the
 * answer leaves; read by org administrators. Never a body, never a query string: only the path, which in Baton's
 * routes holds ids, never secrets (tokens travel in headers and bodies).
 *
 * A request whose path names no org (`/users/{userId}/tokens…`, `/current-user`, `/baton/login`,
 * `/baton/invitations/accept`) is recorded in every org the acting user holds an org role in.
 */
import { randomBytes } from 'node:crypto';
import { InvalidInput } from '../shared/errors.js';
import type { AuditLogRow } from '../store/audit-repo.js';
import { createAuditRepo } from '../store/audit-repo.js';
import type { Page } from '../shared/pagination.js';
import type { Store } from '../store/index.js';
import { nowIso } from '../store/index.js';
import type { AccessLookup } from './access.js';
import type { OrgRow } from './services.js';

export const AUDITED_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const MAX_AUDIT_PATH_LENGTH = 2048;

export interface AuditLogEntry {
  at: string;
  org_id: string;
  user_id: string;
  request_method: string;
  request_path: string;
  response_status: number;
}

export interface AuditedRequest {
  method: string;
  /** The request URL as received; the query string is dropped. */
  url: string;
  status: number;
  userId: string;
  /** The org the path names, if any. */
  orgId?: string | undefined;
}

/** Is this request one the audit log records? */
export function isAudited(method: string, status: number): boolean {
  return AUDITED_METHODS.has(method.toUpperCase()) && status >= 200 && status < 300;
}

/** The path as recorded: the query string (which may carry anything) dropped, bounded in length. */
export function auditPath(url: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  return path.length > MAX_AUDIT_PATH_LENGTH ? `${path.slice(0, MAX_AUDIT_PATH_LENGTH - 3)}...` : path;
}

function instant(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}T/.test(value)) throw new InvalidInput(`${field}: not a date-time (e.g. 2026-01-01T00:00:00Z)`, { field });
  return new Date(ms).toISOString();
}

export interface AuditServiceDeps {
  store: Store;
  orgs: { list(): Promise<OrgRow[]>; require(orgId: string): Promise<OrgRow> };
  access: AccessLookup;
}

export function createAuditService(deps: AuditServiceDeps) {
  const repo = createAuditRepo(deps.store.db);
  return {
    /** Records one request (nothing when it is not audited). */
    async record(request: AuditedRequest): Promise<void> {
      if (!isAudited(request.method, request.status)) return;
      let orgIds: string[];
      if (request.orgId !== undefined) orgIds = [request.orgId];
      else {
        orgIds = [];
        for (const org of await deps.orgs.list()) if ((await deps.access.orgRole(request.userId, org.id)) !== undefined) orgIds.push(org.id);
      }
      const at = nowIso();
      const rows: AuditLogRow[] = orgIds.map((orgId) => ({
        org_id: orgId,
        id: randomBytes(10).toString('hex'),
        at,
        user_id: request.userId,
        request_method: request.method.toUpperCase(),
        request_path: auditPath(request.url),
        response_status: request.status,
      }));
      await repo.insert(rows);
    },
    /** `GET /orgs/{orgId}/audit-logs`: newest first, `from`/`to` inclusive, keyset-paged. */
    async list(orgId: string, query: { from?: string | undefined; to?: string | undefined; limit: number; token?: string | undefined }): Promise<Page<AuditLogEntry>> {
      await deps.orgs.require(orgId);
      const from = instant('from', query.from);
      const to = instant('to', query.to);
      if (from !== undefined && to !== undefined && from > to) throw new InvalidInput('from: must not be after to', { field: 'from' });
      const page = await repo.list(orgId, { from, to }, { limit: query.limit, token: query.token });
      return {
        items: page.items.map((r) => ({ at: r.at, org_id: r.org_id, user_id: r.user_id, request_method: r.request_method, request_path: r.request_path, response_status: r.response_status })),
        ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
      };
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
