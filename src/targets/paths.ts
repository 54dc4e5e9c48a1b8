import { InvalidInput } from '../shared/errors.js';

/**
 * App and env ids become folder names: refuse anything that could climb out of the target's root
 * (ids are validated upstream too, but a target writes files and must not trust that).
 */
export function assertId(what: string, id: string): string {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(id)) throw new InvalidInput(`${what} id "${id}" cannot name a folder`);
  return id;
}

/** A repository sub-path from `k8s-cluster-git` inputs: relative, no `..`. */
export function safeSubPath(path: string | undefined): string {
  const trimmed = (path ?? '').replace(/^\/+|\/+$/g, '');
  if (trimmed.split('/').some((part) => part === '..')) throw new InvalidInput(`path "${path}" must not contain ".."`);
  return trimmed;
}
