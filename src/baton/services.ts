/**
 * The services of one Baton process, built once by `createBaton` (create-baton.ts) and handed to the API's route
 * modules. Nothing else constructs services: no module-level registries, no per-route construction.
 */
import type { ArtefactsService, RulesService, WebhooksService } from '../ci/index.js';
import type { DeploymentsService } from '../deployments/service.js';
import type { AuditService, CoreServices } from '../org/index.js';
import type { WorkloadProfilesService } from '../profiles/service/index.js';
import type { ResourceServices } from '../resources/service/index.js';
import type { SetsService } from '../sets/service.js';
import type { SecretStoresService } from '../secrets/stores/index.js';
import type { ResourceAccountsService } from '../secrets/accounts/index.js';
import type { RegistriesService } from '../secrets/registries/index.js';
import type { PublicKeysService } from '../org/public-keys.js';
import type { ValuesService } from '../values/index.js';

/** What `/readyz` asks: resolves when the database answers and its migrations are current, throws otherwise. */
export interface HealthService {
  ready(): Promise<void>;
}

/** The embedded gitops repository and Baton's age key, as `baton status` shows them (never the private key). */
export interface GitOpsInfoService {
  info(): {
    repository: string;
    remote?: string;
    secrets_mode: 'sops';
    age_recipient: string;
    age_key_file?: string;
    sops_age_secret_command: string;
  };
}

export interface BatonServices {
  /** Orgs, users, tokens, apps, environments, environment types. */
  core: CoreServices;
  /** Deployment sets and deltas. */
  sets: SetsService;
  /** Shared values and secrets, value set versions. */
  values: ValuesService;
  /** Secret stores: Baton's own sealed store and the org's external ones (Vault / OpenBao). */
  secretStores: SecretStoresService;
  /** Resource accounts (a definition's `driver_account`), credentials sealed. */
  resourceAccounts: ResourceAccountsService;
  /** Container registries, credentials sealed. */
  registries: RegistriesService;
  /** The org's registered RSA public keys. */
  publicKeys: PublicKeysService;
  /** Resource types, definitions (with Baton's defaults), custom drivers, dependency graphs. */
  resources: ResourceServices;
  /** Workload profiles (built-in and custom). */
  profiles: WorkloadProfilesService;
  /** Deployments, plans, active resources. */
  deployments: DeploymentsService;
  /** CI integration: artefacts and image builds, automation rules, webhooks (src/ci). */
  ci: { artefacts: ArtefactsService; rules: RulesService; webhooks: WebhooksService };
  /** The audit log: every successful mutating request (src/org/audit.ts, written by src/api/audit.ts). */
  audit: AuditService;
  /** Readiness of the process (the store). */
  health: HealthService;
  /** The embedded gitops repository and the age key its Secrets are encrypted to. */
  gitops: GitOpsInfoService;
}
