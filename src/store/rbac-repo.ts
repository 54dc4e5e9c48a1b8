/**
 * Role assignments, invitations and credentials (migration 0010). Only SQL here; the rules (who may grant what,
 * the last administrator) are src/org/roles.ts's.
 */
import type { Kysely, Selectable } from 'kysely';
import { decodeIdPageToken, toKeyPage } from '../shared/pagination.js';
import type { Page, PageRequest } from '../shared/pagination.js';
import { executor, insertOrConflict, precompiled } from './repo-support.js';
import type { Database } from './schema.js';
import type { Executor } from './store.js';

export interface OrgMembersTable {
  org_id: string;
  user_id: string;
  role: string;
  created_at: string;
}
export interface AppMembersTable {
  org_id: string;
  app_id: string;
  user_id: string;
  role: string;
  created_at: string;
}
export interface EnvTypeMembersTable {
  org_id: string;
  env_type: string;
  user_id: string;
  role: string;
  created_at: string;
}
export interface InvitationsTable {
  id: string;
  org_id: string;
  email: string;
  role: string;
  user_id: string;
  /** SHA-256 hex of the one-time token; the token itself is never stored. */
  token_hash: string;
  created_at: string;
  created_by: string;
  expires_at: string;
  accepted_at: string | null;
}
export interface UserCredentialsTable {
  user_id: string;
  /** `scrypt$N$r$p$salt$hash` (src/org/passwords.ts). */
  password_hash: string;
  updated_at: string;
}
export interface UserPropertiesTable {
  user_id: string;
  properties: string;
}

declare module './schema.js' {
  interface Database {
    org_members: OrgMembersTable;
    app_members: AppMembersTable;
    env_type_members: EnvTypeMembersTable;
    invitations: InvitationsTable;
    user_credentials: UserCredentialsTable;
    user_properties: UserPropertiesTable;
  }
}

export type OrgMemberRow = Selectable<OrgMembersTable>;
export type AppMemberRow = Selectable<AppMembersTable>;
export type EnvTypeMemberRow = Selectable<EnvTypeMembersTable>;
export type InvitationRow = Selectable<InvitationsTable>;

/** A page of members keyed by `user_id`, with the token `GET …/users` has always issued (the last user id). */
function memberPage<T extends { user_id: string }>(rows: T[], limit: number): Page<T> {
  return toKeyPage(rows, limit, (row) => row.user_id);
}

