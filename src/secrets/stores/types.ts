/**
 * The contract between Baton and a secret store (Baton's own sealed store, HashiCorp Vault / OpenBao KV v2, …).
 * Deploy-time resolution reads through it (`secret_refs`, values with `secret_ref`); the `external-secrets` secrets
 * mode of the file targets writes through it, so the store, not the git repository, holds the values.
 */

/** A pointer into a store: `ref` is the store's path/key, `version` an optional store-specific version. */
export interface SecretReference {
  store: string;
  ref: string;
  version?: string;
}

export interface SecretStoreClient {
  /** The store id as configured under `/orgs/{orgId}/secretstores`. */
  readonly id: string;
  /** Reads one secret value; throws a domain error naming the store and ref (never the value) when absent. */
  read(ref: string, version?: string): Promise<string>;
  /** Writes (creates or replaces) one secret value; returns the version the store assigned, when it has one. */
  write(ref: string, value: string): Promise<{ version?: string }>;
}

/** Looks up the client of an org's store by id (the default store when `storeId` is undefined). */
export type SecretStoreResolver = (orgId: string, storeId: string | undefined) => Promise<SecretStoreClient>;
