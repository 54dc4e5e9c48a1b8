/**
 * Workload profiles: a resolved workload module → Kubernetes objects.
 *
 *   const objects = await renderWorkload({ workloadId, module, context, manifests });
 *
 * - `module.spec` has every placeholder substituted; strings that came from secrets are `SecretString`s
 *   and end up only in the generated `Secret` (see types.ts).
 * - Output objects are plain JSON, sorted deterministically, labelled `app.kubernetes.io/managed-by: baton`,
 *   `baton.dev/app|env|workload`, annotated `baton.dev/org|deployment` and `baton.dev/content-hash`.
 * - Errors: `NotFound` for an unknown profile, `InvalidInput` (with `details.issues`) for a spec that
 *   does not fit the profile or a volume mount no resource provides.
 */
import { ProfileRegistry, getProfile } from './registry.js';
import type { K8sObject, RenderRequest } from './types.js';

export type {
  InjectedManifest,
  K8sObject,
  ProfileContext,
  RenderRequest,
  ResolvedModule,
  ResolvedObject,
  ResolvedValue,
  WorkloadProfile,
} from './types.js';
export { SecretString } from './types.js';
export type { SpecIssue } from './validate.js';
export { validateSpecWith } from './validate.js';
export { templateProfile } from './template-profile.js';
export { attachPullSecrets, dockerConfigJson, matchRegistry, parseImageReference, pullSecretName, renderPullSecret } from './pull-secrets.js';
export type { PullRegistry, PullSecretContext, PullSecretsResult } from './pull-secrets.js';
export type { TemplateProfileDefinition } from './template-profile.js';
export { DEFAULT_PROFILE_ID, ProfileRegistry, getProfile, validateModuleSpec } from './registry.js';
export {
  BUILTIN_PROFILES,
  defaultCronJobProfile,
  defaultJobProfile,
  defaultModuleProfile,
  statefulSetProfile,
} from './builtins.js';
export {
  APP_LABEL,
  CONTENT_HASH_ANNOTATION,
  DEPLOYMENT_ANNOTATION,
  ENV_LABEL,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  ORG_ANNOTATION,
  WORKLOAD_LABEL,
  contentHash,
  ownershipLabels,
  revealSecrets,
} from './metadata.js';

/** Render one workload with the profile its module names (default-module when none), from `registry` or the built-ins. */
export async function renderWorkload(request: RenderRequest, registry?: ProfileRegistry): Promise<K8sObject[]> {
  const profile = registry ? registry.get(request.module.profile) : getProfile(request.module.profile);
  return await profile.render(request);
}