export function createRbacRepo(db: Kysely<Database>) {
  // The role lookups of the permission check, run on nearly every request (precompiled: see repo-support.ts).
  const orgRoleOf = precompiled(db, 2, (orgId: string, userId: string) =>
    db.selectFrom('org_members').select('role').where('org_id', '=', orgId).where('user_id', '=', userId),
  );
  const appRoleOf = precompiled(db, 3, (orgId: string, appId: string, userId: string) =>
    db.selectFrom('app_members').select('role').where('org_id', '=', orgId).where('app_id', '=', appId).where('user_id', '=', userId),
  );
  const envTypeRoleOf = precompiled(db, 3, (orgId: string, envType: string, userId: string) =>
    db.selectFrom('env_type_members').select('role').where('org_id', '=', orgId).where('env_type', '=', envType).where('user_id', '=', userId),
  );
  return {
    /**
     * Serialises role changes of one org: a no-op update takes the org row's lock (PostgreSQL) or the write lock
     * (SQLite), so two concurrent demotions cannot each see the other administrator and leave none.
     */
    async lockOrg(orgId: string, trx: Executor): Promise<void> {
      await trx.updateTable('orgs').set((eb) => ({ name: eb.ref('name') })).where('id', '=', orgId).execute();
    },

    // ----- org members
    async orgRole(orgId: string, userId: string, trx?: Executor): Promise<string | undefined> {
      return (await orgRoleOf([orgId, userId], trx))[0]?.role;
    },
    async orgMembershipsOf(userId: string, trx?: Executor): Promise<OrgMemberRow[]> {
      return executor(db, trx).selectFrom('org_members').selectAll().where('user_id', '=', userId).orderBy('org_id').execute();
    },
    async orgMembers(orgId: string, trx?: Executor): Promise<OrgMemberRow[]> {
      return executor(db, trx).selectFrom('org_members').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('user_id').execute();
    },
    /**
     * One page of an org's members by user id (the paged order of `GET /orgs/{o}/users`; the whole list is by
     * joining time): keyset on the primary key `(org_id, user_id)`, `limit + 1` rows read.
     */
    async orgMembersPage(orgId: string, page: PageRequest, trx?: Executor): Promise<Page<OrgMemberRow>> {
      let query = executor(db, trx).selectFrom('org_members').selectAll().where('org_id', '=', orgId);
      if (page.token !== undefined) query = query.where('user_id', '>', decodeIdPageToken(page.token));
      return memberPage(await query.orderBy('user_id').limit(page.limit + 1).execute(), page.limit);
    },
    async countOrgRole(orgId: string, role: string, trx?: Executor): Promise<number> {
      const row = await executor(db, trx)
        .selectFrom('org_members')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('org_id', '=', orgId)
        .where('role', '=', role)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async insertOrgMember(row: OrgMemberRow, trx?: Executor): Promise<void> {
      await insertOrConflict(`user "${row.user_id}" already has a role in organization "${row.org_id}"`, { kind: 'user', id: row.user_id }, () =>
        executor(db, trx).insertInto('org_members').values(row).execute(),
      );
    },
    async updateOrgRole(orgId: string, userId: string, role: string, trx?: Executor): Promise<void> {
      await executor(db, trx).updateTable('org_members').set({ role }).where('org_id', '=', orgId).where('user_id', '=', userId).execute();
    },
    /** Removes the user's org role and every app and env-type role they hold in that org. */
    async removeFromOrg(orgId: string, userId: string, trx?: Executor): Promise<void> {
      const ex = executor(db, trx);
      await ex.deleteFrom('app_members').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
      await ex.deleteFrom('env_type_members').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
      await ex.deleteFrom('org_members').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
    },

    // ----- app members
    async appRole(orgId: string, appId: string, userId: string, trx?: Executor): Promise<string | undefined> {
      return (await appRoleOf([orgId, appId, userId], trx))[0]?.role;
    },
    async appMembers(orgId: string, appId: string, trx?: Executor): Promise<AppMemberRow[]> {
      return executor(db, trx)
        .selectFrom('app_members')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .orderBy('created_at')
        .orderBy('user_id')
        .execute();
    },
    /** As `orgMembersPage`, for an app's members (primary key `(org_id, app_id, user_id)`). */
    async appMembersPage(orgId: string, appId: string, page: PageRequest, trx?: Executor): Promise<Page<AppMemberRow>> {
      let query = executor(db, trx).selectFrom('app_members').selectAll().where('org_id', '=', orgId).where('app_id', '=', appId);
      if (page.token !== undefined) query = query.where('user_id', '>', decodeIdPageToken(page.token));
      return memberPage(await query.orderBy('user_id').limit(page.limit + 1).execute(), page.limit);
    },
    async appMembershipsOf(userId: string, orgId?: string, trx?: Executor): Promise<AppMemberRow[]> {
      let query = executor(db, trx).selectFrom('app_members').selectAll().where('user_id', '=', userId);
      if (orgId !== undefined) query = query.where('org_id', '=', orgId);
      return query.orderBy('org_id').orderBy('app_id').execute();
    },
    async upsertAppMember(row: AppMemberRow, trx?: Executor): Promise<void> {
      const ex = executor(db, trx);
      const updated = await ex
        .updateTable('app_members')
        .set({ role: row.role })
        .where('org_id', '=', row.org_id)
        .where('app_id', '=', row.app_id)
        .where('user_id', '=', row.user_id)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) await ex.insertInto('app_members').values(row).execute();
    },
    async deleteAppMember(orgId: string, appId: string, userId: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .deleteFrom('app_members')
        .where('org_id', '=', orgId)
        .where('app_id', '=', appId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    // ----- env-type members
    async envTypeRole(orgId: string, envType: string, userId: string, trx?: Executor): Promise<string | undefined> {
      return (await envTypeRoleOf([orgId, envType, userId], trx))[0]?.role;
    },
    async envTypeMembers(orgId: string, envType: string, trx?: Executor): Promise<EnvTypeMemberRow[]> {
      return executor(db, trx)
        .selectFrom('env_type_members')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('env_type', '=', envType)
        .orderBy('created_at')
        .orderBy('user_id')
        .execute();
    },
    /** As `orgMembersPage`, for an environment type's members (primary key `(org_id, env_type, user_id)`). */
    async envTypeMembersPage(orgId: string, envType: string, page: PageRequest, trx?: Executor): Promise<Page<EnvTypeMemberRow>> {
      let query = executor(db, trx).selectFrom('env_type_members').selectAll().where('org_id', '=', orgId).where('env_type', '=', envType);
      if (page.token !== undefined) query = query.where('user_id', '>', decodeIdPageToken(page.token));
      return memberPage(await query.orderBy('user_id').limit(page.limit + 1).execute(), page.limit);
    },
    async envTypeMembershipsOf(userId: string, orgId?: string, trx?: Executor): Promise<EnvTypeMemberRow[]> {
      let query = executor(db, trx).selectFrom('env_type_members').selectAll().where('user_id', '=', userId);
      if (orgId !== undefined) query = query.where('org_id', '=', orgId);
      return query.orderBy('org_id').orderBy('env_type').execute();
    },
    async upsertEnvTypeMember(row: EnvTypeMemberRow, trx?: Executor): Promise<void> {
      const ex = executor(db, trx);
      const updated = await ex
        .updateTable('env_type_members')
        .set({ role: row.role })
        .where('org_id', '=', row.org_id)
        .where('env_type', '=', row.env_type)
        .where('user_id', '=', row.user_id)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) await ex.insertInto('env_type_members').values(row).execute();
    },
    async deleteEnvTypeMember(orgId: string, envType: string, userId: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .deleteFrom('env_type_members')
        .where('org_id', '=', orgId)
        .where('env_type', '=', envType)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    // ----- invitations
    async insertInvitation(row: InvitationRow, trx?: Executor): Promise<void> {
      await executor(db, trx).insertInto('invitations').values(row).execute();
    },
    async invitationByHash(tokenHash: string, trx?: Executor): Promise<InvitationRow | undefined> {
      return executor(db, trx).selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    async invitations(orgId: string, trx?: Executor): Promise<InvitationRow[]> {
      return executor(db, trx).selectFrom('invitations').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute();
    },
    /** Marks the invitation accepted unless it already was; false when another acceptance won. */
    async markInvitationAccepted(id: string, at: string, trx?: Executor): Promise<boolean> {
      const result = await executor(db, trx)
        .updateTable('invitations')
        .set({ accepted_at: at })
        .where('id', '=', id)
        .where('accepted_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    // ----- credentials and profile properties
    async setPasswordHash(userId: string, passwordHash: string, at: string, trx?: Executor): Promise<void> {
      const ex = executor(db, trx);
      const updated = await ex.updateTable('user_credentials').set({ password_hash: passwordHash, updated_at: at }).where('user_id', '=', userId).executeTakeFirst();
      if (updated.numUpdatedRows === 0n) await ex.insertInto('user_credentials').values({ user_id: userId, password_hash: passwordHash, updated_at: at }).execute();
    },
    /** The human user with this email and a password, with the password hash. */
    async credentialsByEmail(email: string, trx?: Executor): Promise<{ user_id: string; password_hash: string } | undefined> {
      return executor(db, trx)
        .selectFrom('user_credentials')
        .innerJoin('users', 'users.id', 'user_credentials.user_id')
        .select(['user_credentials.user_id', 'user_credentials.password_hash'])
        .where('users.email', '=', email)
        .orderBy('users.created_at')
        .executeTakeFirst();
    },
    async properties(userId: string, trx?: Executor): Promise<string | undefined> {
      const row = await executor(db, trx).selectFrom('user_properties').select('properties').where('user_id', '=', userId).executeTakeFirst();
      return row?.properties;
    },
    async setProperties(userId: string, properties: string, trx?: Executor): Promise<void> {
      const ex = executor(db, trx);
      const updated = await ex.updateTable('user_properties').set({ properties }).where('user_id', '=', userId).executeTakeFirst();
      if (updated.numUpdatedRows === 0n) await ex.insertInto('user_properties').values({ user_id: userId, properties }).execute();
    },
  };
}
export type RbacRepo = ReturnType<typeof createRbacRepo>;
