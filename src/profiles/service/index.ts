/**
 * Workload profiles over the store: the built-ins plus each org's custom profiles and their versions. The API
 * (src/api/routes/workload-profiles.ts) manages them; the deployment engine renders with
 *
 *   const registry = await createWorkloadProfilesService(store, core).profileRegistryFor(orgId);
 *   const objects = await renderWorkload(request, registry);   // from src/profiles
 *
 * Custom profiles are registered under their qualified id `<org>/<id>`, which is what a module's `profile` names.
 */

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
