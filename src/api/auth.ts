/**
 * Authentication and authorization: one `onRequest` hook authenticates every route (routes marked
 * `config: { public: true }` skip it), one `preValidation` hook authorizes it against the permission the route
 * declares (`config: { permission: '<key>' }`, a key of the matrix in src/api/permissions.ts). A route that
 * declares neither is refused (deny by default; a test walks the route table so none ships that way).
 * Authorization runs after the body is parsed (creating an environment checks `deployer` on the body's `type`)
 * and before it is validated, so a caller without rights learns nothing from validation errors.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEFAULT_FIRST_ENV } from '../org/index.js';
import type { AccessLookup, CoreServices, UserRow } from '../org/index.js';
import { Forbidden, Unauthenticated } from '../shared/errors.js';
import { limitedAuthAttempt } from './auth-rate-limit.js';
import type { AuthFailureLimiter } from './auth-rate-limit.js';
import { assertPermitted } from './permissions.js';
import type { PermissionTarget } from './permissions.js';

/** The caller: their user row, and their roles' lookup (for checks inside handlers, e.g. `assertMayDeploy`). */
export type AuthenticatedUser = UserRow & { access: AccessLookup };

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller. Set by the auth hook on every non-public route (null only on public ones). */
    user: AuthenticatedUser;
  }
  interface FastifyContextConfig {
    /** Serve without authentication. */
    public?: boolean;
    /** The permission (a key of PERMISSIONS in src/api/permissions.ts) the route needs. */
    permission?: string;
  }
}

/** What the request acts on: the route parameters, and for environment creation the body's env type. */
function targetOf(request: FastifyRequest): PermissionTarget {
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  const body = request.body as { type?: unknown } | null | undefined;
  return {
    orgId: params.orgId,
    appId: params.appId,
    envId: params.envId,
    userId: params.userId,
    newEnvType: typeof body?.type === 'string' ? body.type : DEFAULT_FIRST_ENV.type,
  };
}

/**
 * The authorization seam: throws `Forbidden` (naming the missing role) or `NotFound` (objects the caller may not
 * see) unless the permission matrix grants `permission` to `user` on `target`.
 */
export async function authorize(user: AuthenticatedUser, permission: string | undefined, target: PermissionTarget): Promise<void> {
  if (permission === undefined) throw new Forbidden('forbidden: this route declares no permission');
  await assertPermitted(user, permission, target);
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header === undefined || header === '') throw new Unauthenticated('missing "Authorization: Bearer <token>" header');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new Unauthenticated('the Authorization header must be "Bearer <token>"');
  return match[1];
}

/**
 * The role lookups as one request sees them: the caller's org role is read from the database once per request
 * however often it is asked (the permission check, then e.g. the app listing's "sees every app?"). Nothing is kept
 * across requests, so a role change applies from the next request on, on every replica.
 */
function perRequestAccess(access: AccessLookup): AccessLookup {
  const orgRoles = new Map<string, ReturnType<AccessLookup['orgRole']>>();
  return {
    ...access,
    orgRole(userId, orgId) {
      const key = `${orgId}\n${userId}`;
      let role = orgRoles.get(key);
      if (role === undefined) {
        role = access.orgRole(userId, orgId);
        orgRoles.set(key, role);
      }
      return role;
    },
  };
}

export function installAuth(app: FastifyInstance, services: CoreServices, failures: AuthFailureLimiter): void {
  app.decorateRequest('user', null as unknown as AuthenticatedUser);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public === true) return;
    failures.assertAllowed(request.ip);
    // Checked first so a limited address gets 429 even with a malformed header; a missing or malformed header is
    // refused before the attempt (nothing was guessed, nothing is counted).
    const token = bearerToken(request);
    const user: UserRow = await limitedAuthAttempt(failures, request.ip, () => services.tokens.authenticate(token));
    request.user = { ...user, access: perRequestAccess(services.access) };
  });
  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.config.public === true || request.is404) return;
    await authorize(request.user, request.routeOptions.config.permission, targetOf(request));
  });
}
