/**
 * The deployment engine: durable queue, worker, the read → match → create → deploy pipeline and its dry run,
 * the plan. Built once by the composition root (src/baton/create-baton.ts). See docs/internals/engine.md.
 */
export { createEngine, DEPLOY_JOB } from './engine.js';
export type { DeploymentEvents, Engine, EngineDeps, EngineSettings } from './engine.js';
export type { EngineTimings, PinnedValue, PinnedValueSet, TargetResolver, ValueSource } from './types.js';
export { createClusterDrivers, createRegistry, createTargetResolver, migrateTerraformStateToDatabase } from './defaults.js';
export { localRepositoryWarning, parseGitCredentials } from '../targets/index.js';
export type { GitCredentials } from '../targets/index.js';
export { Worker, LeaseLostError } from './worker.js';
export { runDeployment } from './pipeline.js';
export { createPlan } from './plan.js';
export type { PlanRequest, PlanView, PlannedObject, PlannedResource, ResourceAction } from './plan.js';
export type { PhaseRecord, Progress } from './pipeline.js';
