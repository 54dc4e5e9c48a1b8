/**
 * Drivers an org can use: the built-in registry plus the org's custom HTTP drivers (Humanitec's
 * DriverDefinition), and `resolveDriver`, which the deployment engine calls to get a `Driver` for a
 * definition's `driver_type`.
 */
import type { Driver } from '../../drivers/contract.js';
import { createHttpDriver } from '../../drivers/http.js';
import type { DriverRegistry } from '../../drivers/registry.js';
import type { CoreServices } from '../../org/index.js';
import { DEFINITION_ID_PATTERN } from '../index.js';
import { Conflict, InvalidInput, NotFound } from '../../shared/errors.js';
import { fromJsonText, nowIso, toJsonText } from '../../store/index.js';
import type { Executor, Store } from '../../store/index.js';
import { createResourceDefinitionsRepo } from '../../store/resource-definitions-repo.js';
import { createResourceDriversRepo } from '../../store/resource-drivers-repo.js';
import type { ResourceDriverRow } from '../../store/resource-drivers-repo.js';
import type { ResourceTypesService } from './types-service.js';

/** Humanitec's DriverDefinitionResponse (`target` only for the owning org's drivers). */
export interface DriverDefinitionView {
  org_id: string;
  id: string;
  type: string;
  target?: string;
  account_types: string[];
  inputs_schema: Record<string, unknown>;
  template?: unknown;
  is_public: boolean;
}

export interface DriverDefinitionInput {
  id?: string | undefined;
  type: string;
  target: string;
  account_types: string[];
  inputs_schema: Record<string, unknown>;
  template?: unknown;
  is_public?: boolean | undefined;
}

function splitQualified(driverType: string): { org: string; id: string } | undefined {
  const slash = driverType.indexOf('/');
  if (slash <= 0 || slash === driverType.length - 1) return undefined;
  return { org: driverType.slice(0, slash), id: driverType.slice(slash + 1) };
}

function toView(row: ResourceDriverRow): DriverDefinitionView {
  return {
    org_id: row.org_id,
    id: row.id,
    type: row.type,
    target: row.target,
    account_types: fromJsonText<string[]>(row.account_types) ?? [],
    inputs_schema: fromJsonText<Record<string, unknown>>(row.inputs_schema) ?? {},
    ...(row.template !== null ? { template: fromJsonText(row.template) } : {}),
    is_public: row.is_public === 1,
  };
}

function builtInView(driver: Driver): DriverDefinitionView {
  const qualified = splitQualified(driver.id) ?? { org: 'baton', id: driver.id };
  return {
    org_id: qualified.org,
    id: qualified.id,
    // Humanitec reports one type per driver; generic drivers (any type) report `*`.
    type: driver.types && driver.types.length === 1 ? driver.types[0]! : '*',
    account_types: [],
    inputs_schema: driver.inputsSchema ?? {},
    is_public: true,
  };
}

