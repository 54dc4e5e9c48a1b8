/** Looking up profiles by qualified id. */
import { NotFound } from '../shared/errors.js';
import { BUILTIN_PROFILES } from './builtins.js';
import type { ResolvedValue, WorkloadProfile } from './types.js';
import { validateSpecWith } from './validate.js';
import type { SpecIssue } from './validate.js';

export const DEFAULT_PROFILE_ID = 'humanitec/default-module';

const builtins = new Map(BUILTIN_PROFILES.map((p) => [p.id, p]));

/**
 * A registry of profiles: the built-ins plus any the caller adds (custom template profiles loaded from
 * the store). Separate instances keep orgs' custom profiles apart.
 */
export class ProfileRegistry {
  private readonly profiles = new Map<string, WorkloadProfile>(builtins);

  add(profile: WorkloadProfile): void {
    this.profiles.set(profile.id, profile);
  }

  /** Profile for a module's `profile` field; absent or empty means `humanitec/default-module`. */
  get(qid: string | undefined): WorkloadProfile {
    const id = qid === undefined || qid === '' ? DEFAULT_PROFILE_ID : qid;
    const profile = this.profiles.get(id);
    if (!profile) {
      throw new NotFound('workload profile', id, `workload profile "${id}" does not exist (known: ${this.ids().join(', ')})`);
    }
    return profile;
  }

  ids(): string[] {
    return [...this.profiles.keys()].sort();
  }
}

const defaultRegistry = new ProfileRegistry();

/** A built-in profile by qualified id; `NotFound` names the unknown id and the known ones. */
export function getProfile(qid: string | undefined): WorkloadProfile {
  return defaultRegistry.get(qid);
}

/** Validate a module spec against the named built-in profile's schema. Issues carry JSON pointers (`/spec/...`). */
export function validateModuleSpec(profileId: string | undefined, spec: ResolvedValue): SpecIssue[] {
  return validateSpecWith(getProfile(profileId), spec);
}
