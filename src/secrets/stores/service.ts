/**
 * The org's secret stores (`/orgs/{orgId}/secretstores`, Humanitec's SecretStore shape) and the resolver the engine
 * and the values concern read secrets through.
 *
 * - `baton` is Baton's own sealed store (src/secrets/stores/sealed.ts): always there, not stored as a row, primary
 *   unless another store of the org is. It cannot be deleted or reconfigured; `PATCH {primary: true}` makes it the
 *   primary again.
 * - External stores: HashiCorp Vault / OpenBao KV v2 with token auth (`vault: {url, path, auth: {token}}`). The token
 *   is sealed (SecretBox, AAD bound to org and store) the moment it arrives and never returned; responses show
 *   `vault: {url, path}` only. AWS, Azure and GCP stores are refused as not supported.
 */
import { InvalidInput, NotFound, SecretStoreFailed } from '../../shared/errors.js';
import type { Store } from '../../store/index.js';
import { createCoreRepos, fromJsonText, nowIso, toJsonText } from '../../store/index.js';
import { createSecretStoresRepo } from '../../store/secret-stores-repo.js';
import type { SecretStoreRow } from '../../store/secret-stores-repo.js';
import type { SecretBox } from '../secret-box.js';
import { BATON_STORE_ID, createSealedStoreClient } from './sealed.js';
import type { SecretStoreClient, SecretStoreResolver } from './types.js';
import { checkVaultSettings, createVaultClient } from './vault.js';

/** Humanitec's secret store id rule. */
export const SECRET_STORE_ID_PATTERN = '^[a-z0-9](?:-?[a-z0-9]+)+$';
const ID_REGEX = new RegExp(SECRET_STORE_ID_PATTERN);
const UNSUPPORTED_KINDS = ['awssm', 'azurekv', 'gcpsm'] as const;

export interface VaultInput {
  url?: string;
  path?: string;
  agent_id?: string;
  auth?: { token?: string; role?: string };
}

export interface CreateSecretStoreInput {
  id: string;
  primary: boolean;
  vault?: VaultInput;
  awssm?: unknown;
  azurekv?: unknown;
  gcpsm?: unknown;
}

export interface UpdateSecretStoreInput {
  primary?: boolean | null;
  vault?: VaultInput;
  awssm?: unknown;
  azurekv?: unknown;
  gcpsm?: unknown;
}