function checkTarget(target: string): void {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new InvalidInput(`target: "${target}" is not a URL`, { field: 'target' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidInput(`target: must be an http:// or https:// URL (got "${url.protocol}")`, { field: 'target' });
  }
}

export function createDriversService(store: Store, core: CoreServices, builtIns: DriverRegistry, types: ResourceTypesService) {
  const repo = createResourceDriversRepo(store.db);
  const defs = createResourceDefinitionsRepo(store.db);
  /** One HTTP driver per custom driver version (rebuilt when the row changes). */
  const httpDrivers = new Map<string, { updatedAt: string; target: string; driver: Driver }>();

  async function validate(orgId: string, input: DriverDefinitionInput): Promise<void> {
    checkTarget(input.target);
    const registry = await types.registry(orgId);
    if (!registry.has(input.type)) throw new InvalidInput(`type: unknown resource type "${input.type}"`, { field: 'type' });
  }

  async function requireRow(orgId: string, driverId: string): Promise<ResourceDriverRow> {
    await core.orgs.require(orgId);
    const qualified = splitQualified(driverId);
    const id = qualified && qualified.org === orgId ? qualified.id : driverId;
    const row = await repo.get(orgId, id);
    if (!row) throw new NotFound('driver', driverId, undefined, { org_id: orgId });
    return row;
  }

  const service = {
    /** Built-in drivers, then the org's own, each once. */
    async list(orgId: string): Promise<DriverDefinitionView[]> {
      await core.orgs.require(orgId);
      return [...builtIns.list().map(builtInView), ...(await repo.list(orgId)).map(toView)];
    },
    /** `driverId` is the org's driver id (`my-driver`), or a qualified built-in (`humanitec/echo`) or its short id. */
    async get(orgId: string, driverId: string): Promise<DriverDefinitionView> {
      await core.orgs.require(orgId);
      const qualified = splitQualified(driverId);
      const own = await repo.get(orgId, qualified && qualified.org === orgId ? qualified.id : driverId);
      if (own) return toView(own);
      const builtIn = builtIns.has(driverId) ? builtIns.get(driverId) : builtIns.list().find((d) => splitQualified(d.id)?.id === driverId);
      if (builtIn) return builtInView(builtIn);
      throw new NotFound('driver', driverId, undefined, { org_id: orgId });
    },
    async create(orgId: string, input: DriverDefinitionInput, actor: string): Promise<DriverDefinitionView> {
      await core.orgs.require(orgId);
      const id = input.id ?? '';
      if (!DEFINITION_ID_PATTERN.test(id)) throw new InvalidInput(`id: must match ${DEFINITION_ID_PATTERN.source} (got "${id}")`, { field: 'id' });
      if (builtIns.has(`${orgId}/${id}`)) throw new Conflict(`driver "${orgId}/${id}" is a built-in driver`, { id });
      await validate(orgId, input);
      const at = nowIso();
      const row = await repo.insert({
        org_id: orgId,
        id,
        type: input.type,
        target: input.target,
        account_types: toJsonText(input.account_types),
        inputs_schema: toJsonText(input.inputs_schema),
        template: input.template === undefined ? null : toJsonText(input.template),
        is_public: input.is_public ? 1 : 0,
        created_at: at,
        created_by: actor,
        updated_at: at,
      });
      return toView(row);
    },
    async update(orgId: string, driverId: string, input: DriverDefinitionInput): Promise<DriverDefinitionView> {
      const existing = await requireRow(orgId, driverId);
      await validate(orgId, input);
      const row: ResourceDriverRow = {
        ...existing,
        type: input.type,
        target: input.target,
        account_types: toJsonText(input.account_types),
        inputs_schema: toJsonText(input.inputs_schema),
        template: input.template === undefined ? null : toJsonText(input.template),
        is_public: input.is_public ? 1 : 0,
        updated_at: nowIso(),
      };
      await repo.update(row);
      return toView(row);
    },
    async delete(orgId: string, driverId: string): Promise<void> {
      const existing = await requireRow(orgId, driverId);
      const using = await defs.countUsingDriver(orgId, `${orgId}/${existing.id}`);
      if (using.length > 0) {
        throw new Conflict(`driver "${orgId}/${existing.id}" is used by resource definitions ${using.join(', ')}`, {
          driver: `${orgId}/${existing.id}`,
          definitions: using,
        });
      }
      await repo.delete(orgId, existing.id);
      httpDrivers.delete(`${orgId}/${existing.id}`);
    },
    /** Every `driver_type` a definition of the org may name: built-in ids and aliases, and `<orgId>/<id>` of its drivers. */
    async knownDriverTypes(orgId: string, trx?: Executor): Promise<Set<string>> {
      const own = await repo.list(orgId, trx);
      return new Set([...builtIns.ids(), ...own.map((r) => `${orgId}/${r.id}`)]);
    },
    /**
     * The driver for a definition's `driver_type` in an org: a built-in, or an HTTP driver for the org's
     * custom driver of that id. What the deployment engine calls before provisioning a node.
     */
    async resolveDriver(orgId: string, driverType: string): Promise<Driver> {
      if (builtIns.has(driverType)) return builtIns.get(driverType);
      const qualified = splitQualified(driverType);
      const row = qualified && qualified.org === orgId ? await repo.get(orgId, qualified.id) : undefined;
      if (!row) throw new NotFound('driver', driverType, `driver "${driverType}" is neither built in nor registered in organization "${orgId}"`, { org_id: orgId });
      const cached = httpDrivers.get(driverType);
      if (cached && cached.updatedAt === row.updated_at && cached.target === row.target) return cached.driver;
      const schema = fromJsonText<Record<string, unknown>>(row.inputs_schema) ?? {};
      const driver = createHttpDriver({
        id: driverType,
        target: row.target,
        ...(row.type !== '*' ? { type: row.type } : {}),
        ...(Object.keys(schema).length > 0 ? { inputsSchema: schema } : {}),
        accountTypes: fromJsonText<string[]>(row.account_types) ?? [],
      });
      httpDrivers.set(driverType, { updatedAt: row.updated_at, target: row.target, driver });
      return driver;
    },
  };
  return service;
}
export type DriversService = ReturnType<typeof createDriversService>;
