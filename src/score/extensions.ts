/**
 * The Humanitec extensions file that accompanies a Score file (`humanitec.score.yaml`):
 * `apiVersion: humanitec.org/v1b1`, an optional `profile`, a `spec` deep-merged into the module spec,
 * an optional `deploy` condition, and the deprecated `resources.<name>.scope` (external|shared).
 */
import { closestName } from '../shared/suggest.js';
import type { DeployCondition } from './types.js';

export interface ScoreExtensions {
  apiVersion: 'humanitec.org/v1b1';
  profile?: string;
  spec?: Record<string, unknown>;
  deploy?: DeployCondition;
  /** Deprecated: prefer a resource `id` in the Score file to share a resource. */
  resources?: Record<string, { scope?: 'external' | 'shared' }>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks an extensions document; returns the typed value or the list of problems (path + message). */
export function parseExtensions(value: unknown): { extensions?: ScoreExtensions; problems: { path: string; message: string }[]; warnings: string[] } {
  const problems: { path: string; message: string }[] = [];
  const warnings: string[] = [];
  if (!isRecord(value)) return { problems: [{ path: '/', message: 'the extensions file must be a YAML map' }], warnings };
  for (const key of Object.keys(value)) {
    if (!['apiVersion', 'profile', 'spec', 'deploy', 'resources'].includes(key)) {
      const meant = key.length <= 64 ? closestName(key, ['apiVersion', 'profile', 'spec', 'deploy', 'resources']) : undefined;
      problems.push({ path: `/${key}`, message: `unknown property '${key}'${meant ? ` (did you mean '${meant}'?)` : ' (expected apiVersion, profile, spec, deploy, resources)'}` });
    }
  }
  if (value.apiVersion !== 'humanitec.org/v1b1') {
    problems.push({ path: '/apiVersion', message: `apiVersion must be 'humanitec.org/v1b1', got ${JSON.stringify(value.apiVersion)}` });
  }
  if (value.profile !== undefined && (typeof value.profile !== 'string' || value.profile === '')) {
    problems.push({ path: '/profile', message: 'profile must be a non-empty string such as humanitec/default-module' });
  }
  if (value.spec !== undefined && !isRecord(value.spec)) problems.push({ path: '/spec', message: 'spec must be a map' });
  if (value.deploy !== undefined) {
    if (!isRecord(value.deploy)) problems.push({ path: '/deploy', message: 'deploy must be a map' });
    else {
      const { when, success, timeout, ...rest } = value.deploy;
      for (const key of Object.keys(rest)) {
        const meant = key.length <= 64 ? closestName(key, ['when', 'success', 'timeout']) : undefined;
        problems.push({ path: `/deploy/${key}`, message: `unknown property '${key}'${meant ? ` (did you mean '${meant}'?)` : ' (expected when, success, timeout)'}` });
      }
      if (when !== undefined && !['before', 'deploy', 'after'].includes(when as string)) {
        problems.push({ path: '/deploy/when', message: `when must be one of before, deploy, after, got ${JSON.stringify(when)}` });
      }
      if (success !== undefined && !['deploy', 'available', 'complete'].includes(success as string)) {
        problems.push({ path: '/deploy/success', message: `success must be one of deploy, available, complete, got ${JSON.stringify(success)}` });
      }
      if (timeout !== undefined && (!Number.isInteger(timeout) || (timeout as number) < 0)) {
        problems.push({ path: '/deploy/timeout', message: `timeout must be a whole number of seconds, got ${JSON.stringify(timeout)}` });
      }
    }
  }
  if (value.resources !== undefined) {
    if (!isRecord(value.resources)) problems.push({ path: '/resources', message: 'resources must be a map' });
    else {
      warnings.push("extensions 'resources' is deprecated: give the resource an 'id' in the Score file to share it");
      for (const [name, resource] of Object.entries(value.resources)) {
        const scope = isRecord(resource) ? resource.scope : undefined;
        if (scope !== undefined && scope !== 'external' && scope !== 'shared') {
          problems.push({ path: `/resources/${name}/scope`, message: `scope must be external or shared, got ${JSON.stringify(scope)}` });
        }
      }
    }
  }
  return problems.length > 0 ? { problems, warnings } : { extensions: value as unknown as ScoreExtensions, problems, warnings };
}
