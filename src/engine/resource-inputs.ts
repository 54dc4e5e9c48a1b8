/**
 * What an active resource was provisioned with, kept beside it, and deprovisioning with exactly that.
 *
 * The engine resolves a definition's `driver_inputs` (and the resource's `params`) against the deployment's graph
 * before calling the driver. Those resolved inputs are sealed into `active_resources.inputs_sealed` (SecretBox, AAD
 * `…/resources/<guresid>/inputs`), so deprovisioning later hands the driver the same inputs it provisioned with —
 * not the definition's raw text, whose placeholders (and escapes such as `$\{…}`) cannot be re-resolved without
 * the graph. Rows written before migration 0008 have no stored inputs and fall back to the definition's current
 * inputs, unresolved (the behaviour before).
 */
import type { Driver, JsonObject } from '../drivers/contract.js';
import { splitDeadline } from '../drivers/deadline.js';
import { callDriverDeprovision } from '../drivers/registry.js';
import type { ResourceDefinition } from '../resources/index.js';
import { activeResourceAad } from '../resources/service/active-resource-view.js';
import type { SecretBox } from '../secrets/index.js';
import { getAt, pointerSegments } from '../shared/safe-path.js';
import type { ActiveResourceRow } from '../store/resource-active-repo.js';
import { collectStrings } from './masking.js';
import type { AccountCredentials } from './types.js';

/** The sealed document: resolved resource inputs and driver inputs, and which strings secrets tainted. */
export interface ProvisionedInputs {
  params: JsonObject;
  driver: { values: JsonObject; secrets: JsonObject };
  /** JSON pointers of strings a secret tainted: `/values/…` (driver values) or `/params/…` (resource inputs). */
  secret_paths: string[];
}

type ResourceRef = Pick<ActiveResourceRow, 'org_id' | 'app_id' | 'env_id' | 'guresid'>;

function inputsAad(row: ResourceRef): string {
  return activeResourceAad(row.org_id, row.app_id, row.env_id, row.guresid, 'inputs');
}

/** Seals the resolved inputs of a provisioning (what `callDriver` received) for `active_resources.inputs_sealed`. */
export function sealResourceInputs(
  box: SecretBox,
  row: ResourceRef,
  inputs: { params: JsonObject; driver: { values: JsonObject; secrets: JsonObject }; secretPaths?: readonly string[] },
): string {
  const document: ProvisionedInputs = { params: inputs.params, driver: inputs.driver, secret_paths: [...(inputs.secretPaths ?? [])] };
  return box.seal(document, inputsAad(row));
}

/** The stored inputs of a row; undefined for rows provisioned before they were stored. */
export function openResourceInputs(box: SecretBox, row: ActiveResourceRow): ProvisionedInputs | undefined {
  if (row.inputs_sealed === null) return undefined;
  const opened = box.open(row.inputs_sealed, inputsAad(row)) as Partial<ProvisionedInputs> | null;
  return {
    params: opened?.params ?? {},
    driver: { values: opened?.driver?.values ?? {}, secrets: opened?.driver?.secrets ?? {} },
    secret_paths: opened?.secret_paths ?? [],
  };
}

/** Every string (4 characters or more) inside a value. */
function atPointer(root: unknown, pointer: string): unknown {
  return getAt(root, pointerSegments(pointer), pointer);
}

/**
 * The secret strings of an active resource, for masking error messages: its sealed secret outputs and cookie, the
 * secret driver inputs it was provisioned with and the strings secrets tainted, else the definition's secrets.
 */
export function resourceSecretStrings(box: SecretBox, row: ActiveResourceRow, definition: ResourceDefinition | undefined, into: Set<string> = new Set()): Set<string> {
  const open = (sealed: string | null, part: string): unknown => (sealed === null ? undefined : box.open(sealed, activeResourceAad(row.org_id, row.app_id, row.env_id, row.guresid, part)));
  collectStrings(open(row.secrets_sealed, 'secrets'), into);
  collectStrings(open(row.cookie_sealed, 'cookie'), into);
  const inputs = openResourceInputs(box, row);
  if (inputs) {
    collectStrings(inputs.driver.secrets, into);
    for (const pointer of inputs.secret_paths) {
      if (pointer.startsWith('/values/')) collectStrings(atPointer(inputs.driver.values, pointer.slice('/values'.length)), into);
      else if (pointer.startsWith('/params/')) collectStrings(atPointer(inputs.params, pointer.slice('/params'.length)), into);
    }
  }
  if (definition) collectStrings(definition.driver_inputs.secrets, into);
  return into;
}

export interface DeprovisionDeps {
  /** The org's definitions: the fallback inputs for rows provisioned before inputs were stored. */
  definitions(orgId: string): Promise<ResourceDefinition[]>;
  driver(orgId: string, driverType: string): Promise<Driver>;
  box: SecretBox;
  driverTimeoutMs: number;
  /** Credentials of the row's `driver_account` (read now, so a rotation since provisioning is used). */
  accountCredentials?: AccountCredentials | undefined;
}

/** Where deprovisioning reports progress: a deployment's log (`DeploymentLog` fits). */
export interface ResourceLog {
  add(phase: string, level: 'debug' | 'info' | 'warn' | 'error', message: string, resource?: string): void;
}

/**
 * Deprovisions an active resource with the driver that made it, the inputs it was provisioned with and its cookie.
 * Rows without stored inputs get the definition's current `driver_inputs` (unresolved) and no resource inputs.
 */
export async function deprovisionActiveResource(
  deps: DeprovisionDeps,
  row: ActiveResourceRow,
  context: { orgId: string; appId: string; envId: string; envType: string },
  signal: AbortSignal | undefined,
  log: ResourceLog | undefined,
): Promise<void> {
  const stored = openResourceInputs(deps.box, row);
  const definition = stored ? undefined : (await deps.definitions(row.org_id)).find((d) => d.id === row.def_id);
  const driver = await deps.driver(row.org_id, row.driver_type);
  const cookie = row.cookie_sealed !== null ? deps.box.open(row.cookie_sealed, activeResourceAad(row.org_id, row.app_id, row.env_id, row.guresid, 'cookie')) : undefined;
  const inputs = stored?.driver ?? { values: definition?.driver_inputs.values ?? {}, secrets: definition?.driver_inputs.secrets ?? {} };
  const { values, timeoutMs } = splitDeadline(inputs.values, deps.driverTimeoutMs);
  const account = row.driver_account !== null && deps.accountCredentials ? (await deps.accountCredentials(row.org_id, row.driver_account)).credentials : undefined;
  log?.add('create', 'info', `deprovisioning ${row.type}.${row.class}#${row.res_id} (definition "${row.def_id}")`, row.res_id);
  await callDriverDeprovision(
    driver,
    {
      guresid: row.guresid,
      type: row.type,
      class: row.class,
      resId: row.res_id,
      resource: stored?.params ?? {},
      driver: { ...inputs, values },
      ...(account !== undefined ? { account } : {}),
      ...(cookie !== undefined ? { cookie } : {}),
      context,
      ...(signal ? { signal } : {}),
      log: (level, message) => log?.add('create', level, message, row.res_id),
    },
    { timeoutMs },
  );
}
