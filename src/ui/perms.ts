/**
 * What the signed-in user may do, from `GET /orgs/{org}/users/{me}/perms` (permission keys per object path). The UI
 * only hides actions with it: the server checks every request and stays the authority. Pure (no DOM), tested in
 * perms.test.ts.
 */
import type { Perms } from './api';

/** `loading`: not known yet (actions stay hidden); `unavailable`: the API did not say (actions shown, the server decides). */
export type Access = { state: 'loading' } | { state: 'unavailable' } | { state: 'known'; perms: Perms };

export interface ObjectRef {
  org: string;
  app?: string;
  env?: string;
}

/** The object path the perms endpoint answers for (`/orgs/o`, `/orgs/o/apps/a`, `/orgs/o/apps/a/envs/e`). */
export function objectPath(ref: ObjectRef): string {
  let path = `/orgs/${ref.org}`;
  if (ref.app !== undefined) {
    path += `/apps/${ref.app}`;
    if (ref.env !== undefined) path += `/envs/${ref.env}`;
  }
  return path;
}

/** Whether to offer an action needing `permission` on `ref`. */
export function may(access: Access, permission: string, ref: ObjectRef): boolean {
  if (access.state === 'loading') return false;
  if (access.state === 'unavailable') return true;
  return access.perms.objects[objectPath(ref)]?.permissions.includes(permission) ?? false;
}
