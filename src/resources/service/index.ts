/**
 * Resource types, classes, definitions, custom drivers and dependency graphs over the store: the domain
 * orchestration the API (src/api/routes/resource-*.ts, drivers.ts, match.ts) and the deployment engine use.
 *
 * The engine needs two things from here:
 * - `definitions.loadForEngine(orgId)`: every live definition with secrets opened (for matching and graphs);
 * - `drivers.resolveDriver(orgId, driverType)`: the `Driver` to call for a definition's `driver_type`.
 */
import type { DriverRegistry } from '../../drivers/registry.js';
import type { CoreServices } from '../../org/index.js';
import type { SecretBox } from '../../secrets/index.js';
import type { Store } from '../../store/index.js';
import type { ResourceDefinition } from '../index.js';
import { createDefinitionsService } from './definitions-service.js';
import { createDriversService } from './drivers-service.js';
import { createGraphsService } from './graphs-service.js';
import { createResourceTypesService } from './types-service.js';

export type { ActiveResourceView, DefinitionVersionView, DefinitionView, DefinitionsService, ImportResult } from './definitions-service.js';
export type { DriverDefinitionInput, DriverDefinitionView, DriversService } from './drivers-service.js';
export type { DependencyGraphView, GraphsService, ResourceProvisionInput } from './graphs-service.js';
export type { ResourceTypesService } from './types-service.js';
export { toGraphSet } from './graphs-service.js';
export { BATON_SECRET_STORE, secretReferencePath } from './definition-secrets.js';

export interface ResourceServicesDeps {
  store: Store;
  core: CoreServices;
  secretBox: SecretBox;
  drivers: DriverRegistry;
  /** Baton's read-only default definitions (see DefinitionsServiceDeps.defaults). */
  defaults: readonly ResourceDefinition[];
}

export function createResourceServices({ store, core, secretBox, drivers: builtIns, defaults }: ResourceServicesDeps) {
  const types = createResourceTypesService(store, core);
  const drivers = createDriversService(store, core, builtIns, types);
  const definitions = createDefinitionsService({ store, core, secretBox, types, drivers, defaults });
  const graphs = createGraphsService(store, core, definitions, types);
  return { types, drivers, definitions, graphs };
}
export type ResourceServices = ReturnType<typeof createResourceServices>;
