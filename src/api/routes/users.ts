/**
 * Users and roles (docs/rbac.md): the caller's profile (`/current-user`), the org's users and their org roles
 * (service users are created here, humans by invitation), app roles (`/orgs/:orgId/apps/:appId/users`), env-type
 * roles (`/orgs/:orgId/env-types/:envTypeId/users`), what a user may do (`…/perms`), and the public Baton routes
 * to accept an invitation and to log in with a password.
 */
import { Type } from 'typebox';
import type { AppMemberRow, EnvTypeMemberRow, OrgMemberRow } from '../../store/index.js';
import type { UserRow } from '../../org/index.js';
import { NotFound } from '../../shared/errors.js';
import { limitedAuthAttempt } from '../auth-rate-limit.js';
import type { AuthenticatedUser } from '../auth.js';
import { ORG_ROLES_SEEING_ALL_APPS, permissionKeysOfScope, permitted } from '../permissions.js';
import type { PermissionKey, PermissionTarget } from '../permissions.js';
import { AppParams, COMMON_ERRORS, IdParam, OrgParams, errorResponses } from '../schemas.js';
import type { RouteModule, ServerDeps } from './types.js';
import { PagingQuery, pageFromStore } from './paging.js';

export const UserProfileResponse = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    email: Type.Optional(Type.String()),
    type: Type.String({ description: 'user, service or system' }),
    created_at: Type.String({ format: 'date-time' }),
  },
  { title: 'UserProfileResponse' },
);
export const UserProfileExtendedResponse = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    email: Type.Optional(Type.String()),
    type: Type.String({ description: 'user, service or system' }),
    created_at: Type.String({ format: 'date-time' }),
    properties: Type.Object({}, { additionalProperties: true }),
    roles: Type.Object({}, { additionalProperties: Type.String(), description: 'Role per object path: /orgs/o, /orgs/o/apps/a, /orgs/o/env-types/t' }),
  },
  { title: 'UserProfileExtendedResponse' },
);
const UserProfileExtendedRequest = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    properties: Type.Optional(Type.Object({}, { additionalProperties: true, maxProperties: 100 })),
  },
  { additionalProperties: true, title: 'UserProfileExtendedRequest', description: 'Only `name` and `properties` can be changed; other fields are ignored.' },
);
export const UserRoleResponse = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    email: Type.Optional(Type.String()),
    type: Type.String(),
    role: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    invite: Type.Optional(Type.String()),
  },
  { title: 'UserRoleResponse' },
);
const InvitedUserRoleResponse = Type.Object(
  {
    ...UserRoleResponse.properties,
    invite_token: Type.String({ description: 'Baton: the one-time token to accept the invitation (POST /baton/invitations/accept); shown only here.' }),
    expires_at: Type.String({ format: 'date-time' }),
  },
  { title: 'UserRoleResponse' },
);
const Role = Type.String({ minLength: 1, maxLength: 64 });
const Email = Type.String({ minLength: 3, maxLength: 254 });
const NewServiceUserRequest = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 256 }), email: Type.Optional(Email), role: Role },
  { additionalProperties: false, title: 'NewServiceUserRequest' },
);
const RoleRequest = Type.Object({ role: Role }, { additionalProperties: false, title: 'RoleRequest' });
const UserRoleRequest = Type.Object({ id: IdParam('User id'), role: Role }, { additionalProperties: false, title: 'UserRoleRequest' });
const UserInviteRequest = Type.Object({ email: Email, role: Role }, { additionalProperties: false, title: 'UserInviteRequestRequest' });
const UserInviteResponse = Type.Object(
  {
    user_id: Type.String(),
    email: Type.String(),
    role: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    created_by: Type.String(),
    expires_at: Type.String({ format: 'date-time' }),
    status: Type.String({ description: 'Baton: pending, accepted or expired' }),
  },
  { title: 'UserInviteResponse' },
);
const SubjectPermissions = Type.Object(
  { objects: Type.Record(Type.String(), Type.Object({ permissions: Type.Array(Type.String()) })) },
  { title: 'SubjectPermissions' },
);
const AcceptInvitationRequest = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 256 }), name: Type.String({ minLength: 1, maxLength: 256 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
const LoginRequest = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    description: Type.Optional(Type.String({ maxLength: 256 })),
    expires_in_hours: Type.Optional(Type.Number({ minimum: 0, maximum: 720, description: 'More than 0; default 12.' })),
  },
  { additionalProperties: false },
);
const LoginResponse = Type.Object({ token: Type.String(), user_id: Type.String(), expires_at: Type.String({ format: 'date-time' }) });

