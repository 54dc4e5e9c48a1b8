import { sha256Hex } from '../shared/canonical-json.js';
import { DEFAULT_CLASS } from './definitions.js';

/**
 * GUResID: the permanent, globally unique id of one resource (drivers key their state on it).
 *
 * Derivation (version 1, stable forever — changing it would orphan every provisioned resource):
 *
 *   guresid = first 40 hex characters of
 *             sha256( "baton-guresid-v1" NUL org NUL app NUL env NUL type NUL class NUL res_id )
 *
 * NUL (U+0000) cannot occur in any of the ids, so distinct tuples never produce the same input text.
 * 40 hex characters (160 bits) match the length of Humanitec's GUResIDs, so ids fit wherever theirs do.
 * An absent or empty class counts as `default`, because a resource without a class *is* of class default.
 */
export interface GuresidParts {
  orgId: string;
  appId: string;
  envId: string;
  type: string;
  class?: string;
  resId: string;
}

const GURESID_VERSION = 'baton-guresid-v1';

export function guresid(parts: GuresidParts): string {
  const cls = parts.class === undefined || parts.class === '' ? DEFAULT_CLASS : parts.class;
  const input = [GURESID_VERSION, parts.orgId, parts.appId, parts.envId, parts.type, cls, parts.resId].join('\u0000');
  return sha256Hex(input).slice(0, 40);
}

export const GURESID_PATTERN = /^[0-9a-f]{40}$/;
