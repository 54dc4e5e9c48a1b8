/**
 * An in-test secret store client (values in a Map, writes counted), for tests of the `external-secrets` secrets mode
 * that check what a target pushes. Named so: Baton's real stores are src/secrets/stores.
 */
import type { SecretStoreClient } from '../../src/secrets/index.js';
import { InvalidInput } from '../../src/shared/errors.js';

export class InTestSecretStore implements SecretStoreClient {
  readonly values = new Map<string, string>();
  writes = 0;
  constructor(readonly id: string) {}
  read(ref: string): Promise<string> {
    const value = this.values.get(ref);
    return value === undefined ? Promise.reject(new InvalidInput(`no secret at ${ref} in store ${this.id}`)) : Promise.resolve(value);
  }
  write(ref: string, value: string): Promise<{ version?: string }> {
    this.writes++;
    this.values.set(ref, value);
    return Promise.resolve({ version: String(this.writes) });
  }
}
