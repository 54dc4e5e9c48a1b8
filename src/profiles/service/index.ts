/**
 * Workload profiles over the store: the built-ins plus each org's custom profiles and their versions. The API
 * (src/api/routes/workload-profiles.ts) manages them; the deployment engine renders with
 *
 *   const registry = await workloadProfilesServiceFor({ store, core }).profileRegistryFor(orgId);
 *   const objects = await renderWorkload(request, registry);   // from src/profiles
 *
 * Custom profiles are registered under their qualified id `<org>/<id>`, which is what a module's `profile` names.
 */
import type { CoreServices } from '../../org/index.js';
import type { Store } from '../../store/index.js';
import { createWorkloadProfilesService } from './service.js';
import type { WorkloadProfilesService } from './service.js';

export { TEMPLATE_CHART_ID, createWorkloadProfilesService } from './service.js';
export type {
  ChartReference,
  SpecValidationResult,
  WorkloadProfileInput,
  WorkloadProfileVersionView,
  WorkloadProfileView,
  WorkloadProfilesService,
} from './service.js';
export type { JsonSchema, SpecDefinition, SpecDefinitionProperty } from './spec-schema.js';
export { definitionFromSchema, schemaFromDefinition } from './spec-schema.js';

const servicesByStore = new WeakMap<Store, WorkloadProfilesService>();

/**
 * One service per store, shared by the routes and the engine: it caches compiled custom profiles (templates and
 * schemas), rebuilt whenever a profile's stored content changes.
 */
export function workloadProfilesServiceFor(deps: { store: Store; core: CoreServices }): WorkloadProfilesService {
  let service = servicesByStore.get(deps.store);
  if (!service) {
    service = createWorkloadProfilesService(deps.store, deps.core);
    servicesByStore.set(deps.store, service);
  }
  return service;
}
