/**
 * How a definition's secret driver inputs are kept: every secret leaf (`driver_inputs.secrets.*` and the
 * `{value}` leaves of `driver_inputs.secret_refs.*`) goes into one SecretBox envelope bound to the org and
 * definition; the API shows each leaf's reference path instead of its value. Pure apart from the SecretBox.
 */
import { InvalidInput } from '../../shared/errors.js';
import { pointerSegments, setAt } from '../../shared/safe-path.js';
import type { DriverInputs, JsonObject } from '../index.js';
import type { SecretBox } from '../../secrets/index.js';

/** The store id responses name for secrets Baton keeps itself (Humanitec names the org's primary store). */
export const BATON_SECRET_STORE = 'baton';

/** Secret values by JSON pointer: `/secrets/db/password` or `/secret_refs/api/token`. */
export type SecretLeaves = Record<string, unknown>;

export interface SplitDriverInputs {
  values: JsonObject;
  /** Pointers of every secret leaf (the names are not secret, the values are). */
  secretPaths: string[];
  leaves: SecretLeaves;
  /** `secret_refs` leaves pointing into external stores (`{store, ref, version?}`), kept as written. */
  externalRefs: JsonObject | null;
}

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const escapeToken = (token: string): string => token.replace(/~/g, '~0').replace(/\//g, '~1');

function isRefLeaf(node: JsonObject): boolean {
  return ['value', 'store', 'ref', 'version'].some((k) => k in node);
}

/** The reference path a response shows for a secret leaf (`orgs/<org>/resources/defs/<def>/driver_inputs/secrets/db/password`). */
export function secretReferencePath(orgId: string, defId: string, pointer: string): string {
  return `orgs/${orgId}/resources/defs/${defId}/driver_inputs${pointer}`;
}

/** Associated data binding a sealed blob to its org and definition: a blob copied to another row will not open. */
export function definitionSecretsAad(orgId: string, defId: string): string {
  return `orgs/${orgId}/resources/defs/${defId}/driver_inputs`;
}

/**
 * Splits validated driver inputs into clear values and secret leaves. `previous` holds the leaves stored
 * before: a leaf written back as its own reference path (what a GET returned) keeps its stored value, so
 * reading a definition and writing it back does not replace secrets with their paths.
 */
export function splitDriverInputs(orgId: string, defId: string, inputs: DriverInputs, previous: SecretLeaves = {}): SplitDriverInputs {
  const leaves: SecretLeaves = {};
  const keepOrTake = (pointer: string, value: unknown): void => {
    if (typeof value === 'string' && value === secretReferencePath(orgId, defId, pointer)) {
      if (!(pointer in previous)) {
        throw new InvalidInput(`driver_inputs${pointer.replace(/\//g, '.')}: refers to a stored secret that does not exist`, {
          field: `driver_inputs${pointer.replace(/\//g, '.')}`,
        });
      }
      leaves[pointer] = previous[pointer];
    } else {
      leaves[pointer] = value;
    }
  };
  const walkSecrets = (node: JsonObject, pointer: string): void => {
    for (const [key, value] of Object.entries(node)) {
      const at = `${pointer}/${escapeToken(key)}`;
      pointerSegments(at, { field: `driver_inputs${at.replace(/\//g, '.')}` });
      if (isPlainObject(value)) walkSecrets(value, at);
      else keepOrTake(at, value);
    }
  };
  walkSecrets(inputs.secrets, '/secrets');

  let externalRefs: JsonObject | null = null;
  const walkRefs = (node: JsonObject, pointer: string, external: JsonObject): void => {
    for (const [key, value] of Object.entries(node)) {
      if (!isPlainObject(value)) continue; // validation already refused non-object leaves
      const at = `${pointer}/${escapeToken(key)}`;
      pointerSegments(at, { field: `driver_inputs${at.replace(/\//g, '.')}` });
      if (!isRefLeaf(value)) {
        const child: JsonObject = {};
        walkRefs(value, at, child);
        if (Object.keys(child).length > 0) external[key] = child;
      } else if ('value' in value) {
        keepOrTake(at, value.value);
      } else if (value.store === BATON_SECRET_STORE && value.ref === secretReferencePath(orgId, defId, at)) {
        keepOrTake(at, value.ref);
      } else {
        external[key] = value;
      }
    }
  };
  if (inputs.secret_refs) {
    externalRefs = {};
    walkRefs(inputs.secret_refs, '/secret_refs', externalRefs);
  }
  return { values: inputs.values, secretPaths: Object.keys(leaves).sort(), leaves, externalRefs };
}

export function sealLeaves(box: SecretBox, orgId: string, defId: string, leaves: SecretLeaves): string | null {
  return Object.keys(leaves).length === 0 ? null : box.seal(leaves, definitionSecretsAad(orgId, defId));
}

export function openLeaves(box: SecretBox, orgId: string, defId: string, sealed: string | null): SecretLeaves {
  if (sealed === null) return {};
  const opened = box.open(sealed, definitionSecretsAad(orgId, defId));
  return isPlainObject(opened) ? opened : {};
}

function tokensOf(pointer: string): { section: 'secrets' | 'secret_refs'; path: string[] } {
  const [section, ...rest] = pointerSegments(pointer);
  return { section: section === 'secret_refs' ? 'secret_refs' : 'secrets', path: rest };
}

/** What the API shows: values as stored, each secret leaf replaced by its reference path, external refs unchanged. */
export function redactedDriverInputs(
  orgId: string,
  defId: string,
  stored: { values: JsonObject; secretPaths: readonly string[]; externalRefs: JsonObject | null; versionId: string },
): JsonObject {
  const secrets: JsonObject = {};
  const refs: JsonObject = structuredClone(stored.externalRefs ?? {});
  for (const pointer of stored.secretPaths) {
    const { section, path } = tokensOf(pointer);
    const ref = secretReferencePath(orgId, defId, pointer);
    if (section === 'secrets') setAt(secrets, path, ref);
    else setAt(refs, path, { store: BATON_SECRET_STORE, ref, version: stored.versionId });
  }
  const out: JsonObject = { values: stored.values };
  if (Object.keys(secrets).length > 0) out.secrets = secrets;
  if (stored.externalRefs !== null || Object.keys(refs).length > 0) out.secret_refs = refs;
  return out;
}

/**
 * The driver inputs the engine needs: secrets opened and put back where the definition wrote them. A
 * `secret_refs` `{value}` leaf reaches the driver as `driver.secrets.<path>`, as Humanitec hands it over;
 * external references stay in `secret_refs`; the engine reads them from their stores at each provisioning
 * (src/engine/provision.ts `storeSecretsOf`, docs/secrets.md).
 */
export function restoredDriverInputs(values: JsonObject, leaves: SecretLeaves, externalRefs: JsonObject | null): DriverInputs {
  const secrets: JsonObject = {};
  for (const [pointer, value] of Object.entries(leaves)) setAt(secrets, tokensOf(pointer).path, value);
  return { values, secrets, ...(externalRefs !== null ? { secret_refs: structuredClone(externalRefs) } : {}) };
}
