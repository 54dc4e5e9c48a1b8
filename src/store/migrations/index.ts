import { coreMigration } from './0001_core.js';
import { setsMigration } from './0002_sets.js';
import { resourcesMigration } from './0003_resources.js';
import { engineMigration } from './0004_engine.js';
import { valuesMigration } from './0005_values.js';
import { workloadProfilesMigration } from './0006_workload_profiles.js';
import { plansMigration } from './0007_plans.js';
import { lifecycleMigration } from './0008_lifecycle.js';
import { secretStoresMigration } from './0009_secret_stores.js';
import { rbacMigration } from './0010_rbac.js';
import { tokensMigration } from './0011_tokens.js';
import { ciMigration } from './0012_ci.js';
import { auditMigration } from './0013_audit.js';
import { accountsRegistriesMigration } from './0014_accounts_registries.js';
import { defVersionsMigration } from './0015_def_versions.js';
import { listIndexesMigration } from './0017_list_indexes.js';
import { moreListIndexesMigration } from './0018_more_list_indexes.js';
import { keysetListIndexesMigration } from './0019_keyset_list_indexes.js';
import type { BatonMigration } from './types.js';

export type { BatonMigration } from './types.js';

/**
 * Every migration, in the order they apply. Extension point: add `NNNN_<concern>.ts` exporting a
 * `BatonMigration` and append it here (one line). Never edit or reorder a migration that has shipped.
 */
export const migrations: readonly BatonMigration[] = [
  coreMigration,
  setsMigration,
  resourcesMigration,
  engineMigration,
  valuesMigration,
  workloadProfilesMigration,
  plansMigration,
  lifecycleMigration,
  secretStoresMigration,
  rbacMigration,
  tokensMigration,
  ciMigration,
  auditMigration,
  accountsRegistriesMigration,
  defVersionsMigration,
  listIndexesMigration,
  moreListIndexesMigration,
  keysetListIndexesMigration,
];
