/**
 * Container registries (`/orgs/{orgId}/registries`, Humanitec's Registry shape): which registry an org's images come
 * from and how to authenticate to it.
 *
 * - `creds` (username, password or token, expiry) are sealed at once (SecretBox, AAD bound to the org and the
 *   registry) and never part of a record response.
 * - `GET …/{regId}/creds` is the one place credentials leave Baton, as Humanitec's contract defines it. Baton answers
 *   it only for registries with `enable_ci: true` (Humanitec's "expose registry credentials to CI agents") and only
 *   to callers holding `registries.creds` (org administrators and artefact contributors, see docs/rbac.md); any other
 *   registry answers 403.
 */
import { Forbidden, InvalidInput, NotFound } from '../../shared/errors.js';
import type { Store } from '../../store/index.js';
import { createCoreRepos, fromJsonText, nowIso, toJsonText } from '../../store/index.js';
import { createRegistriesRepo } from '../../store/accounts-registries-repo.js';
import type { RegistryRow } from '../../store/accounts-registries-repo.js';
import type { SecretBox } from '../secret-box.js';
import { checkRegistry } from './registry-input.js';
import type { ClusterSecret, RegistryCreds, RegistryInput } from './registry-input.js';

/** A registry as the API shows it: never its credentials. */
export interface RegistryView {
  id: string;
  registry: string;
  type: string;
  enable_ci: boolean;
  secrets?: Record<string, ClusterSecret>;
  created_at: string;
  created_by: string;
}

/** `GET …/creds`: the credentials, for CI (see the module comment for who may read them). */
export interface RegistryCredsView {
  registry: string;
  username?: string;
  password?: string;
  expires?: string | null;
  secrets?: Record<string, ClusterSecret>;
}

export function registryCredsAad(orgId: string, registryId: string): string {
  return `orgs/${orgId}/registries/${registryId}/creds`;
}

const NEEDS_CREDS = new Set(['basic', 'google_gcr', 'amazon_ecr']);

export function createRegistriesService(store: Store, box: SecretBox) {
  const repo = createRegistriesRepo(store.db);
  const orgs = createCoreRepos(store).orgs;
  const requireOrg = async (orgId: string): Promise<void> => {
    if (!(await orgs.get(orgId))) throw new NotFound('organization', orgId);
  };
  const requireRegistry = async (orgId: string, registryId: string): Promise<RegistryRow> => {
    await requireOrg(orgId);
    const row = await repo.get(orgId, registryId);
    if (!row) throw new NotFound('registry', registryId);
    return row;
  };
  const view = (row: RegistryRow): RegistryView => {
    const secrets = fromJsonText<Record<string, ClusterSecret>>(row.secrets);
    return {
      id: row.id,
      registry: row.registry,
      type: row.type,
      enable_ci: row.enable_ci === 1,
      ...(secrets ? { secrets } : {}),
      created_at: row.created_at,
      created_by: row.created_by,
    };
  };
  const openCreds = (row: RegistryRow): RegistryCreds | undefined => (row.creds_sealed === null ? undefined : (box.open(row.creds_sealed, registryCredsAad(row.org_id, row.id)) as RegistryCreds));

  return {
    async list(orgId: string): Promise<RegistryView[]> {
      await requireOrg(orgId);
      return (await repo.list(orgId)).map(view);
    },
    async get(orgId: string, registryId: string): Promise<RegistryView> {
      return view(await requireRegistry(orgId, registryId));
    },
    async create(orgId: string, input: RegistryInput, actor: string): Promise<RegistryView> {
      await requireOrg(orgId);
      const checked = checkRegistry(input);
      const now = nowIso();
      const row: RegistryRow = {
        org_id: orgId,
        id: checked.id,
        registry: checked.registry,
        type: checked.type,
        enable_ci: checked.enable_ci ? 1 : 0,
        secrets: checked.secrets ? toJsonText(checked.secrets) : null,
        creds_sealed: checked.creds ? box.seal(checked.creds, registryCredsAad(orgId, checked.id)) : null,
        created_at: now,
        created_by: actor,
        updated_at: now,
        updated_by: actor,
      };
      await repo.insert(row);
      return view(row);
    },
    /**
     * Updates the record: fields given replace the stored ones; credentials not given are kept while the type still
     * takes them. The id cannot change.
     */
    async update(orgId: string, registryId: string, input: Partial<RegistryInput>, actor: string): Promise<RegistryView> {
      const row = await requireRegistry(orgId, registryId);
      if (input.id !== undefined && input.id !== registryId) throw new InvalidInput(`id: a registry's id cannot change ("${registryId}")`, { field: 'id' });
      const type = input.type ?? row.type;
      const storedCreds = NEEDS_CREDS.has(type) ? openCreds(row) : undefined;
      const storedSecrets = fromJsonText<Record<string, ClusterSecret>>(row.secrets) ?? undefined;
      const checked = checkRegistry({
        id: registryId,
        registry: input.registry ?? row.registry,
        type,
        enable_ci: input.enable_ci ?? row.enable_ci === 1,
        ...(input.creds !== undefined ? { creds: input.creds } : storedCreds ? { creds: storedCreds } : {}),
        ...(input.secrets !== undefined ? { secrets: input.secrets } : storedSecrets ? { secrets: storedSecrets } : {}),
      });
      const changes: Partial<RegistryRow> = {
        registry: checked.registry,
        type: checked.type,
        enable_ci: checked.enable_ci ? 1 : 0,
        secrets: checked.secrets ? toJsonText(checked.secrets) : null,
        creds_sealed: checked.creds ? box.seal(checked.creds, registryCredsAad(orgId, registryId)) : null,
        updated_at: nowIso(),
        updated_by: actor,
      };
      await repo.update(orgId, registryId, changes);
      return view({ ...row, ...changes });
    },
    async delete(orgId: string, registryId: string): Promise<void> {
      await requireOrg(orgId);
      if (!(await repo.delete(orgId, registryId))) throw new NotFound('registry', registryId);
    },
    /**
     * Every registry of the org with its credentials opened, for the deployment engine's image pull secrets
     * (src/profiles/pull-secrets.ts). Never served by the API.
     */
    async forDeployments(orgId: string): Promise<{ id: string; registry: string; type: string; creds?: { username: string; password: string } }[]> {
      return (await repo.list(orgId)).map((row) => {
        const creds = NEEDS_CREDS.has(row.type) ? openCreds(row) : undefined;
        return { id: row.id, registry: row.registry, type: row.type, ...(creds ? { creds: { username: creds.username, password: creds.password } } : {}) };
      });
    },
    /** The registry's credentials in clear: only for `enable_ci: true` registries (403 otherwise). */
    async creds(orgId: string, registryId: string): Promise<RegistryCredsView> {
      const row = await requireRegistry(orgId, registryId);
      if (row.enable_ci !== 1) throw new Forbidden(`registry "${registryId}" does not expose its credentials (enable_ci is false)`, { field: 'enable_ci' });
      const creds = openCreds(row);
      const secrets = fromJsonText<Record<string, ClusterSecret>>(row.secrets);
      return {
        registry: row.registry,
        ...(creds ? { username: creds.username, password: creds.password, expires: creds.expires ?? null } : {}),
        ...(secrets ? { secrets } : {}),
      };
    },
  };
}

export type RegistriesService = ReturnType<typeof createRegistriesService>;
