/**
 * Authentication and authorization: one `onRequest` hook on every route. Routes marked
 * `config: { public: true }` (only `/healthz`, `/readyz` and `/openapi.json`) skip it.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CoreServices, UserRow } from '../org/index.js';
import { Unauthenticated } from '../shared/errors.js';

export type AuthenticatedUser = UserRow;

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller. Set by the auth hook on every non-public route (null only on public ones). */
    user: AuthenticatedUser;
  }
  interface FastifyContextConfig {
    /** Serve without authentication. */
    public?: boolean;
    /** The permission key the route needs (checked by the RBAC layer; e.g. `artefacts.create`). */
    permission?: string;
  }
}

/** What the caller wants to do: the HTTP method and the route pattern, e.g. `DELETE /orgs/:orgId/env-types/:envTypeId`. */
export interface Action {
  method: string;
  route: string;
}

/** The object acted on, from the route parameters (`orgId`, `appId`, `envId`, …). */
export type Resource = Readonly<Record<string, string | undefined>>;

/**
 * The authorization seam. Today any authenticated user may do everything. Roles (org roles, app roles,
 * env-type `deployer`) plug in here: look the user's roles up and throw `Forbidden` when they fall short.
 */
export function authorize(_user: AuthenticatedUser, _action: Action, _resource: Resource): Promise<void> {
  return Promise.resolve();
}

function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header === undefined || header === '') throw new Unauthenticated('missing "Authorization: Bearer <token>" header');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) throw new Unauthenticated('the Authorization header must be "Bearer <token>"');
  return match[1];
}

export function installAuth(app: FastifyInstance, services: CoreServices): void {
  app.decorateRequest('user', null as unknown as AuthenticatedUser);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public === true) return;
    const user = await services.tokens.authenticate(bearerToken(request));
    request.user = user;
    await authorize(
      user,
      { method: request.method, route: request.routeOptions.url ?? request.url },
      (request.params ?? {}) as Resource,
    );
  });
}
