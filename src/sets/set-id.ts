import { canonicalJson, sha256Hex } from '../shared/canonical-json.js';
import { normalizeSet } from './normalize.js';
import type { DeploymentSet, SetInput, SetResponse } from './schemas.js';

/**
 * Set ids are content addresses: the first 40 hex digits (160 bits) of SHA-256 over the canonical JSON
 * (sorted keys, no whitespace; `src/shared/canonical-json.ts`) of the *normalised* set `{modules, shared, version}`.
 *
 * Humanitec does not publish its algorithm; its example ids are 40 lowercase hex digits (SHA-1 sized). Baton keeps
 * that format so clients that check it keep working, but uses SHA-256 (SHA-1 is broken for collisions); 160 bits of
 * SHA-256 leaves accidental collisions out of reach for any realistic number of sets.
 */
export const SET_ID_HEX_LENGTH = 40;

export function setId(set: SetInput | DeploymentSet): string {
  return sha256Hex(canonicalJson(normalizeSet(set))).slice(0, SET_ID_HEX_LENGTH);
}

/** The empty set: what every app starts from. */
export const EMPTY_SET: DeploymentSet = Object.freeze({
  version: 0,
  modules: Object.freeze({}),
  shared: Object.freeze({}),
});

/**
 * Id of the empty set, `sha256('{"modules":{},"shared":{},"version":0}')` cut to 40 hex digits.
 * Pinned by a test; it can never change without breaking every stored reference.
 */
export const EMPTY_SET_ID = 'f38197019501c56a01c13f87f352bc3a6472b864';

/** `"0"` is Humanitec's alias for the empty set (`POST .../sets/0` applies a delta to nothing). */
export const EMPTY_SET_ALIAS = '0';

/** Maps the alias `"0"` to `EMPTY_SET_ID`; every other id is returned unchanged. */
export function resolveSetIdAlias(id: string): string {
  return id === EMPTY_SET_ALIAS ? EMPTY_SET_ID : id;
}

export function isSetId(value: string): boolean {
  return /^[0-9a-f]{40}$/.test(value);
}

/** The API representation (Humanitec `SetResponse`): normalised content plus its id. */
export function toSetResponse(set: DeploymentSet): SetResponse {
  const normalized = normalizeSet(set);
  return { id: setId(normalized), ...normalized };
}
