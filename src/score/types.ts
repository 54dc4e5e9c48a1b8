/**
 * Types of the Score module. `ScoreWorkload` mirrors the Score v1b1 schema after validation and after the
 * deprecated array forms of `files` and `volumes` have been upgraded to maps (so consumers only see maps).
 */

/** One problem found in a Score file: where it is and what was expected. Lines and columns are 1-based. */
export interface ScoreIssue {
  file: string;
  /** JSON pointer into the workload document, e.g. `/containers/main/variables/PORT` (`/` = the root). */
  path: string;
  line: number;
  column: number;
  message: string;
}

export type JsonPath = readonly (string | number)[];

export interface ScoreServicePort {
  port: number;
  targetPort?: number;
  protocol?: 'TCP' | 'UDP';
}

export interface ScoreContainerFile {
  mode?: string;
  source?: string;
  content?: string;
  binaryContent?: string;
  noExpand?: boolean;
}

export interface ScoreContainerVolume {
  source: string;
  path?: string;
  readOnly?: boolean;
}

export interface ScoreHttpProbe {
  scheme?: 'HTTP' | 'HTTPS';
  host?: string;
  path: string;
  port: number;
  httpHeaders?: { name: string; value: string }[];
}

export interface ScoreProbe {
  httpGet?: ScoreHttpProbe;
  exec?: { command: string[] };
}

export interface ScoreResourceQuantities {
  cpu?: string;
  memory?: string;
}

export interface ScoreContainer {
  image: string;
  command?: string[];
  args?: string[];
  variables?: Record<string, string>;
  files?: Record<string, ScoreContainerFile>;
  volumes?: Record<string, ScoreContainerVolume>;
  resources?: { limits?: ScoreResourceQuantities; requests?: ScoreResourceQuantities };
  livenessProbe?: ScoreProbe;
  readinessProbe?: ScoreProbe;
  before?: Record<string, { ready?: string }>;
}

export interface ScoreResource {
  type: string;
  class?: string;
  id?: string;
  metadata?: Record<string, unknown> & { annotations?: Record<string, string> };
  params?: Record<string, unknown>;
}

export interface ScoreWorkload {
  apiVersion: string;
  metadata: Record<string, unknown> & { name: string; annotations?: Record<string, string> };
  service?: { ports?: Record<string, ScoreServicePort> };
  containers: Record<string, ScoreContainer>;
  resources?: Record<string, ScoreResource>;
}

/** A workload that passed validation, with the file it came from (relative file sources resolve against it). */
export interface ValidatedWorkload {
  file: string;
  spec: ScoreWorkload;
}

export interface ScoreValidationResult {
  errors: ScoreIssue[];
  warnings: ScoreIssue[];
  /** The validated workloads (empty when there are errors). */
  workloads: ValidatedWorkload[];
}

/** JSON Patch operation as Humanitec accepts it in deltas (add/remove/replace only). */
export interface UpdateAction {
  op: 'add' | 'remove' | 'replace';
  path: string;
  value?: unknown;
}

export interface DeployCondition {
  when?: 'before' | 'deploy' | 'after';
  success?: 'deploy' | 'available' | 'complete';
  timeout?: number;
}

/** `ModuleRequest` of Humanitec's API: one workload of a deployment set. */
export interface ModuleRequest {
  profile: string;
  spec: Record<string, unknown>;
  externals?: Record<string, { type: string; class: string; params?: Record<string, unknown> }>;
  deploy?: DeployCondition;
}

/** `DeltaRequest` of Humanitec's API, restricted to what a Score conversion produces. */
export interface DeltaRequest {
  metadata?: { name?: string; env_id?: string };
  modules: { add: Record<string, ModuleRequest> };
  shared: UpdateAction[];
}
