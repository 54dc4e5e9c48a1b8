/**
 * The contract every driver implements. The engine resolves placeholders in a definition's
 * `driver_inputs` first, then hands the driver plain data; the driver never sees the store or HTTP.
 */

export type JsonObject = Record<string, unknown>;

/** Where a driver-produced Kubernetes object goes (Humanitec's manifest locations). */
export type ManifestLocation = 'containers' | 'volumes' | 'namespace' | 'cluster';
export const MANIFEST_LOCATIONS: readonly ManifestLocation[] = ['containers', 'volumes', 'namespace', 'cluster'];

export interface DriverManifest {
  /** Key of the manifest in the template driver's map, or a driver-chosen name; unique per resource. */
  name: string;
  location: ManifestLocation;
  data: JsonObject;
}

export interface DriverContext {
  orgId: string;
  appId: string;
  envId: string;
  envType: string;
  /** Deployment that asked for this call, when there is one (absent for local test-definition runs). */
  deployId?: string;
}

export interface DriverLog {
  (level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

export interface ProvisionRequest {
  /** Globally unique resource id: a stable 40-hex-char hash (see src/resources/guresid.ts). */
  guresid: string;
  type: string;
  class: string;
  resId: string;
  /** Resource inputs: the `params`/`resource` object from the deployment set or a `provision` entry. */
  resource: JsonObject;
  /** The definition's `driver_inputs`, placeholders already resolved. */
  driver: { values: JsonObject; secrets: JsonObject };
  /** Credentials of the definition's `driver_account`, when it names one. */
  account?: JsonObject;
  /** What this driver returned as cookie the last time it provisioned this GUResID. */
  cookie?: unknown;
  context: DriverContext;
  /** Aborted when the deployment is cancelled or the call's time is up. */
  signal: AbortSignal;
  log: DriverLog;
}

export interface ProvisionResult {
  values: JsonObject;
  secrets: JsonObject;
  manifests: DriverManifest[];
  /** Opaque state handed back on the next provision and on deprovision. `undefined` keeps none. */
  cookie?: unknown;
}

export type DeprovisionRequest = ProvisionRequest;

export interface Driver {
  /** Qualified id, e.g. `humanitec/template` or `baton/postgres`. */
  readonly id: string;
  /** Other ids this driver answers to (`baton/echo` for `humanitec/echo`). */
  readonly aliases?: readonly string[];
  /** Resource types it produces; empty or absent means any type. */
  readonly types?: readonly string[];
  /** Resource account types it accepts (`account_types` of a custom driver); absent or empty: any account. */
  readonly accountTypes?: readonly string[];
  /** JSON Schema of `driver_inputs` (`{values, secrets}`), used to validate definitions at write time. */
  readonly inputsSchema?: JsonObject;
  /**
   * Create or update the resource. Must be idempotent: calling it again with the same GUResID and inputs
   * changes nothing and returns the same outputs, which is what makes a resumed deployment safe.
   */
  provision(request: ProvisionRequest): Promise<ProvisionResult>;
  /** Remove the resource. Deprovisioning something that is already gone succeeds. */
  deprovision(request: DeprovisionRequest): Promise<void>;
}

/**
 * The largest result (outputs, manifests and cookie, as JSON characters) a driver may hand back: the engine refuses
 * a larger one, and drivers that read an answer from elsewhere (HTTP, terraform output) stop reading beyond a few
 * times this much, so a hostile answer cannot exhaust memory before it is refused.
 */
export const MAX_DRIVER_RESULT_CHARS = 1024 * 1024;
export const MAX_DRIVER_ANSWER_BYTES = 4 * MAX_DRIVER_RESULT_CHARS;