const OrgUserParams = Type.Object({ orgId: IdParam('Organization id'), userId: IdParam('User id') });
const AppUserParams = Type.Object({ orgId: IdParam('Organization id'), appId: IdParam('Application id'), userId: IdParam('User id') });
const EnvTypeParams = Type.Object({ orgId: IdParam('Organization id'), envTypeId: IdParam('Environment type id') });
const EnvTypeUserParams = Type.Object({ orgId: IdParam('Organization id'), envTypeId: IdParam('Environment type id'), userId: IdParam('User id') });

const profile = (user: UserRow) => ({
  id: user.id,
  name: user.name,
  ...(user.email !== null ? { email: user.email } : {}),
  type: user.type,
  created_at: user.created_at,
});

export const registerUserRoutes: RouteModule = (app, deps) => {
  const { core, authFailures } = deps;
  // Password login and invitation acceptance guess secrets as a bearer token does: the same per-address limit.
  const limitedAttempt = <T>(ip: string, attempt: () => Promise<T>): Promise<T> => limitedAuthAttempt(authFailures, ip, attempt);
  const actor = async (user: AuthenticatedUser, orgId: string) => ({ userId: user.id, orgRole: await user.access.orgRole(user.id, orgId) });
  async function userRole(row: OrgMemberRow | AppMemberRow | EnvTypeMemberRow) {
    const user = await core.users.get(row.user_id);
    return { ...profile(user), role: row.role, created_at: user.created_at, ...(user.type === 'user' ? { invite: 'accepted' } : {}) };
  }
  async function extended(user: UserRow) {
    return { ...profile(user), properties: await core.accounts.properties(user.id), roles: await core.roles.rolesOf(user.id) };
  }

  // ----- the caller
  app.get(
    '/current-user',
    {
      config: { permission: 'current-user.read' },
      schema: { tags: ['UserProfile'], operationId: 'getCurrentUser', response: { 200: UserProfileExtendedResponse, ...errorResponses(...COMMON_ERRORS) } },
    },
    async (request) => extended(await core.users.get(request.user.id)),
  );
  app.patch(
    '/current-user',
    {
      config: { permission: 'current-user.update' },
      schema: {
        tags: ['UserProfile'],
        operationId: 'updateCurrentUser',
        body: UserProfileExtendedRequest,
        response: { 200: UserProfileExtendedResponse, ...errorResponses(...COMMON_ERRORS) },
      },
    },
    async (request) => {
      await core.accounts.updateProfile(request.user.id, { name: request.body.name, properties: request.body.properties as Record<string, unknown> | undefined });
      return extended(await core.users.get(request.user.id));
    },
  );

  // ----- org users
  app.get(
    '/orgs/:orgId/users',
    {
      config: { permission: 'org-users.list' },
      schema: { tags: ['UserRole'], operationId: 'listUserRolesInOrg', params: OrgParams, querystring: Type.Object(PagingQuery), response: { 200: Type.Array(UserRoleResponse), ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    async (request, reply) => {
      const { orgId } = request.params;
      const rows = await pageFromStore(request, reply, request.query, () => core.roles.org.list(orgId), (page) => core.roles.org.page(orgId, page));
      return Promise.all(rows.map(userRole));
    },
  );
  app.post(
    '/orgs/:orgId/users',
    {
      config: { permission: 'org-users.create' },
      schema: {
        tags: ['UserProfile'],
        operationId: 'createServiceUserInOrg',
        description: 'Creates a service user (for pipelines) with an org role. API tokens for it: POST /users/{userId}/tokens.',
        params: OrgParams,
        body: NewServiceUserRequest,
        response: { 200: UserProfileResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => profile(await core.accounts.createServiceUser(await actor(request.user, request.params.orgId), request.params.orgId, request.body)),
  );
  app.get(
    '/orgs/:orgId/users/:userId',
    {
      config: { permission: 'org-users.read' },
      schema: { tags: ['UserRole'], operationId: 'getUserRoleInOrg', params: OrgUserParams, response: { 200: UserRoleResponse, ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    async (request) => userRole(await core.roles.org.get(request.params.orgId, request.params.userId)),
  );
  app.patch(
    '/orgs/:orgId/users/:userId',
    {
      config: { permission: 'org-users.update' },
      schema: {
        tags: ['UserRole'],
        operationId: 'updateUserRoleInOrg',
        params: OrgUserParams,
        body: RoleRequest,
        response: { 200: UserRoleResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request) => {
      const { orgId, userId } = request.params;
      return userRole(await core.roles.org.update(await actor(request.user, orgId), orgId, userId, request.body.role));
    },
  );
  app.delete(
    '/orgs/:orgId/users/:userId',
    {
      config: { permission: 'org-users.delete' },
      schema: {
        tags: ['UserRole'],
        operationId: 'deleteUserRoleInOrg',
        description: 'Removes the user from the org (with their app and env-type roles there). A service user left in no org is deleted with its tokens.',
        params: OrgUserParams,
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404, 409) },
      },
    },
    async (request, reply) => {
      const { orgId, userId } = request.params;
      await core.roles.org.remove(await actor(request.user, orgId), orgId, userId);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/orgs/:orgId/users/:userId/perms',
    {
      config: { permission: 'org-users.perms' },
      schema: {
        tags: ['UserRole'],
        operationId: 'getSubjectPermsInOrg',
        description: 'What the user may do, per object: the org, each app they can see, each of its environments.',
        params: OrgUserParams,
        response: { 200: SubjectPermissions, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => permsOf(deps, request.params.orgId, request.params.userId),
  );

  // ----- invitations
  app.get(
    '/orgs/:orgId/invitations',
    {
      config: { permission: 'invitations.list' },
      schema: { tags: ['UserInvite'], operationId: 'listInvitesInOrg', params: OrgParams, response: { 200: Type.Array(UserInviteResponse), ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    async (request) => {
      const now = new Date().toISOString();
      return (await core.accounts.listInvitations(request.params.orgId)).map((i) => ({
        user_id: i.user_id,
        email: i.email,
        role: i.role,
        created_at: i.created_at,
        created_by: i.created_by,
        expires_at: i.expires_at,
        status: i.accepted_at !== null ? 'accepted' : i.expires_at <= now ? 'expired' : 'pending',
      }));
    },
  );
  app.post(
    '/orgs/:orgId/invitations',
    {
      config: { permission: 'invitations.create' },
      schema: {
        tags: ['UserRole'],
        operationId: 'createInviteInOrg',
        description: 'Invites a human user. The answer carries the one-time `invite_token` (valid 24 h, stored only hashed): the invitee accepts with POST /baton/invitations/accept.',
        params: OrgParams,
        body: UserInviteRequest,
        response: { 200: Type.Array(InvitedUserRoleResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { invitation, token } = await core.accounts.invite(await actor(request.user, request.params.orgId), request.params.orgId, request.body);
      return [
        {
          id: invitation.user_id,
          name: invitation.email,
          email: invitation.email,
          type: 'user',
          role: invitation.role,
          created_at: invitation.created_at,
          invite: 'pending',
          invite_token: token,
          expires_at: invitation.expires_at,
        },
      ];
    },
  );
  app.post(
    '/baton/invitations/accept',
    {
      config: { public: true },
      schema: {
        tags: ['baton'],
        summary: 'Accept an invitation: creates the human user with a password (at least 12 characters).',
        security: [],
        body: AcceptInvitationRequest,
        response: { 200: UserProfileResponse, ...errorResponses(400, 401, 409) },
      },
    },
    async (request) => {
      const user = await limitedAttempt(request.ip, () => core.accounts.acceptInvitation(request.body));
      request.auditUserId = user.id;
      return profile(user);
    },
  );
  app.post(
    '/baton/login',
    {
      config: { public: true },
      schema: {
        tags: ['baton'],
        summary: 'Log a human user in with email and password: answers an API token (default 12 h, at most 720 h).',
        security: [],
        body: LoginRequest,
        response: { 200: LoginResponse, ...errorResponses(400, 401) },
      },
    },
    async (request) => {
      const session = await limitedAttempt(request.ip, () => core.accounts.login(request.body));
      request.auditUserId = session.user_id;
      return session;
    },
  );

  // ----- app roles
  app.get(
    '/orgs/:orgId/apps/:appId/users',
    {
      config: { permission: 'app-users.read' },
      schema: { tags: ['UserRole'], operationId: 'listUserRolesInApp', params: AppParams, querystring: Type.Object(PagingQuery), response: { 200: Type.Array(UserRoleResponse), ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    async (request, reply) => {
      await core.apps.get(request.params.orgId, request.params.appId);
      const { orgId, appId } = request.params;
      const rows = await pageFromStore(request, reply, request.query, () => core.roles.app.list(orgId, appId), (page) => core.roles.app.page(orgId, appId, page));
      return Promise.all(rows.map(userRole));
    },
  );
  app.post(
    '/orgs/:orgId/apps/:appId/users',
    {
      config: { permission: 'app-users.write' },
      schema: {
        tags: ['UserRole'],
        operationId: 'createUserRoleInApp',
        params: AppParams,
        body: UserRoleRequest,
        response: { 200: UserRoleResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => userRole(await core.roles.app.set(request.params.orgId, request.params.appId, request.body.id, request.body.role, false)),
  );
  app.get(
    '/orgs/:orgId/apps/:appId/users/:userId',
    {
      config: { permission: 'app-users.read' },
      schema: { tags: ['UserRole'], operationId: 'getUserRoleInApp', params: AppUserParams, response: { 200: UserRoleResponse, ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    async (request) => userRole(await core.roles.app.get(request.params.orgId, request.params.appId, request.params.userId)),
  );
  app.patch(
    '/orgs/:orgId/apps/:appId/users/:userId',
    {
      config: { permission: 'app-users.write' },
      schema: {
        tags: ['UserRole'],
        operationId: 'updateUserRoleInApp',
        params: AppUserParams,
        body: RoleRequest,
        response: { 200: UserRoleResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, appId, userId } = request.params;
      return userRole(await core.roles.app.set(orgId, appId, userId, request.body.role, true));
    },
  );
  app.delete(
    '/orgs/:orgId/apps/:appId/users/:userId',
    {
      config: { permission: 'app-users.write' },
      schema: { tags: ['UserRole'], operationId: 'deleteUserRoleInApp', params: AppUserParams, response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404) } },
    },
    async (request, reply) => {
      await core.roles.app.remove(request.params.orgId, request.params.appId, request.params.userId);
      return reply.status(204).send(null);
    },
  );

  // ----- env-type roles (deployer)
  app.get(
    '/orgs/:orgId/env-types/:envTypeId/users',
    {
      config: { permission: 'env-type-users.read' },
      schema: {
        tags: ['UserRole'],
        operationId: 'listUserRolesInEnvType',
        params: EnvTypeParams,
        querystring: Type.Object(PagingQuery),
        response: { 200: Type.Array(UserRoleResponse), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      const { orgId, envTypeId } = request.params;
      const rows = await pageFromStore(request, reply, request.query, () => core.roles.envType.list(orgId, envTypeId), (page) => core.roles.envType.page(orgId, envTypeId, page));
      return Promise.all(rows.map(userRole));
    },
  );
  app.post(
    '/orgs/:orgId/env-types/:envTypeId/users',
    {
      config: { permission: 'env-type-users.write' },
      schema: {
        tags: ['UserRole'],
        operationId: 'createUserRoleInEnvType',
        params: EnvTypeParams,
        body: UserRoleRequest,
        response: { 200: UserRoleResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => userRole(await core.roles.envType.set(request.params.orgId, request.params.envTypeId, request.body.id, request.body.role, false)),
  );
  app.get(
    '/orgs/:orgId/env-types/:envTypeId/users/:userId',
    {
      config: { permission: 'env-type-users.read' },
      schema: {
        tags: ['UserRole'],
        operationId: 'getUserRoleInEnvType',
        params: EnvTypeUserParams,
        response: { 200: UserRoleResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => userRole(await core.roles.envType.get(request.params.orgId, request.params.envTypeId, request.params.userId)),
  );
  app.patch(
    '/orgs/:orgId/env-types/:envTypeId/users/:userId',
    {
      config: { permission: 'env-type-users.write' },
      schema: {
        tags: ['UserRole'],
        operationId: 'updateUserRoleInEnvType',
        params: EnvTypeUserParams,
        body: RoleRequest,
        response: { 200: UserRoleResponse, ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request) => {
      const { orgId, envTypeId, userId } = request.params;
      return userRole(await core.roles.envType.set(orgId, envTypeId, userId, request.body.role, true));
    },
  );
  app.delete(
    '/orgs/:orgId/env-types/:envTypeId/users/:userId',
    {
      config: { permission: 'env-type-users.write' },
      schema: {
        tags: ['UserRole'],
        operationId: 'deleteUserRoleInEnvType',
        params: EnvTypeUserParams,
        response: { 204: Type.Null(), ...errorResponses(...COMMON_ERRORS, 404) },
      },
    },
    async (request, reply) => {
      await core.roles.envType.remove(request.params.orgId, request.params.envTypeId, request.params.userId);
      return reply.status(204).send(null);
    },
  );
};

/** `/perms`: the permission keys the user holds on the org, on each app they can see and on each of its envs. */
async function permsOf({ core }: ServerDeps, orgId: string, userId: string) {
  const orgRole = await core.access.orgRole(userId, orgId);
  if (orgRole === undefined) throw new NotFound('user', userId, undefined, { org_id: orgId });
  const subject = { id: userId, access: core.access };
  const objects: Record<string, { permissions: string[] }> = {};
  const held = async (keys: PermissionKey[], target: PermissionTarget) => {
    const out: string[] = [];
    for (const key of keys) if (await permitted(subject, key, target)) out.push(key);
    return out;
  };
  objects[`/orgs/${orgId}`] = { permissions: await held(permissionKeysOfScope('org'), { orgId }) };
  const visible = (await core.apps.list(orgId, { memberId: ORG_ROLES_SEEING_ALL_APPS.includes(orgRole) ? undefined : userId })).items;
  for (const { app, envs } of visible) {
    objects[`/orgs/${orgId}/apps/${app.id}`] = { permissions: await held(permissionKeysOfScope('app'), { orgId, appId: app.id }) };
    for (const env of envs) {
      objects[`/orgs/${orgId}/apps/${app.id}/envs/${env.id}`] = { permissions: await held(permissionKeysOfScope('env'), { orgId, appId: app.id, envId: env.id }) };
    }
  }
  return { objects };
}
