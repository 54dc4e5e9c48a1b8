/**
 * Resource accounts (`/orgs/{orgId}/resources/accounts`, Humanitec's ResourceAccount shape): cloud credentials a
 * definition names as its `driver_account`, kept in one place instead of in every definition.
 *
 * - Credentials are checked against the account type (account-types.ts), sealed at once (SecretBox, AAD bound to the
 *   org and the account) and never returned: responses carry id, name, type, `is_used` and who/when only.
 * - `is_used`: a non-deleted definition or an active resource names the account. Deleting a used account is refused
 *   with Humanitec's answer (400, `details.referencing_resources` listing the definitions and active resources).
 * - `credentialsFor` is what the engine reads at provisioning time (src/engine/provision.ts): the opened credentials,
 *   handed to the driver as `account`.
 */
import { Conflict, InvalidInput, NotFound } from '../../shared/errors.js';
import type { Store } from '../../store/index.js';
import { createCoreRepos, nowIso } from '../../store/index.js';
import { createResourceAccountsRepo } from '../../store/accounts-registries-repo.js';
import type { ResourceAccountRow } from '../../store/accounts-registries-repo.js';
import type { SecretBox } from '../secret-box.js';
import { ACCOUNT_TYPES, checkAccountName, checkCredentials, checkNewAccount, identityOf } from './account-types.js';
import type { AccountInput, AccountType, CheckField } from './account-types.js';

/** What the API shows of an account: never its credentials. */
export interface ResourceAccountView {
  id: string;
  name: string;
  type: string;
  is_used: boolean;
  created_at: string;
  created_by: string;
}

export interface UpdateAccountInput {
  name?: string;
  credentials?: unknown;
}

export interface WriteOptions {
  /** Validate only: nothing is stored (`?dry_run=true`). */
  dryRun?: boolean;
  /** Also check the credentials as `…/actions/check` does (`?check_credential=true`). */
  checkCredential?: boolean;
}

export function accountCredentialsAad(orgId: string, accountId: string): string {
  return `orgs/${orgId}/resources/accounts/${accountId}/credentials`;
}

export function createResourceAccountsService(store: Store, box: SecretBox) {
  const repo = createResourceAccountsRepo(store.db);
  const orgs = createCoreRepos(store).orgs;
  const requireOrg = async (orgId: string): Promise<void> => {
    if (!(await orgs.get(orgId))) throw new NotFound('organization', orgId);
  };
  const view = (row: ResourceAccountRow, used: boolean): ResourceAccountView => ({
    id: row.id,
    name: row.name,
    type: row.type,
    is_used: used,
    created_at: row.created_at,
    created_by: row.created_by,
  });
  const open = (row: ResourceAccountRow): Record<string, string> => {
    const opened = box.open(row.credentials_sealed, accountCredentialsAad(row.org_id, row.id));
    return typeof opened === 'object' && opened !== null ? (opened as Record<string, string>) : {};
  };
  const requireAccount = async (orgId: string, accountId: string): Promise<ResourceAccountRow> => {
    await requireOrg(orgId);
    const row = await repo.get(orgId, accountId);
    if (!row) throw new NotFound('resource account', accountId);
    return row;
  };

  return {
    async listTypes(orgId: string): Promise<AccountType[]> {
      await requireOrg(orgId);
      return [...ACCOUNT_TYPES];
    },
    async list(orgId: string): Promise<ResourceAccountView[]> {
      await requireOrg(orgId);
      const [rows, used] = await Promise.all([repo.list(orgId), repo.usedIds(orgId)]);
      return rows.map((row) => view(row, used.has(row.id)));
    },
    async get(orgId: string, accountId: string): Promise<ResourceAccountView> {
      const row = await requireAccount(orgId, accountId);
      return view(row, (await repo.usedIds(orgId)).has(row.id));
    },
    /** Creates the account; `undefined` on a dry run (nothing stored). */
    async create(orgId: string, input: AccountInput, actor: string, options: WriteOptions = {}): Promise<ResourceAccountView | undefined> {
      await requireOrg(orgId);
      const checked = checkNewAccount(input);
      if (options.checkCredential === true) identityOf(checked.type, checked.credentials);
      if (options.dryRun === true) {
        if (await repo.get(orgId, checked.id)) throw new Conflict(`resource account "${checked.id}" already exists`, { kind: 'resource account', id: checked.id });
        return undefined;
      }
      const now = nowIso();
      const row: ResourceAccountRow = {
        org_id: orgId,
        id: checked.id,
        name: checked.name,
        type: checked.type,
        credentials_sealed: box.seal(checked.credentials, accountCredentialsAad(orgId, checked.id)),
        created_at: now,
        created_by: actor,
        updated_at: now,
        updated_by: actor,
      };
      await repo.insert(row);
      return view(row, false);
    },
    /** Renames the account or replaces its credentials (rotation); `undefined` on a dry run. */
    async update(orgId: string, accountId: string, input: UpdateAccountInput, actor: string, options: WriteOptions = {}): Promise<ResourceAccountView | undefined> {
      const row = await requireAccount(orgId, accountId);
      const changes: Partial<ResourceAccountRow> = { updated_at: nowIso(), updated_by: actor };
      if (input.name !== undefined) changes.name = checkAccountName(input.name);
      if (input.credentials !== undefined) {
        const credentials = checkCredentials(row.type, input.credentials);
        changes.credentials_sealed = box.seal(credentials, accountCredentialsAad(orgId, accountId));
      }
      if (options.dryRun === true) return undefined;
      await repo.update(orgId, accountId, changes);
      return view({ ...row, ...changes }, (await repo.usedIds(orgId)).has(accountId));
    },
    /** Refused while a non-deleted definition or an active resource names the account (Humanitec's rule). */
    async delete(orgId: string, accountId: string): Promise<void> {
      await requireAccount(orgId, accountId);
      await store.transaction(async (trx) => {
        const refs = await repo.references(orgId, accountId, trx);
        if (refs.definitions.length > 0 || refs.activeResources.length > 0) {
          throw new InvalidInput(
            `resource account "${accountId}" is in use by ${refs.definitions.length} resource definition(s) and ${refs.activeResources.length} active resource(s); remove those references first`,
            {
              referencing_resources: {
                resource_definitions: refs.definitions.map((id) => ({ id, org_id: orgId, driver_account: accountId })),
                active_resources: refs.activeResources.map((r) => ({ ...r, org_id: orgId, gu_res_id: r.guresid, driver_account: accountId })),
              },
            },
          );
        }
        await repo.delete(orgId, accountId, trx);
      });
    },
    /** `…/actions/check`: the identity the credentials claim; Baton checks their shape, not the cloud. */
    async check(orgId: string, accountId: string): Promise<{ identity_fields: CheckField[]; warnings: string[] }> {
      const row = await requireAccount(orgId, accountId);
      const credentials = checkCredentials(row.type, open(row));
      return identityOf(row.type, credentials);
    },
    /** The account's type and opened credentials, for the engine (never for a response). */
    async credentialsFor(orgId: string, accountId: string): Promise<{ id: string; type: string; credentials: Record<string, string> }> {
      const row = await repo.get(orgId, accountId);
      if (!row) throw new NotFound('resource account', accountId, `resource account "${accountId}" (the definition's driver_account) does not exist in org "${orgId}"`);
      return { id: row.id, type: row.type, credentials: open(row) };
    },
  };
}

export type ResourceAccountsService = ReturnType<typeof createResourceAccountsService>;
