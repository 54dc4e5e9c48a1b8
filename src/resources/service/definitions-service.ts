/**
 * Resource definitions over the store: validation (src/resources), one version per change, secrets sealed at
 * rest, duplicate criteria refused, deletion guarded by active resources, manifest import, match explanation.
 * Speaks domain errors only. Public views never contain a secret value (see definition-secrets.ts).
 */
import { randomUUID } from 'node:crypto';
import type { CoreServices } from '../../org/index.js';
import {
  assertNoDuplicateCriteria,
  DEFAULT_CLASS,
  explainMatch,
  formatDescriptor,
  normalizeCriterion,
  parseDefinitionManifests,
  rankDefinitionsForContext,
  validateDefinitionRequest,
  type DefinitionFilters,
  type JsonObject,
  type MatchExplanation,
  type MatchingCriterion,
  type ProvisionDependency,
  type ResourceDefinition,
  type ResourceTypeRegistry,
} from '../index.js';
import type { SecretBox } from '../../secrets/index.js';
import { canonicalJson } from '../../shared/canonical-json.js';
import { decodeIdPageToken, decodePageToken, encodePageToken, toKeyPage } from '../../shared/pagination.js';
import type { Page, PageRequest } from '../../shared/pagination.js';
import { Conflict, InvalidInput, NotFound } from '../../shared/errors.js';
import { assertSafeKey } from '../../shared/safe-path.js';
import { fromJsonText, nowIso, toJsonText } from '../../store/index.js';
import type { Executor, Store } from '../../store/index.js';
import { createActiveResourcesRepo } from '../../store/resource-active-repo.js';
import type { ActiveResourceRow } from '../../store/resource-active-repo.js';
import { toActiveResourceView } from './active-resource-view.js';
import type { ActiveResourceView } from './active-resource-view.js';
export type { ActiveResourceView } from './active-resource-view.js';
import { createResourceDefinitionsRepo } from '../../store/resource-definitions-repo.js';
import type { ResourceCriterionRow, ResourceDefinitionRow, ResourceDefinitionVersionRow } from '../../store/resource-definitions-repo.js';
import { openLeaves, redactedDriverInputs, restoredDriverInputs, sealLeaves, splitDriverInputs } from './definition-secrets.js';
import type { DriversService } from './drivers-service.js';
import { withImplicitDriverInputs } from '../../drivers/kubernetes-builtins.js';
import type { ResourceTypesService } from './types-service.js';

/** Humanitec's ResourceDefinitionResponse, secrets replaced by reference paths. */
export interface DefinitionView {
  org_id: string;
  id: string;
  name: string;
  type: string;
  driver_type: string;
  driver_account?: string;
  driver_inputs: JsonObject;
  provision: Record<string, ProvisionDependency>;
  criteria: MatchingCriterion[];
  active_version_id: string;
  /** The name the generated TypeScript client reads for `active_version_id`. */
  current_version_id: string;
  in_place_driver_change: boolean;
  is_default: boolean;
  is_deleted: boolean;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

/** Humanitec's ResourceDefinitionVersion. */
export interface DefinitionVersionView {
  id: string;
  org_id: string;
  def_id: string;
  name: string;
  type: string;
  driver_type: string;
  driver_account: string;
  driver_inputs: JsonObject;
  in_place_driver_change: boolean;
  provision: Record<string, ProvisionDependency>;
  criteria: MatchingCriterion[];
  action: string;
  archived: boolean;
  active: boolean;
  proposed: boolean;
  created_at: string;
  created_by: string;
}

export interface ImportResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** What a version row's `content` holds: the definition minus secret values. */
interface VersionContent {
  name: string;
  type: string;
  driver_type: string;
  driver_account: string | null;
  values: JsonObject;
  secret_paths: string[];
  external_secret_refs: JsonObject | null;
  provision: Record<string, ProvisionDependency>;
  in_place_driver_change: boolean;
  criteria: MatchingCriterion[];
}

/** The most definitions `listPage` reads at once while filters skip rows (slices double from a page's size up to this). */
const LIST_SLICE_MAX = 500;

const PATCHABLE = new Set(['name', 'driver_type', 'driver_account', 'driver_inputs', 'provision', 'in_place_driver_change', 'proposed']);

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7396 merge patch: objects merge, `null` deletes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown, where = 'definition'): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    assertSafeKey(key, where);
    if (value === null) delete out[key];
    else out[key] = mergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value, `${where}.${key}`);
  }
  return out;
}

function matchKey(criterion: Omit<MatchingCriterion, 'id'>): string {
  return JSON.stringify([criterion.class, criterion.app_id ?? '', criterion.env_id ?? '', criterion.env_type ?? '', criterion.res_id ?? '']);
}

function criterionFromRow(row: ResourceCriterionRow): MatchingCriterion {
  return {
    id: row.id,
    class: row.class,
    ...(row.app_id !== null ? { app_id: row.app_id } : {}),
    ...(row.env_id !== null ? { env_id: row.env_id } : {}),
    ...(row.env_type !== null ? { env_type: row.env_type } : {}),
    ...(row.res_id !== null ? { res_id: row.res_id } : {}),
  };
}

/** What makes two definitions the same for an import: content, not ids of criteria or bookkeeping. */
function fingerprint(orgId: string, def: ResourceDefinition): string {
  const split = splitDriverInputs(orgId, def.id, def.driver_inputs);
  return canonicalJson({
    name: def.name,
    type: def.type,
    driver_type: def.driver_type,
    driver_account: def.driver_account ?? null,
    driver_inputs: restoredDriverInputs(split.values, split.leaves, split.externalRefs),
    provision: def.provision,
    in_place_driver_change: def.in_place_driver_change ?? false,
    criteria: def.criteria.map(({ id: _id, ...c }) => matchKey(c)).sort(),
  });
}

