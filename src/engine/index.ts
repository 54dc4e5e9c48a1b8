/**
 * The deployment engine: durable queue, worker, and the read → match → create → deploy pipeline.
 *
 *   const engine = createEngine(store, services, { dataDir, box, values });
 *   attachEngine(store, engine);   // so the API's route modules use this one
 *   engine.start();                // the worker claims queued deployments
 *   await engine.service.submit(org, app, env, { delta_id, comment }, userId);
 *   await engine.stop();
 *
 * See docs/engine.md.
 */
import type { Store } from '../store/index.js';
import type { Engine } from './service.js';

export { createEngine, createRegistry, newDeploymentId, toDeploymentView, DEPLOY_JOB } from './service.js';
export type { DeploymentService, DeploymentView, Engine, SubmitDeployment } from './service.js';
export type { ActiveResourceView } from '../resources/service/active-resource-view.js';
export { EMPTY_VALUE_SOURCE } from './types.js';
export type { EngineOptions, EngineTimings, PinnedValue, PinnedValueSet, TargetResolver, ValueSource } from './types.js';
export { FALLBACK_DEFINITIONS, createClusterDrivers, createTargetResolver } from './defaults.js';
export { Worker, LeaseLostError } from './worker.js';
export { runDeployment } from './pipeline.js';
export { createPlan } from './plan.js';
export type { PlanRequest, PlanView, PlannedObject, PlannedResource, ResourceAction } from './plan.js';
export type { PhaseRecord, Progress } from './pipeline.js';

const engines = new WeakMap<Store, Engine>();

/** Makes `engine` the one the API uses for `store` (startServer and tests call this before buildServer). */
export function attachEngine(store: Store, engine: Engine): Engine {
  engines.set(store, engine);
  return engine;
}

export function engineFor(store: Store): Engine | undefined {
  return engines.get(store);
}
export { IN_NAMESPACE_DEFINITIONS, developmentDefinitions, developmentServerDefinitions, type DevelopmentServers } from './dev-definitions.js';
