/**
 * Accounts: service users, invitations of human users (one-time token, 24 h, stored hashed), password login
 * (scrypt, src/org/passwords.ts), and the caller's own profile. Roles are src/org/roles.ts's.
 */
import { randomUUID } from 'node:crypto';
import { Conflict, InvalidInput, NotFound, Unauthenticated } from '../shared/errors.js';
import { fromJsonText, nowIso, toJsonText } from '../store/index.js';
import type { CoreRepos, InvitationRow, Store } from '../store/index.js';
import type { UserRow } from '../store/users-repo.js';
import { checkPassword, decoyHash, hashPassword, verifyPassword } from './passwords.js';
import { assertMayGrant, checkOrgRole } from './roles.js';
import type { RoleActor, RolesService } from './roles.js';
import { generateToken } from './tokens.js';
import type { TokenHasher, TokenService } from './tokens.js';

export const INVITATION_TTL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_LOGIN_HOURS = 12;
export const MAX_LOGIN_HOURS = 24 * 30;
const MAX_EMAIL_LENGTH = 254;

function checkEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+$/.test(trimmed)) {
    throw new InvalidInput('email: must be an email address', { field: 'email' });
  }
  return trimmed.toLowerCase();
}

export interface CreatedInvitation {
  invitation: InvitationRow;
  /** The one-time token, shown only in this answer. */
  token: string;
}

/** `tokens` issues login tokens the same way as every API token (keyed hashes); `hasher` hashes invitation tokens. */
export function createAccounts(store: Store, repos: CoreRepos, roles: RolesService, deps: { tokens: TokenService; hasher: TokenHasher }) {
  async function requireOrg(orgId: string): Promise<void> {
    if (!(await repos.orgs.get(orgId))) throw new NotFound('organization', orgId);
  }

  return {
    /** A service user (for pipelines) with an org role; a manager cannot create an administrator. */
    async createServiceUser(actor: RoleActor, orgId: string, input: { name: string; email?: string | undefined; role: string }): Promise<UserRow> {
      const role = checkOrgRole(input.role);
      assertMayGrant(actor, role);
      await requireOrg(orgId);
      return store.transaction(async (trx) => {
        const user = await repos.users.insert(
          { id: randomUUID(), name: input.name, email: input.email !== undefined ? checkEmail(input.email) : null, type: 'service', created_at: nowIso() },
          trx,
        );
        await roles.org.add(orgId, user.id, role, trx);
        return user;
      });
    },

    async invite(actor: RoleActor, orgId: string, input: { email: string; role: string }): Promise<CreatedInvitation> {
      const role = checkOrgRole(input.role);
      assertMayGrant(actor, role);
      await requireOrg(orgId);
      const token = generateToken();
      const at = new Date();
      const invitation: InvitationRow = {
        id: randomUUID(),
        org_id: orgId,
        email: checkEmail(input.email),
        role,
        user_id: randomUUID(),
        token_hash: deps.hasher.hash(token),
        created_at: nowIso(at),
        created_by: actor.userId,
        expires_at: nowIso(new Date(at.getTime() + INVITATION_TTL_MS)),
        accepted_at: null,
      };
      await repos.rbac.insertInvitation(invitation);
      return { invitation, token };
    },

    listInvitations: (orgId: string) => repos.rbac.invitations(orgId),

    /** Creates the invited human user with a password; the token works once, for 24 h. */
    async acceptInvitation(input: { token: string; name: string; password: string }): Promise<UserRow> {
      checkPassword(input.password);
      const invalid = () => new Unauthenticated('the invitation is not valid (unknown, used or expired)');
      const invitation = await repos.rbac.invitationByHash(deps.hasher.hash(input.token));
      if (!invitation || invitation.accepted_at !== null || invitation.expires_at <= nowIso()) throw invalid();
      if (await repos.rbac.credentialsByEmail(invitation.email)) {
        throw new Conflict(`a user with email "${invitation.email}" already exists`, { field: 'email' });
      }
      const passwordHash = await hashPassword(input.password);
      return store.transaction(async (trx) => {
        const at = nowIso();
        if (!(await repos.rbac.markInvitationAccepted(invitation.id, at, trx))) throw invalid();
        const user = await repos.users.insert({ id: invitation.user_id, name: input.name, email: invitation.email, type: 'user', created_at: at }, trx);
        await repos.rbac.setPasswordHash(user.id, passwordHash, at, trx);
        await roles.org.add(invitation.org_id, user.id, invitation.role, trx);
        return user;
      });
    },

    /** A session token for a human user; the same `Unauthenticated` whether the email is unknown or the password wrong. */
    async login(input: { email: string; password: string; description?: string | undefined; expires_in_hours?: number | undefined }) {
      const hours = input.expires_in_hours ?? DEFAULT_LOGIN_HOURS;
      if (!Number.isFinite(hours) || hours <= 0 || hours > MAX_LOGIN_HOURS) {
        throw new InvalidInput(`expires_in_hours: must be more than 0 and at most ${MAX_LOGIN_HOURS}`, { field: 'expires_in_hours' });
      }
      const credentials = input.email.length <= MAX_EMAIL_LENGTH ? await repos.rbac.credentialsByEmail(input.email.trim().toLowerCase()) : undefined;
      const ok = await verifyPassword(input.password, credentials?.password_hash ?? (await decoyHash()));
      if (!credentials || !ok) throw new Unauthenticated('invalid email or password');
      const expiresAt = nowIso(new Date(Date.now() + hours * 3600 * 1000));
      const { token } = await deps.tokens.issue(credentials.user_id, { id: `login-${randomUUID()}`, description: input.description ?? 'baton login', expiresAt });
      return { token, user_id: credentials.user_id, expires_at: expiresAt };
    },

    async properties(userId: string): Promise<Record<string, unknown>> {
      return fromJsonText<Record<string, unknown>>((await repos.rbac.properties(userId)) ?? null) ?? {};
    },
    async updateProfile(userId: string, input: { name?: string | undefined; properties?: Record<string, unknown> | undefined }): Promise<void> {
      await store.transaction(async (trx) => {
        if (input.name !== undefined) await repos.users.updateName(userId, input.name, trx);
        if (input.properties !== undefined) await repos.rbac.setProperties(userId, toJsonText(input.properties), trx);
      });
    },
  };
}
export type AccountsService = ReturnType<typeof createAccounts>;