export interface DefinitionsServiceDeps {
  store: Store;
  core: CoreServices;
  secretBox: SecretBox;
  types: ResourceTypesService;
  drivers: DriversService;
  /**
   * Baton's default definitions (src/resources/defaults.ts and the development ones from the configuration):
   * read-only, listed with `is_default: true`, used by matching exactly like the org's own. An org definition
   * of the same type always wins over them (they have the plainest criteria and the latest creation time).
   */
  defaults: readonly ResourceDefinition[];
}

/** Replaces every leaf of a default's secret inputs: they come from Baton's configuration and never leave it. */
function redactLeaves(value: JsonObject): JsonObject;
function redactLeaves(value: unknown): unknown;
function redactLeaves(value: unknown): unknown {
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactLeaves(v)]));
  if (Array.isArray(value)) return value.map(redactLeaves);
  return '(secret from Baton configuration)';
}

export function createDefinitionsService({ store, core, secretBox, types, drivers, defaults }: DefinitionsServiceDeps) {
  const repo = createResourceDefinitionsRepo(store.db);
  const active = createActiveResourcesRepo(store.db);
  const defaultsById = new Map(defaults.map((d) => [d.id, d]));

  /** Defaults are read-only: every change is refused with what to do instead. */
  function refuseDefault(defId: string): void {
    const builtin = defaultsById.get(defId);
    if (builtin) {
      throw new Conflict(
        `resource definition "${defId}" is a Baton default (is_default: true) and cannot be changed or deleted; create your own definition of type "${builtin.type}" instead: it wins the match over the default`,
        { kind: 'resource definition', id: defId, is_default: true },
      );
    }
  }

  function defaultView(orgId: string, def: ResourceDefinition): DefinitionView {
    const at = def.created_at ?? '1970-01-01T00:00:00.000Z';
    return {
      org_id: orgId,
      id: def.id,
      name: def.name,
      type: def.type,
      driver_type: def.driver_type,
      ...(def.driver_account !== undefined ? { driver_account: def.driver_account } : {}),
      driver_inputs: { values: def.driver_inputs.values, ...(Object.keys(def.driver_inputs.secrets).length > 0 ? { secrets: redactLeaves(def.driver_inputs.secrets) } : {}) },
      provision: def.provision,
      criteria: def.criteria,
      active_version_id: def.version_id ?? 'builtin',
      current_version_id: def.version_id ?? 'builtin',
      in_place_driver_change: def.in_place_driver_change ?? false,
      is_default: true,
      is_deleted: false,
      created_at: at,
      created_by: 'baton',
      updated_at: at,
      updated_by: 'baton',
    };
  }

  async function criteriaByDef(orgId: string, trx?: Executor, defId?: string): Promise<Map<string, MatchingCriterion[]>> {
    return groupCriteria(await repo.listCriteria(orgId, defId, trx));
  }
  function groupCriteria(rows: readonly ResourceCriterionRow[]): Map<string, MatchingCriterion[]> {
    const out = new Map<string, MatchingCriterion[]>();
    for (const row of rows) {
      const list = out.get(row.def_id);
      if (list) list.push(criterionFromRow(row));
      else out.set(row.def_id, [criterionFromRow(row)]);
    }
    return out;
  }

  function toView(row: ResourceDefinitionRow, criteria: MatchingCriterion[]): DefinitionView {
    return {
      org_id: row.org_id,
      id: row.id,
      name: row.name,
      type: row.type,
      driver_type: row.driver_type,
      ...(row.driver_account !== null ? { driver_account: row.driver_account } : {}),
      driver_inputs: redactedDriverInputs(row.org_id, row.id, {
        values: fromJsonText<JsonObject>(row.driver_values) ?? {},
        secretPaths: fromJsonText<string[]>(row.secret_paths) ?? [],
        externalRefs: fromJsonText<JsonObject>(row.external_secret_refs),
        versionId: row.active_version_id,
      }),
      provision: fromJsonText<Record<string, ProvisionDependency>>(row.provision) ?? {},
      criteria,
      active_version_id: row.active_version_id,
      current_version_id: row.active_version_id,
      in_place_driver_change: row.in_place_driver_change === 1,
      is_default: false,
      is_deleted: row.is_deleted === 1,
      created_at: row.created_at,
      created_by: row.created_by,
      updated_at: row.updated_at,
      updated_by: row.updated_by,
    };
  }

  /** The domain object the matcher and graph builder use; secrets opened only when asked. */
  function toDomain(row: ResourceDefinitionRow, criteria: MatchingCriterion[], withSecrets: boolean): ResourceDefinition {
    const values = fromJsonText<JsonObject>(row.driver_values) ?? {};
    const externalRefs = fromJsonText<JsonObject>(row.external_secret_refs);
    const driverInputs = withSecrets
      ? restoredDriverInputs(values, openLeaves(secretBox, row.org_id, row.id, row.secrets_sealed), externalRefs)
      : { values, secrets: {}, ...(externalRefs !== null ? { secret_refs: externalRefs } : {}) };
    return {
      id: row.id,
      name: row.name,
      type: row.type,
      driver_type: row.driver_type,
      ...(row.driver_account !== null ? { driver_account: row.driver_account } : {}),
      driver_inputs: driverInputs,
      provision: fromJsonText<Record<string, ProvisionDependency>>(row.provision) ?? {},
      criteria,
      in_place_driver_change: row.in_place_driver_change === 1,
      version_id: row.active_version_id,
      created_at: row.created_at,
      is_deleted: row.is_deleted === 1,
    };
  }

  async function requireRow(orgId: string, defId: string, trx?: Executor, includeDeleted = false): Promise<ResourceDefinitionRow> {
    await core.orgs.require(orgId, trx);
    const row = await repo.get(orgId, defId, trx);
    if (!row || (row.is_deleted === 1 && !includeDeleted)) throw new NotFound('resource definition', defId, undefined, { org_id: orgId });
    return row;
  }

  async function validationOptions(orgId: string, trx?: Executor): Promise<{ types: ResourceTypeRegistry; knownDriverTypes: Set<string> }> {
    return { types: await types.registry(orgId, trx), knownDriverTypes: await drivers.knownDriverTypes(orgId, trx) };
  }

  /** Duplicate criteria get a message naming the other definition before the unique index has to catch them. */
  async function checkCriteria(orgId: string, candidate: Pick<ResourceDefinition, 'id' | 'type' | 'criteria'>, trx: Executor): Promise<void> {
    const others = await repo.list(orgId, { type: candidate.type }, trx);
    const criteria = await criteriaByDef(orgId, trx);
    assertNoDuplicateCriteria(
      others.map((o) => ({ id: o.id, type: o.type, criteria: criteria.get(o.id) ?? [] })),
      candidate,
    );
  }

  async function replaceCriteria(orgId: string, def: Pick<ResourceDefinition, 'id' | 'type'>, criteria: MatchingCriterion[], trx: Executor): Promise<void> {
    await checkCriteria(orgId, { ...def, criteria }, trx);
    await repo.deleteCriteriaOf(orgId, def.id, trx);
    const at = nowIso();
    await repo.insertCriteria(
      criteria.map((c) => ({
        org_id: orgId,
        def_id: def.id,
        id: c.id,
        type: def.type,
        class: c.class,
        app_id: c.app_id ?? null,
        env_id: c.env_id ?? null,
        env_type: c.env_type ?? null,
        res_id: c.res_id ?? null,
        match_key: matchKey(c),
        created_at: at,
      })),
      trx,
    );
  }

  /** Appends a version capturing the row as it is now (plus its criteria) and points the row at it. */
  async function recordVersion(row: ResourceDefinitionRow, criteria: MatchingCriterion[], action: string, actor: string, trx: Executor): Promise<ResourceDefinitionRow> {
    const version = await writeVersion(row, criteria, action, actor, trx);
    const updated = { ...row, active_version_id: version.id };
    await repo.update(updated, trx);
    return updated;
  }

  /** Appends a version capturing `row` (plus its criteria) without making it active (a proposed version). */
  async function writeVersion(row: ResourceDefinitionRow, criteria: MatchingCriterion[], action: string, actor: string, trx: Executor): Promise<ResourceDefinitionVersionRow> {
    const content: VersionContent = {
      name: row.name,
      type: row.type,
      driver_type: row.driver_type,
      driver_account: row.driver_account,
      values: fromJsonText<JsonObject>(row.driver_values) ?? {},
      secret_paths: fromJsonText<string[]>(row.secret_paths) ?? [],
      external_secret_refs: fromJsonText<JsonObject>(row.external_secret_refs),
      provision: fromJsonText<Record<string, ProvisionDependency>>(row.provision) ?? {},
      in_place_driver_change: row.in_place_driver_change === 1,
      criteria,
    };
    const version: ResourceDefinitionVersionRow = {
      org_id: row.org_id,
      def_id: row.id,
      id: randomUUID(),
      seq: await repo.nextVersionSeq(row.org_id, row.id, trx),
      action,
      content: toJsonText(content),
      // The same envelope as the definition row: it is bound to org + definition, not to the row.
      secrets_sealed: row.secrets_sealed,
      created_at: nowIso(),
      created_by: actor,
      archived: 0,
    };
    await repo.insertVersion(version, trx);
    return version;
  }

  /** A version as the definition the engine would use (criteria: the definition's current ones). */
  function versionAsDefinition(version: ResourceDefinitionVersionRow, criteria: MatchingCriterion[]): ResourceDefinition {
    const content = fromJsonText<VersionContent>(version.content)!;
    return {
      id: version.def_id,
      name: content.name,
      type: content.type,
      driver_type: content.driver_type,
      ...(content.driver_account !== null ? { driver_account: content.driver_account } : {}),
      driver_inputs: restoredDriverInputs(content.values, openLeaves(secretBox, version.org_id, version.def_id, version.secrets_sealed), content.external_secret_refs),
      provision: content.provision,
      criteria,
      in_place_driver_change: content.in_place_driver_change,
      version_id: version.id,
      created_at: version.created_at,
    };
  }

  /** The version `versionId` of `defId`, or 404. */
  async function requireVersion(orgId: string, defId: string, versionId: string, trx?: Executor): Promise<ResourceDefinitionVersionRow> {
    const version = await repo.getVersion(orgId, defId, versionId, trx);
    if (!version) throw new NotFound('resource definition version', versionId, undefined, { def_id: defId });
    return version;
  }

  /** Why a version cannot be used (promoted, pinned), or undefined when it can. */
  function unusable(version: ResourceDefinitionVersionRow): string | undefined {
    if (version.archived === 1) return `version "${version.id}" of resource definition "${version.def_id}" is archived; unarchive it first (POST …/actions/archive {"archived": false})`;
    if (version.action === 'deleted') return `version "${version.id}" of resource definition "${version.def_id}" records its deletion and provisions nothing`;
    return undefined;
  }

  /** Baton's default definitions have one version, `builtin` (their `version_id`), always active. */
  function defaultVersionView(orgId: string, def: ResourceDefinition): DefinitionVersionView {
    return {
      id: def.version_id ?? 'builtin',
      org_id: orgId,
      def_id: def.id,
      name: def.name,
      type: def.type,
      driver_type: def.driver_type,
      driver_account: def.driver_account ?? '',
      driver_inputs: defaultView(orgId, def).driver_inputs,
      in_place_driver_change: def.in_place_driver_change ?? false,
      provision: def.provision,
      criteria: def.criteria,
      action: 'created',
      archived: false,
      active: true,
      proposed: false,
      created_at: def.created_at ?? '1970-01-01T00:00:00.000Z',
      created_by: 'baton',
    };
  }

  /** Builds the stored row for a validated definition. `previous` supplies secrets written back as reference paths. */
  function rowFor(orgId: string, def: ResourceDefinition, actor: string, previous?: ResourceDefinitionRow): ResourceDefinitionRow {
    const previousLeaves = previous ? openLeaves(secretBox, orgId, def.id, previous.secrets_sealed) : {};
    const split = splitDriverInputs(orgId, def.id, def.driver_inputs, previousLeaves);
    const at = nowIso();
    return {
      org_id: orgId,
      id: def.id,
      name: def.name,
      type: def.type,
      driver_type: def.driver_type,
      driver_account: def.driver_account ?? null,
      driver_values: toJsonText(split.values),
      secret_paths: toJsonText(split.secretPaths),
      secrets_sealed: sealLeaves(secretBox, orgId, def.id, split.leaves),
      external_secret_refs: split.externalRefs === null ? null : toJsonText(split.externalRefs),
      provision: toJsonText(def.provision),
      in_place_driver_change: def.in_place_driver_change ? 1 : 0,
      active_version_id: previous?.active_version_id ?? '',
      is_deleted: 0,
      created_at: previous && previous.is_deleted === 0 ? previous.created_at : at,
      created_by: previous && previous.is_deleted === 0 ? previous.created_by : actor,
      updated_at: at,
      updated_by: actor,
    };
  }

  /** Creates (or revives a deleted) definition inside `trx`. */
  async function createIn(orgId: string, def: ResourceDefinition, actor: string, trx: Executor): Promise<DefinitionView> {
    const existing = await repo.get(orgId, def.id, trx);
    if (existing && existing.is_deleted === 0) throw new Conflict(`resource definition "${def.id}" already exists`, { kind: 'resource definition', id: def.id });
    const row = rowFor(orgId, def, actor);
    if (existing) await repo.update({ ...row, created_at: existing.created_at }, trx);
    else await repo.insert(row, trx);
    await replaceCriteria(orgId, def, def.criteria, trx);
    const stored = await recordVersion(row, def.criteria, 'created', actor, trx);
    return toView(stored, def.criteria);
  }

  /**
   * Writes a changed definition (same id and type) and its version. With `proposed`, only the version is written:
   * the definition keeps its active version (what deployments use) until the new one is promoted.
   */
  async function updateIn(orgId: string, previous: ResourceDefinitionRow, def: ResourceDefinition, actor: string, trx: Executor, proposed = false): Promise<DefinitionView> {
    const row = rowFor(orgId, def, actor, previous);
    if (proposed) {
      const criteria = (await criteriaByDef(orgId, trx, def.id)).get(def.id) ?? [];
      await writeVersion(row, criteria, 'updated', actor, trx);
      return toView(previous, criteria);
    }
    await repo.update(row, trx);
    const criteria = (await criteriaByDef(orgId, trx, def.id)).get(def.id) ?? [];
    const stored = await recordVersion(row, criteria, 'updated', actor, trx);
    return toView(stored, criteria);
  }

  /** The request body of a definition as stored, for PUT/PATCH merging (secrets as reference paths). */
  function bodyOf(view: DefinitionView): JsonObject {
    return {
      id: view.id,
      name: view.name,
      type: view.type,
      driver_type: view.driver_type,
      ...(view.driver_account !== undefined ? { driver_account: view.driver_account } : {}),
      driver_inputs: view.driver_inputs,
      provision: view.provision,
      in_place_driver_change: view.in_place_driver_change,
    };
  }

  async function activeUsing(orgId: string, defId: string, trx?: Executor): Promise<ActiveResourceRow[]> {
    return active.listByDefinition(orgId, defId, trx);
  }

  function toActiveView(row: ActiveResourceRow): ActiveResourceView {
    return toActiveResourceView(row, secretBox, false);
  }

  function affected(rows: readonly ActiveResourceRow[]): JsonObject[] {
    return rows.map((r) => ({ app_id: r.app_id, env_id: r.env_id, res_id: r.res_id, type: r.type, class: r.class, from_def: r.def_id, to_def: '' }));
  }

  const service = {
    /** Listing filtered for a context and sorted by matching rank (Humanitec's defs list). */
    async list(orgId: string, filters: DefinitionFilters & { deleted?: boolean | undefined } = {}): Promise<DefinitionView[]> {
      await core.orgs.require(orgId);
      const rows = await repo.list(orgId, { includeDeleted: filters.deleted === true });
      const criteria = await criteriaByDef(orgId);
      const byId = new Map(rows.map((r) => [r.id, r]));
      const domain = [...rows.map((r) => toDomain(r, criteria.get(r.id) ?? [], false)), ...defaults];
      const live = rankDefinitionsForContext(domain, filters).map((ranked) => {
        const row = byId.get(ranked.definition.id);
        return row ? toView(row, criteria.get(row.id) ?? []) : defaultView(orgId, ranked.definition);
      });
      const deleted = filters.deleted ? rows.filter((r) => r.is_deleted === 1 && (!filters.res_type || r.type === filters.res_type)) : [];
      return [...live, ...deleted.map((r) => toView(r, criteria.get(r.id) ?? []))];
    },
    /**
     * One page of `list`'s definitions by id (the order and tokens of the API's paged list), read from the store a
     * slice at a time: keyset on the id, rows the filters leave out skipped (the criteria filters are the domain's
     * `rankDefinitionsForContext`, so they run here, on each slice), Baton's defaults merged in by id. Without
     * criteria filters every row read is listed, so a page reads `limit + 1` rows.
     */
    async listPage(orgId: string, filters: DefinitionFilters & { deleted?: boolean | undefined }, page: PageRequest): Promise<Page<DefinitionView>> {
      await core.orgs.require(orgId);
      const after = page.token === undefined ? undefined : decodeIdPageToken(page.token);
      const want = page.limit + 1;
      const includeDeleted = filters.deleted === true;
      const type = filters.res_type ? filters.res_type : undefined;
      const found: DefinitionView[] = [];
      let cursor = after;
      for (let slice = want; ; slice = Math.min(slice * 2, LIST_SLICE_MAX)) {
        const rows = await repo.listAfter(orgId, { includeDeleted, type, after: cursor, limit: slice });
        const criteria = groupCriteria(await repo.listCriteriaOf(orgId, rows.map((r) => r.id)));
        const live = new Set(rankDefinitionsForContext(rows.map((r) => toDomain(r, criteria.get(r.id) ?? [], false)), filters).map((ranked) => ranked.definition.id));
        // A deleted row comes only with `deleted=true` and passes the type filter in SQL, as `list` lists them.
        for (const row of rows) if (row.is_deleted === 1 || live.has(row.id)) found.push(toView(row, criteria.get(row.id) ?? []));
        if (found.length >= want || rows.length < slice) break;
        cursor = rows[rows.length - 1]!.id;
      }
      const builtins = rankDefinitionsForContext(defaults, filters)
        .filter((ranked) => after === undefined || ranked.definition.id > after)
        .map((ranked) => defaultView(orgId, ranked.definition));
      const merged = [...found.slice(0, want), ...builtins].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return toKeyPage(merged.slice(0, want), page.limit, (view) => view.id);
    },
    async get(orgId: string, defId: string, options: { deleted?: boolean | undefined } = {}): Promise<DefinitionView> {
      const builtin = defaultsById.get(defId);
      if (builtin) {
        await core.orgs.require(orgId);
        return defaultView(orgId, builtin);
      }
      const row = await requireRow(orgId, defId, undefined, options.deleted === true);
      return toView(row, (await criteriaByDef(orgId, undefined, defId)).get(defId) ?? []);
    },
    async create(orgId: string, body: unknown, actor: string): Promise<DefinitionView> {
      return store.transaction(async (trx) => {
        await core.orgs.require(orgId, trx);
        const def = validateDefinitionRequest(body, await validationOptions(orgId, trx));
        if (defaultsById.has(def.id)) throw new Conflict(`resource definition id "${def.id}" is taken by a Baton default; choose another id`, { kind: 'resource definition', id: def.id });
        return createIn(orgId, def, actor, trx);
      });
    },
    /** PUT: replaces everything but id, type and criteria (Humanitec's UpdateResourceDefinitionRequest). */
    async replace(orgId: string, defId: string, body: JsonObject, actor: string): Promise<DefinitionView> {
      refuseDefault(defId);
      return store.transaction(async (trx) => {
        const previous = await requireRow(orgId, defId, trx);
        const { proposed, ...rest } = body;
        const def = validateDefinitionRequest({ driver_type: previous.driver_type, ...rest, id: defId, type: previous.type }, await validationOptions(orgId, trx));
        return updateIn(orgId, previous, def, actor, trx, proposed === true);
      });
    },
    /** PATCH: top-level fields replace, except `driver_inputs`, which is merge-patched section by section. */
    async patch(orgId: string, defId: string, body: JsonObject, actor: string): Promise<DefinitionView> {
      refuseDefault(defId);
      for (const key of Object.keys(body)) if (!PATCHABLE.has(key)) throw new InvalidInput(`${key}: cannot be changed with PATCH`, { field: key });
      return store.transaction(async (trx) => {
        const previous = await requireRow(orgId, defId, trx);
        const current = bodyOf(toView(previous, []));
        const { proposed, driver_inputs: inputsPatch, ...rest } = body;
        const merged: JsonObject = { ...current };
        for (const [k, v] of Object.entries(rest)) {
          if (v === null) delete merged[k];
          else merged[k] = v;
        }
        if (inputsPatch !== undefined) merged.driver_inputs = mergePatch(current.driver_inputs, inputsPatch);
        const def = validateDefinitionRequest(merged, await validationOptions(orgId, trx));
        return updateIn(orgId, previous, def, actor, trx, proposed === true);
      });
    },
    /** Deletes (soft: versions stay readable). Refused while active resources use it unless `force`. */
    async delete(orgId: string, defId: string, options: { force?: boolean | undefined }, actor: string): Promise<void> {
      refuseDefault(defId);
      await store.transaction(async (trx) => {
        const row = await requireRow(orgId, defId, trx);
        const using = await activeUsing(orgId, defId, trx);
        if (using.length > 0 && !options.force) {
          throw new Conflict(
            `resource definition "${defId}" is used by ${using.length} active resource(s): ${using.map((r) => `${r.app_id}/${r.env_id} ${r.type} ${r.res_id}`).join(', ')}; pass force=true to delete it anyway`,
            { kind: 'resource definition', id: defId, resources: affected(using) },
          );
        }
        await repo.deleteCriteriaOf(orgId, defId, trx);
        const deleted = { ...row, is_deleted: 1, updated_at: nowIso(), updated_by: actor };
        await repo.update(deleted, trx);
        await recordVersion(deleted, [], 'deleted', actor, trx);
      });
    },

    async addCriterion(orgId: string, defId: string, body: unknown, actor: string): Promise<MatchingCriterion> {
      refuseDefault(defId);
      return store.transaction(async (trx) => {
        const row = await requireRow(orgId, defId, trx);
        const criterion = normalizeCriterion(body, defId, 'criteria');
        const existing = (await criteriaByDef(orgId, trx, defId)).get(defId) ?? [];
        if (existing.some((c) => c.id === criterion.id)) {
          throw new Conflict(`definition "${defId}" already has criterion ${criterion.id}`, { type: row.type, criterion, conflictsWith: defId });
        }
        const criteria = [...existing, criterion];
        await replaceCriteria(orgId, row, criteria, trx);
        await recordVersion(row, criteria, 'updated', actor, trx);
        return criterion;
      });
    },
    async replaceCriteria(orgId: string, defId: string, bodies: readonly unknown[], actor: string): Promise<MatchingCriterion[]> {
      refuseDefault(defId);
      return store.transaction(async (trx) => {
        const row = await requireRow(orgId, defId, trx);
        const criteria = bodies.map((b, i) => normalizeCriterion(b, defId, `[${i}]`));
        await replaceCriteria(orgId, row, criteria, trx);
        await recordVersion(row, criteria, 'updated', actor, trx);
        return criteria;
      });
    },
    async deleteCriterion(orgId: string, defId: string, criterionId: string, options: { force?: boolean | undefined }, actor: string): Promise<void> {
      refuseDefault(defId);
      await store.transaction(async (trx) => {
        const row = await requireRow(orgId, defId, trx);
        const existing = (await criteriaByDef(orgId, trx, defId)).get(defId) ?? [];
        if (!existing.some((c) => c.id === criterionId)) {
          throw new NotFound('matching criteria', criterionId, `definition "${defId}" has no matching criteria "${criterionId}"`, { def_id: defId });
        }
        const using = (await activeUsing(orgId, defId, trx)).filter((r) => r.criteria_id === criterionId);
        if (using.length > 0 && !options.force) {
          throw new Conflict(`matching criteria "${criterionId}" selected ${using.length} active resource(s); pass force=true to delete it anyway`, {
            kind: 'matching criteria',
            id: criterionId,
            resources: affected(using),
          });
        }
        await repo.deleteCriterion(orgId, defId, criterionId, trx);
        await recordVersion(row, existing.filter((c) => c.id !== criterionId), 'updated', actor, trx);
      });
    },

    /**
     * Versions, newest first. A deleted definition's versions need `deleted: true` (Humanitec's rule). With a page
     * request, one page and the token of the next.
     */
    async listVersions(orgId: string, defId: string, options: { deleted?: boolean | undefined; page?: PageRequest | undefined } = {}): Promise<Page<DefinitionVersionView>> {
      const builtin = defaultsById.get(defId);
      let all: DefinitionVersionView[];
      if (builtin) {
        await core.orgs.require(orgId);
        all = [defaultVersionView(orgId, builtin)];
      } else {
        const row = await requireRow(orgId, defId, undefined, options.deleted === true);
        const versions = await repo.listVersions(orgId, defId);
        const activeSeq = versions.find((v) => v.id === row.active_version_id)?.seq ?? 0;
        all = versions.map((v) => versionView(v, row.active_version_id, activeSeq));
      }
      if (!options.page) return { items: all };
      const start = options.page.token === undefined ? 0 : startAfter(all, options.page.token);
      const items = all.slice(start, start + options.page.limit);
      const last = items.at(-1);
      return start + items.length < all.length && last ? { items, nextToken: encodePageToken({ created_at: last.created_at, id: last.id }) } : { items };
    },
    async getVersion(orgId: string, defId: string, versionId: string): Promise<DefinitionVersionView> {
      const builtin = defaultsById.get(defId);
      if (builtin) {
        await core.orgs.require(orgId);
        const only = defaultVersionView(orgId, builtin);
        if (only.id !== versionId) throw new NotFound('resource definition version', versionId, undefined, { def_id: defId });
        return only;
      }
      const row = await requireRow(orgId, defId, undefined, true);
      const version = await requireVersion(orgId, defId, versionId);
      const activeSeq = row.active_version_id === version.id ? version.seq : ((await repo.getVersion(orgId, defId, row.active_version_id))?.seq ?? 0);
      return versionView(version, row.active_version_id, activeSeq);
    },
    /**
     * `POST …/versions/{v}/actions/archive {archived?}` (default true). The active version, and a version an active
     * resource is pinned to, cannot be archived (400); Baton's defaults cannot be changed (409).
     */
    async archiveVersion(orgId: string, defId: string, versionId: string, archived: boolean): Promise<void> {
      refuseDefault(defId);
      await store.transaction(async (trx) => {
        const row = await requireRow(orgId, defId, trx);
        const version = await requireVersion(orgId, defId, versionId, trx);
        if (archived && version.id === row.active_version_id) {
          throw new InvalidInput(`version "${versionId}" is the active version of resource definition "${defId}"; promote another version before archiving it`, { def_id: defId, version_id: versionId });
        }
        if (archived) {
          const pinned = await active.listPinnedTo(orgId, defId, versionId, trx);
          if (pinned.length > 0) {
            throw new InvalidInput(
              `version "${versionId}" of resource definition "${defId}" is pinned by ${pinned.length} active resource(s): ${pinned.map((r) => `${r.app_id}/${r.env_id} ${r.type} ${r.res_id}`).join(', ')}; unpin them first`,
              { def_id: defId, version_id: versionId, resources: pinned.map((r) => ({ app_id: r.app_id, env_id: r.env_id, type: r.type, class: r.class, res_id: r.res_id })) },
            );
          }
        }
        await repo.setVersionArchived(orgId, defId, versionId, archived, trx);
      });
    },
    /**
     * `POST …/versions/{v}/actions/promote`: the version becomes the active one, what every deployment without a pin
     * provisions with. The definition takes the version's content (name, driver, inputs, provision); its matching
     * criteria stay as they are (they choose the definition, a version says how it provisions). No new version is
     * written. Archived versions and the version recording a deletion cannot be promoted (400).
     */
    async promoteVersion(orgId: string, defId: string, versionId: string, actor: string): Promise<void> {
      refuseDefault(defId);
      await store.transaction(async (trx) => {
        const row = await requireRow(orgId, defId, trx);
        const version = await requireVersion(orgId, defId, versionId, trx);
        const why = unusable(version);
        if (why !== undefined) throw new InvalidInput(`cannot promote: ${why}`, { def_id: defId, version_id: versionId });
        if (version.id === row.active_version_id) return;
        const content = fromJsonText<VersionContent>(version.content)!;
        await repo.update(
          {
            ...row,
            name: content.name,
            driver_type: content.driver_type,
            driver_account: content.driver_account,
            driver_values: toJsonText(content.values),
            secret_paths: toJsonText(content.secret_paths),
            secrets_sealed: version.secrets_sealed,
            external_secret_refs: content.external_secret_refs === null ? null : toJsonText(content.external_secret_refs),
            provision: toJsonText(content.provision),
            in_place_driver_change: content.in_place_driver_change ? 1 : 0,
            active_version_id: version.id,
            updated_at: nowIso(),
            updated_by: actor,
          },
          trx,
        );
      });
    },
    /**
     * `POST …/envs/{envId}/resources/{type[.class]}/{resId}/actions/pin {target_def_version_id}`: later deployments
     * provision this resource with that version of its definition (`null` unpins). The version must belong to the
     * definition the resource was provisioned from and be usable (not archived, not a deletion record). Returns the
     * resource's GUResID (the env's resource list shows it, `target_def_version_id` included).
     */
    async pin(orgId: string, appId: string, envId: string, typeAndClass: string, resId: string, targetVersionId: string | null): Promise<{ guresid: string }> {
      await core.envs.get(orgId, appId, envId);
      return store.transaction(async (trx) => {
        const [type, cls] = typeAndClass.split('.', 2) as [string, string | undefined];
        const rows = (await active.listByEnv(orgId, appId, envId, trx)).filter((r) => r.type === type && r.res_id === resId && (cls === undefined || r.class === cls));
        if (rows.length === 0) throw new NotFound('active resource', `${typeAndClass}/${resId}`, undefined, { env_id: envId });
        if (rows.length > 1) {
          throw new InvalidInput(`${rows.length} active resources of type "${type}" have id "${resId}" (classes ${rows.map((r) => r.class).join(', ')}); name the class: ${type}.<class>`, { type, res_id: resId });
        }
        const row = rows[0]!;
        if (targetVersionId !== null) {
          if (defaultsById.has(row.def_id)) {
            throw new Conflict(`active resource ${type} "${resId}" comes from Baton default "${row.def_id}", which has one version; it cannot be pinned`, { kind: 'resource definition', id: row.def_id, is_default: true });
          }
          const version = await repo.getVersion(orgId, row.def_id, targetVersionId, trx);
          if (!version) {
            throw new NotFound('resource definition version', targetVersionId, `resource definition "${row.def_id}" (which provisioned ${type} "${resId}") has no version "${targetVersionId}"`, { def_id: row.def_id });
          }
          const why = unusable(version);
          if (why !== undefined) throw new InvalidInput(`cannot pin: ${why}`, { def_id: row.def_id, version_id: targetVersionId });
        }
        await active.setPin(orgId, appId, envId, row.guresid, targetVersionId, trx);
        return { guresid: row.guresid };
      });
    },
    /**
     * The environment's pins for the engine: descriptor (`type.class#res_id`) → the pinned version as a definition
     * (secrets opened). The graph uses one while the resource still matches that definition. Never hand to a response.
     */
    async pinsForEngine(orgId: string, appId: string, envId: string, trx?: Executor): Promise<Map<string, ResourceDefinition>> {
      const pinnedRows = (await active.listByEnv(orgId, appId, envId, trx)).filter((r) => r.target_def_version_id !== null);
      const out = new Map<string, ResourceDefinition>();
      if (pinnedRows.length === 0) return out;
      const versions = new Map((await repo.getVersionsByIds(orgId, pinnedRows.map((r) => r.target_def_version_id!), trx)).map((v) => [`${v.def_id}/${v.id}`, v]));
      const criteria = await criteriaByDef(orgId, trx);
      for (const r of pinnedRows) {
        const version = versions.get(`${r.def_id}/${r.target_def_version_id}`);
        if (!version || unusable(version) !== undefined) continue;
        out.set(formatDescriptor({ type: r.type, class: r.class || DEFAULT_CLASS, resId: r.res_id }), withImplicitDriverInputs(versionAsDefinition(version, criteria.get(r.def_id) ?? [])));
      }
      return out;
    },
    async activeResources(orgId: string, defId: string): Promise<ActiveResourceView[]> {
      if (defaultsById.has(defId)) await core.orgs.require(orgId);
      else await requireRow(orgId, defId, undefined, true);
      return (await activeUsing(orgId, defId)).map(toActiveView);
    },
    /** One page of `activeResources` by `app/env/type/class/res_id`, read from the store a page at a time. */
    async activeResourcesPage(orgId: string, defId: string, page: PageRequest): Promise<Page<ActiveResourceView>> {
      if (defaultsById.has(defId)) await core.orgs.require(orgId);
      else await requireRow(orgId, defId, undefined, true);
      const rows = await active.pageByDefinition(orgId, defId, page);
      return { ...rows, items: rows.items.map(toActiveView) };
    },

    /**
     * Every live definition of the org with secrets opened, then Baton's defaults: what matching, explain,
     * graphs, plans and deployments all use. Never hand these to a response.
     */
    async loadForEngine(orgId: string, trx?: Executor): Promise<ResourceDefinition[]> {
      const rows = await repo.list(orgId, {}, trx);
      const criteria = await criteriaByDef(orgId, trx);
      // Humanitec's built-in drivers that read the graph (humanitec/ingress) get their implicit inputs here, so
      // deployments, plans, graphs and explain build the same graph.
      return [...rows.map((r) => toDomain(r, criteria.get(r.id) ?? [], true)), ...defaults].map(withImplicitDriverInputs);
    },

    /**
     * Applies Humanitec Definition manifests (multi-document YAML): new ids are created, changed ones updated
     * (criteria replaced), identical ones left alone. All or nothing.
     */
    async importManifests(orgId: string, yamlText: string, fileName: string, actor: string): Promise<ImportResult> {
      return store.transaction(async (trx) => {
        await core.orgs.require(orgId, trx);
        const parsed = parseDefinitionManifests(yamlText, fileName, await validationOptions(orgId, trx));
        const seen = new Set<string>();
        for (const { definition } of parsed) {
          refuseDefault(definition.id);
          if (seen.has(definition.id)) throw new InvalidInput(`${fileName}: definition "${definition.id}" appears twice`, { id: definition.id });
          seen.add(definition.id);
        }
        const result: ImportResult = { created: [], updated: [], unchanged: [] };
        const allCriteria = await criteriaByDef(orgId, trx);
        // Criteria are cleared first so that moving a criterion between two definitions of one file is not a duplicate.
        const plans: { def: ResourceDefinition; previous?: ResourceDefinitionRow }[] = [];
        for (const { definition } of parsed) {
          const previous = await repo.get(orgId, definition.id, trx);
          if (!previous || previous.is_deleted === 1) {
            plans.push({ def: definition });
            continue;
          }
          if (previous.type !== definition.type) {
            throw new Conflict(`${fileName}: definition "${definition.id}" exists with type "${previous.type}", not "${definition.type}"`, { id: definition.id });
          }
          const current = toDomain(previous, allCriteria.get(previous.id) ?? [], true);
          if (fingerprint(orgId, current) === fingerprint(orgId, definition)) result.unchanged.push(definition.id);
          else plans.push({ def: definition, previous });
        }
        for (const { def, previous } of plans) if (previous) await repo.deleteCriteriaOf(orgId, def.id, trx);
        for (const { def, previous } of plans) {
          if (!previous) {
            await createIn(orgId, def, actor, trx);
            result.created.push(def.id);
          } else {
            const row = rowFor(orgId, def, actor, previous);
            await repo.update(row, trx);
            await replaceCriteria(orgId, def, def.criteria, trx);
            await recordVersion(row, def.criteria, 'updated', actor, trx);
            result.updated.push(def.id);
          }
        }
        return result;
      });
    },

    /** Explains which definition a resource gets in an environment (Baton's `/baton/match`). */
    async explain(orgId: string, query: { appId: string; envId: string; type: string; class?: string | undefined; resId: string }): Promise<MatchExplanation> {
      const env = await core.envs.get(orgId, query.appId, query.envId);
      const definitions = await service.loadForEngine(orgId);
      return explainMatch(
        definitions,
        { type: query.type, ...(query.class ? { class: query.class } : {}), resId: query.resId },
        { appId: query.appId, envId: query.envId, envType: env.type },
      );
    },
  };

  /** Index after the item a page token names (the last item of the previous page). */
  function startAfter(items: readonly DefinitionVersionView[], token: string): number {
    const position = decodePageToken(token);
    const at = items.findIndex((v) => v.id === position.id);
    if (at < 0) throw new InvalidInput('page: the version this token continues from no longer exists', { field: 'page' });
    return at + 1;
  }

  /** `proposed`: newer than the active version, neither archived nor a deletion record. */
  function versionView(version: ResourceDefinitionVersionRow, activeId: string, activeSeq: number): DefinitionVersionView {
    const content = fromJsonText<VersionContent>(version.content)!;
    return {
      id: version.id,
      org_id: version.org_id,
      def_id: version.def_id,
      name: content.name,
      type: content.type,
      driver_type: content.driver_type,
      driver_account: content.driver_account ?? '',
      driver_inputs: redactedDriverInputs(version.org_id, version.def_id, {
        values: content.values,
        secretPaths: content.secret_paths,
        externalRefs: content.external_secret_refs,
        versionId: version.id,
      }),
      in_place_driver_change: content.in_place_driver_change,
      provision: content.provision,
      criteria: content.criteria,
      action: version.action,
      archived: version.archived === 1,
      active: version.id === activeId,
      proposed: version.id !== activeId && version.seq > activeSeq && version.archived === 0 && version.action !== 'deleted',
      created_at: version.created_at,
      created_by: version.created_by,
    };
  }

  return service;
}
export type DefinitionsService = ReturnType<typeof createDefinitionsService>;