/** What the API shows: never a credential. */
export interface SecretStoreView {
  id: string;
  primary: boolean;
  vault?: { url: string; path: string };
  baton?: Record<string, never>;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

interface VaultConfig {
  url: string;
  path: string;
}

const EPOCH = '1970-01-01T00:00:00.000Z';

export function storeAuthAad(orgId: string, storeId: string): string {
  return `orgs/${orgId}/secretstores/${storeId}/auth`;
}

function refuseUnsupported(input: { awssm?: unknown; azurekv?: unknown; gcpsm?: unknown }): void {
  for (const kind of UNSUPPORTED_KINDS) {
    if (input[kind] !== undefined) throw new InvalidInput(`${kind}: Baton supports HashiCorp Vault / OpenBao stores ("vault") only`, { field: kind });
  }
}

function checkVault(vault: VaultInput, creating: boolean): void {
  const issues = checkVaultSettings({ url: creating || vault.url !== undefined ? vault.url : 'http://unchanged', path: vault.path });
  if (vault.agent_id !== undefined && vault.agent_id !== '') issues.push('vault.agent_id: Baton has no agents; give a URL Baton can reach');
  if (vault.auth?.role !== undefined && vault.auth.role !== '') issues.push('vault.auth.role: only token auth is supported; give vault.auth.token');
  if (creating && (typeof vault.auth?.token !== 'string' || vault.auth.token === '')) issues.push('vault.auth.token: required');
  if (issues.length > 0) throw new InvalidInput(issues.join('; '), { issues, field: 'vault' });
}

export function createSecretStoresService(store: Store, box: SecretBox) {
  const repo = createSecretStoresRepo(store.db);
  const orgs = createCoreRepos(store).orgs;
  const requireOrg = async (orgId: string): Promise<void> => {
    if (!(await orgs.get(orgId))) throw new NotFound('organization', orgId);
  };

  const view = (row: SecretStoreRow): SecretStoreView => {
    const config = fromJsonText<VaultConfig>(row.config) ?? { url: '', path: 'secret' };
    return {
      id: row.id,
      primary: row.is_primary === 1,
      vault: { url: config.url, path: config.path },
      created_at: row.created_at,
      created_by: row.created_by,
      updated_at: row.updated_at,
      updated_by: row.updated_by,
    };
  };
  const batonView = (primary: boolean): SecretStoreView => ({ id: BATON_STORE_ID, primary, baton: {}, created_at: EPOCH, created_by: 'baton', updated_at: EPOCH, updated_by: 'baton' });

  async function primaryId(orgId: string): Promise<string> {
    return (await repo.list(orgId)).find((r) => r.is_primary === 1)?.id ?? BATON_STORE_ID;
  }

  async function client(orgId: string, storeId: string | undefined): Promise<SecretStoreClient> {
    const id = storeId ?? (await primaryId(orgId));
    if (id === BATON_STORE_ID) return createSealedStoreClient(store, box, orgId);
    const row = await repo.get(orgId, id);
    if (!row) throw new SecretStoreFailed(`secret store "${id}" does not exist in org "${orgId}"`, { store: id });
    const config = fromJsonText<VaultConfig>(row.config) ?? { url: '', path: 'secret' };
    const auth = row.auth_sealed === null ? {} : (box.open(row.auth_sealed, storeAuthAad(orgId, id)) as { token?: string });
    return createVaultClient({ id, url: config.url, path: config.path, token: auth.token ?? '' });
  }

  return {
    /** Baton's own store first, then the org's stores by id. */
    async list(orgId: string): Promise<SecretStoreView[]> {
      await requireOrg(orgId);
      const rows = await repo.list(orgId);
      return [batonView(!rows.some((r) => r.is_primary === 1)), ...rows.map(view)];
    },
    async get(orgId: string, storeId: string): Promise<SecretStoreView> {
      await requireOrg(orgId);
      if (storeId === BATON_STORE_ID) return batonView((await primaryId(orgId)) === BATON_STORE_ID);
      const row = await repo.get(orgId, storeId);
      if (!row) throw new NotFound('secret store', storeId);
      return view(row);
    },
    async create(orgId: string, input: CreateSecretStoreInput, actor: string): Promise<SecretStoreView> {
      await requireOrg(orgId);
      if (!ID_REGEX.test(input.id)) throw new InvalidInput(`id: must match ${SECRET_STORE_ID_PATTERN}`, { field: 'id' });
      if (input.id === BATON_STORE_ID || input.id === 'humanitec') throw new InvalidInput(`id: "${input.id}" is reserved for Baton's own store`, { field: 'id' });
      refuseUnsupported(input);
      if (input.vault === undefined) throw new InvalidInput('a secret store needs exactly one specification: "vault"', { field: 'vault' });
      checkVault(input.vault, true);
      const now = nowIso();
      const row: SecretStoreRow = {
        org_id: orgId,
        id: input.id,
        kind: 'vault',
        is_primary: input.primary ? 1 : 0,
        config: toJsonText({ url: input.vault.url!, path: input.vault.path ?? 'secret' }),
        auth_sealed: box.seal({ token: input.vault.auth!.token }, storeAuthAad(orgId, input.id)),
        created_at: now,
        created_by: actor,
        updated_at: now,
        updated_by: actor,
      };
      await store.transaction(async (trx) => {
        if (row.is_primary === 1) await repo.clearPrimary(orgId, trx);
        await repo.insert(row, trx);
      });
      return view(row);
    },
    async update(orgId: string, storeId: string, input: UpdateSecretStoreInput, actor: string): Promise<SecretStoreView> {
      await requireOrg(orgId);
      refuseUnsupported(input);
      if (storeId === BATON_STORE_ID) {
        if (input.vault !== undefined) throw new InvalidInput(`vault: Baton's own store "${BATON_STORE_ID}" has no settings to change`, { field: 'vault' });
        if (input.primary === false) throw new InvalidInput(`primary: make another store primary instead of unsetting Baton's own store`, { field: 'primary' });
        if (input.primary === true) await repo.clearPrimary(orgId);
        return batonView((await primaryId(orgId)) === BATON_STORE_ID);
      }
      return store.transaction(async (trx) => {
        const row = await repo.get(orgId, storeId, trx);
        if (!row) throw new NotFound('secret store', storeId);
        const changes: Partial<SecretStoreRow> = { updated_at: nowIso(), updated_by: actor };
        if (input.vault !== undefined) {
          checkVault(input.vault, false);
          const config = fromJsonText<VaultConfig>(row.config) ?? { url: '', path: 'secret' };
          changes.config = toJsonText({ url: input.vault.url ?? config.url, path: input.vault.path ?? config.path });
          if (input.vault.auth?.token) changes.auth_sealed = box.seal({ token: input.vault.auth.token }, storeAuthAad(orgId, storeId));
        }
        if (input.primary !== undefined && input.primary !== null) {
          if (input.primary) await repo.clearPrimary(orgId, trx);
          changes.is_primary = input.primary ? 1 : 0;
        }
        await repo.update(orgId, storeId, changes, trx);
        return view({ ...row, ...changes });
      });
    },
    async delete(orgId: string, storeId: string): Promise<void> {
      if (storeId === BATON_STORE_ID) throw new InvalidInput(`Baton's own store "${BATON_STORE_ID}" cannot be deleted`, { field: 'storeId' });
      if (!(await repo.delete(orgId, storeId))) throw new NotFound('secret store', storeId);
    },
    /** Writes one secret into a store (a Baton extension); returns the version the store assigned. */
    async writeSecret(orgId: string, storeId: string, ref: string, value: string): Promise<{ store: string; ref: string; version: string | null }> {
      await requireOrg(orgId);
      if (storeId !== BATON_STORE_ID && !(await repo.get(orgId, storeId))) throw new NotFound('secret store', storeId);
      const written = await (await client(orgId, storeId)).write(ref, value);
      return { store: storeId, ref, version: written.version ?? null };
    },
    /** The client of a store (the primary when `storeId` is undefined): what deployments read through. */
    resolver: client satisfies SecretStoreResolver,
  };
}

export type SecretStoresService = ReturnType<typeof createSecretStoresService>;
