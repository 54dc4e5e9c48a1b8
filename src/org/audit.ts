/**
 * The audit log (`GET /orgs/{orgId}/audit-logs`, Humanitec's AuditLogEntry): one entry per successful mutating
 * API request — `POST`, `PUT`, `PATCH`, `DELETE` answered 2xx — with `at, org_id, user_id, request_method,
 * request_path, response_status`. Written from one place, the API's `onSend` hook (src/api/audit.ts), before the
 * answer leaves; read by org administrators. Never a body, never a query string: only the path, which in Baton's
 * routes holds ids, never secrets (tokens travel in headers and bodies).
 *
 * A request whose path names no org (`/users/{userId}/tokens…`, `/current-user`, `/baton/login`,
 * `/baton/invitations/accept`) is recorded in every org the acting user holds an org role in.
 *
 * Write-ahead: when the caller is known before the handler runs, the entry is written first (`begin`, with
 * `response_status` 0: "outcome not recorded yet") and completed with the answer's status afterwards (`finish`: set
 * on a 2xx, removed otherwise). A change therefore never happens without an entry: if the entry cannot be written the
 * request is refused before it changes anything, and a process that dies between the change and its answer leaves
 * the entry at status 0 rather than losing it. The two public routes, whose caller is only known once they ran
 * (login, invitation acceptance), are recorded after the fact (`record`).
 */
import { randomBytes } from 'node:crypto';
import { InvalidInput } from '../shared/errors.js';
import type { AuditLogKey, AuditLogRow } from '../store/audit-repo.js';
import { createAuditRepo } from '../store/audit-repo.js';
import type { Page } from '../shared/pagination.js';
import type { Store } from '../store/index.js';
import { nowIso } from '../store/index.js';
import type { AccessLookup } from './access.js';
import type { OrgRow } from './services.js';

export const AUDITED_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const MAX_AUDIT_PATH_LENGTH = 2048;
/** `response_status` of an entry written before its request ran: its outcome is not (yet) known. */
export const AUDIT_STATUS_PENDING = 0;

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

/** Entries written before their request ran, to be finished with the answer's status. */
export interface AuditTicket {
  method: string;
  keys: readonly AuditLogKey[];
}

export interface AuditServiceDeps {
  store: Store;
  orgs: { list(): Promise<OrgRow[]>; require(orgId: string): Promise<OrgRow> };
  access: AccessLookup;
}

export function createAuditService(deps: AuditServiceDeps) {
  const repo = createAuditRepo(deps.store.db);
  const orgsOf = async (request: Pick<AuditedRequest, 'userId' | 'orgId'>): Promise<string[]> => {
    if (request.orgId !== undefined) return [request.orgId];
    const orgIds: string[] = [];
    for (const org of await deps.orgs.list()) if ((await deps.access.orgRole(request.userId, org.id)) !== undefined) orgIds.push(org.id);
    return orgIds;
  };
  const write = async (request: AuditedRequest): Promise<AuditLogRow[]> => {
    const at = nowIso();
    const rows: AuditLogRow[] = (await orgsOf(request)).map((orgId) => ({
      org_id: orgId,
      id: randomBytes(10).toString('hex'),
      at,
      user_id: request.userId,
      request_method: request.method.toUpperCase(),
      request_path: auditPath(request.url),
      response_status: request.status,
    }));
    await repo.insert(rows);
    return rows;
  };
  return {
    /** Records one request after the fact (nothing when it is not audited). */
    async record(request: AuditedRequest): Promise<void> {
      if (!isAudited(request.method, request.status)) return;
      await write(request);
    },
    /**
     * Writes the entries of a mutating request before it runs (status pending); undefined for a method that is not
     * audited. Throws when they cannot be written: the caller must then refuse the request.
     */
    async begin(request: Omit<AuditedRequest, 'status'>): Promise<AuditTicket | undefined> {
      if (!AUDITED_METHODS.has(request.method.toUpperCase())) return undefined;
      const rows = await write({ ...request, status: AUDIT_STATUS_PENDING });
      return { method: request.method, keys: rows.map((r) => ({ org_id: r.org_id, id: r.id })) };
    },
    /** Completes `begin`'s entries with the answer: kept with its status when audited (2xx), removed otherwise. */
    async finish(ticket: AuditTicket, status: number): Promise<void> {
      if (isAudited(ticket.method, status)) await repo.setStatus(ticket.keys, status);
      else await repo.remove(ticket.keys);
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
