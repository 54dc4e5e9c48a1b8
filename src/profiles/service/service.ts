/**
 * Workload profiles an org can use: the built-ins (src/profiles, read-only, qualified `humanitec/…` and `baton/…`)
 * plus the org's custom profiles stored with their versions. `profileRegistryFor(orgId)` gives the deployment engine
 * a `ProfileRegistry` holding both.
 *
 * A custom profile renders in one of two ways:
 * - `baton_template` (Baton extension): a Go template producing the objects (see `templateProfile`);
 * - `workload_profile_chart.id` naming a built-in profile (`humanitec/default-module` or `default-module`): the
 *   built-in renders it, after the module spec passed the custom profile's own schema too. This is how Humanitec
 *   users narrow the default module with their own spec_definition.
 * Helm charts (Humanitec's other chart ids) are not supported: Baton does not run Helm.
 */
import { randomBytes } from 'node:crypto';
import { BATON_VERSION } from '../../config/index.js';
import type { CoreServices } from '../../org/index.js';
import { BUILTIN_PROFILES, ProfileRegistry, templateProfile, validateSpecWith } from '../index.js';
import type { K8sObject, RenderRequest, ResolvedObject, SpecIssue, WorkloadProfile } from '../index.js';
import { canonicalJson, sha256Hex } from '../../shared/canonical-json.js';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../../shared/errors.js';
import { checkId } from '../../shared/ids.js';
import { fromJsonText, nowIso, toJsonText } from '../../store/index.js';
import type { Store } from '../../store/index.js';
import { createWorkloadProfilesRepo } from '../../store/workload-profiles-repo.js';
import type { WorkloadProfileRow, WorkloadProfileVersionRow } from '../../store/workload-profiles-repo.js';
import { parseTemplate, type HostLookupPolicy, type TemplateLimits } from '../../templates/index.js';
import { checkSchemaCompiles, checkSpecDefinition, definitionFromSchema, schemaFromDefinition, validatorSchema } from './spec-schema.js';
import type { JsonSchema, SpecDefinition } from './spec-schema.js';

/** Chart reference reported for template profiles that did not name one. */
export const TEMPLATE_CHART_ID = 'baton/template';
/** Who "created" the built-ins in responses. */
const BUILTIN_AUTHOR = 'baton';
/** Upper bound for a template, so one request cannot store megabytes that every deployment then parses. */
const MAX_TEMPLATE_LENGTH = 256 * 1024;
const MAX_VERSION_LENGTH = 100;

export interface ChartReference {
  id: string;
  version: string;
}

/** Body of create (with `id`) and update (without). Optional fields follow Baton's rules, see the module comment. */
export interface WorkloadProfileInput {
  id?: string | undefined;
  description?: string | undefined;
  deprecation_message?: string | undefined;
  spec_definition?: Record<string, unknown> | undefined;
  spec_schema?: Record<string, unknown> | undefined;
  version?: string | undefined;
  workload_profile_chart?: ChartReference | undefined;
  baton_template?: string | undefined;
}

/** What a profile and each of its versions show: Humanitec's fields plus `baton_template`. */
interface WorkloadProfileContent {
  org_id: string;
  version: string;
  description: string;
  deprecation_message?: string;
  spec_definition: SpecDefinition;
  spec_schema: JsonSchema;
  workload_profile_chart: ChartReference;
  baton_template?: string;
  created_at: string;
  created_by: string;
}

/** Humanitec's WorkloadProfileResponse plus `baton_template`. */
export interface WorkloadProfileView extends WorkloadProfileContent {
  id: string;
  updated_at: string;
  updated_by: string;
}

/** Humanitec's WorkloadProfileVersionResponse (`id` is the version id) plus `baton_template`. */
export interface WorkloadProfileVersionView extends WorkloadProfileContent {
  workload_profile_id: string;
  id: string;
}

export interface SpecValidationResult {
  /** Qualified id of the profile validated against. */
  profile: string;
  version: string;
  valid: boolean;
  /** JSON pointers into the module (`/spec/containers/main/image`). */
  issues: SpecIssue[];
}

const builtinsByQid = new Map(BUILTIN_PROFILES.map((p) => [p.id, p]));

function splitQid(qid: string): { owner: string; id: string } | undefined {
  const slash = qid.indexOf('/');
  if (slash <= 0 || slash === qid.length - 1) return undefined;
  return { owner: qid.slice(0, slash), id: qid.slice(slash + 1) };
}

/** A built-in by qualified id or, for chart references, by its short id (`default-module`). */
function builtinByChartId(chartId: string): WorkloadProfile | undefined {
  return builtinsByQid.get(chartId) ?? BUILTIN_PROFILES.find((p) => splitQid(p.id)?.id === chartId);
}

/** The fields that make up one version of a custom profile (shared by the current row and version rows). */
type ProfileContent = Pick<
  WorkloadProfileRow,
  'description' | 'deprecation_message' | 'spec_definition' | 'spec_schema' | 'workload_profile_chart' | 'baton_template'
>;

/** Effective schema of stored content: the explicit one, else derived from the definition, else the renderer's. */
function effectiveSchema(content: ProfileContent): JsonSchema {
  const explicit = fromJsonText<JsonSchema>(content.spec_schema);
  if (explicit) return explicit;
  const derived = schemaFromDefinition(fromJsonText<SpecDefinition>(content.spec_definition) ?? {});
  if (derived) return derived;
  const chart = fromJsonText<ChartReference>(content.workload_profile_chart);
  const builtin = content.baton_template === null && chart ? builtinByChartId(chart.id) : undefined;
  return builtin?.specSchema ?? { type: 'object' };
}

function chartOf(content: ProfileContent, version: string): ChartReference {
  return fromJsonText<ChartReference>(content.workload_profile_chart) ?? { id: TEMPLATE_CHART_ID, version };
}

function contentView(content: ProfileContent, version: string) {
  return {
    description: content.description,
    ...(content.deprecation_message !== null ? { deprecation_message: content.deprecation_message } : {}),
    spec_definition: fromJsonText<SpecDefinition>(content.spec_definition) ?? {},
    spec_schema: effectiveSchema(content),
    workload_profile_chart: chartOf(content, version),
    ...(content.baton_template !== null ? { baton_template: content.baton_template } : {}),
  };
}

function profileView(row: WorkloadProfileRow): WorkloadProfileView {
  return {
    org_id: row.org_id,
    id: row.id,
    version: row.version,
    ...contentView(row, row.version),
    created_at: row.created_at,
    created_by: row.created_by,
    updated_at: row.updated_at,
    updated_by: row.updated_by,
  };
}

function versionView(row: WorkloadProfileVersionRow): WorkloadProfileVersionView {
  return {
    org_id: row.org_id,
    workload_profile_id: row.profile_id,
    id: row.id,
    version: row.id,
    ...contentView(row, row.id),
    created_at: row.created_at,
    created_by: row.created_by,
  };
}

function builtinView(profile: WorkloadProfile, since: string): WorkloadProfileView {
  const qualified = splitQid(profile.id) ?? { owner: BUILTIN_AUTHOR, id: profile.id };
  return {
    org_id: qualified.owner,
    id: qualified.id,
    // Built-ins change only with Baton itself.
    version: BATON_VERSION,
    description: profile.description,
    spec_definition: definitionFromSchema(profile.specSchema),
    spec_schema: profile.specSchema,
    workload_profile_chart: { id: profile.id, version: BATON_VERSION },
    // The org has had the built-ins since it exists.
    created_at: since,
    created_by: BUILTIN_AUTHOR,
    updated_at: since,
    updated_by: BUILTIN_AUTHOR,
  };
}

function builtinVersionView(profile: WorkloadProfile, since: string): WorkloadProfileVersionView {
  const { updated_at: _updatedAt, updated_by: _updatedBy, id, ...view } = builtinView(profile, since);
  return { ...view, workload_profile_id: id, id: BATON_VERSION };
}

/** Validates an input and turns it into stored content; `InvalidInput` names the offending field. */
function contentFromInput(qid: string, input: WorkloadProfileInput): ProfileContent {
  const template = input.baton_template;
  const chart = input.workload_profile_chart;
  if (template !== undefined) {
    if (template.trim() === '') throw new InvalidInput('baton_template: must not be empty', { field: 'baton_template' });
    if (template.length > MAX_TEMPLATE_LENGTH) {
      throw new InvalidInput(`baton_template: at most ${MAX_TEMPLATE_LENGTH} characters`, { field: 'baton_template' });
    }
    try {
      parseTemplate(template, { name: qid });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const where = error instanceof InvalidInput ? error.details : {};
      throw new InvalidInput(`baton_template: does not parse: ${reason}`, { ...where, field: 'baton_template' }, { cause: error });
    }
    if (chart && builtinByChartId(chart.id)) {
      throw new InvalidInput(
        `workload_profile_chart: "${chart.id}" is a built-in profile; a profile is rendered either by baton_template or by a built-in chart, not both`,
        { field: 'workload_profile_chart' },
      );
    }
  } else if (!chart || !builtinByChartId(chart.id)) {
    throw new InvalidInput(
      `baton_template: required unless workload_profile_chart.id names a built-in profile (${[...builtinsByQid.keys()].join(', ')}); ` +
        `Baton renders profiles from Go templates, not Helm charts${chart ? ` (got chart "${chart.id}")` : ''}`,
      { field: 'baton_template' },
    );
  }
  const definition = checkSpecDefinition(input.spec_definition ?? {});
  if (input.spec_schema !== undefined) checkSchemaCompiles(input.spec_schema, 'spec_schema');
  return {
    description: input.description ?? '',
    deprecation_message: input.deprecation_message !== undefined && input.deprecation_message !== '' ? input.deprecation_message : null,
    spec_definition: toJsonText(definition),
    spec_schema: input.spec_schema !== undefined ? toJsonText(input.spec_schema) : null,
    workload_profile_chart: chart ? toJsonText({ id: chart.id, version: chart.version }) : null,
    baton_template: template ?? null,
  };
}

function checkVersionId(version: string | undefined): string | undefined {
  if (version === undefined) return undefined;
  if (version === '' || version.length > MAX_VERSION_LENGTH || /[\s/]/.test(version)) {
    throw new InvalidInput(`version: must be 1-${MAX_VERSION_LENGTH} characters without spaces or "/"`, { field: 'version' });
  }
  return version;
}

/** A stored custom profile as something the engine can render with. */
function renderableProfile(qid: string, content: ProfileContent, options: WorkloadProfilesOptions): WorkloadProfile {
  const explicitOrDerived = fromJsonText<JsonSchema>(content.spec_schema) ?? schemaFromDefinition(fromJsonText<SpecDefinition>(content.spec_definition) ?? {});
  const ownSchema = explicitOrDerived ? validatorSchema(explicitOrDerived) : undefined;
  const description = content.description || `Custom workload profile ${qid}`;
  if (content.baton_template !== null) {
    return templateProfile({
      id: qid,
      description,
      template: content.baton_template,
      ...(ownSchema ? { specSchema: ownSchema } : {}),
      ...(options.templateLimits ? { limits: options.templateLimits } : {}),
      ...(options.templateHostLookup ? { hostLookup: options.templateHostLookup } : {}),
    });
  }
  const chart = fromJsonText<ChartReference>(content.workload_profile_chart);
  const builtin = chart ? builtinByChartId(chart.id) : undefined;
  // contentFromInput guarantees one of the two renderers; stored rows only come from there.
  if (!builtin) throw new InvalidInput(`workload profile "${qid}" has neither a template nor a built-in chart`, { profile: qid });
  if (!ownSchema) return { id: qid, description, specSchema: builtin.specSchema, render: (request) => builtin.render(request) };
  const profile: WorkloadProfile = {
    id: qid,
    description,
    specSchema: ownSchema,
    async render(request: RenderRequest): Promise<K8sObject[]> {
      const issues = validateSpecWith(profile, request.module.spec);
      if (issues.length > 0) {
        throw new InvalidInput(
          `module "${request.workloadId}" does not fit profile "${qid}": ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
          { workload: request.workloadId, profile: qid, issues },
        );
      }
      return await builtin.render(request);
    },
  };
  return profile;
}

function dedupe(issues: SpecIssue[]): SpecIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface WorkloadProfilesOptions {
  /** Limits of every Go-template profile render (config `BATON_TEMPLATE_*`). */
  templateLimits?: TemplateLimits;
  /** Names `getHostByName` may resolve in those renders (config `BATON_TEMPLATE_HOST_LOOKUP*`). */
  templateHostLookup?: HostLookupPolicy;
}

export function createWorkloadProfilesService(store: Store, core: CoreServices, options: WorkloadProfilesOptions = {}) {
  const repo = createWorkloadProfilesRepo(store.db, store.dialect);
  /** Renderable profiles per `org/id`, rebuilt when the stored content changes (compiling schemas and templates is not free). */
  const renderables = new Map<string, { contentHash: string; profile: WorkloadProfile }>();

  function renderableFor(row: WorkloadProfileRow): WorkloadProfile {
    const qid = `${row.org_id}/${row.id}`;
    const content: ProfileContent = {
      description: row.description,
      deprecation_message: row.deprecation_message,
      spec_definition: row.spec_definition,
      spec_schema: row.spec_schema,
      workload_profile_chart: row.workload_profile_chart,
      baton_template: row.baton_template,
    };
    const contentHash = sha256Hex(canonicalJson(content));
    const cached = renderables.get(qid);
    if (cached?.contentHash === contentHash) return cached.profile;
    const profile = renderableProfile(qid, content, options);
    renderables.set(qid, { contentHash, profile });
    return profile;
  }

  /**
   * What a path's `profileQid` names: `<org>/<id>` (a built-in, or one of this org's profiles), or a bare id (this
   * org's profile, else a built-in with that short id).
   */
  async function resolve(
    orgId: string,
    profileQid: string,
  ): Promise<{ kind: 'builtin'; profile: WorkloadProfile; since: string } | { kind: 'custom'; row: WorkloadProfileRow }> {
    const org = await core.orgs.require(orgId);
    const qualified = splitQid(profileQid);
    const builtin = builtinsByQid.get(profileQid);
    if (builtin) return { kind: 'builtin', profile: builtin, since: org.created_at };
    const ownId = qualified ? (qualified.owner === orgId ? qualified.id : undefined) : profileQid;
    const row = ownId !== undefined ? await repo.get(orgId, ownId) : undefined;
    if (row) return { kind: 'custom', row };
    const shortBuiltin = qualified ? undefined : BUILTIN_PROFILES.find((p) => splitQid(p.id)?.id === profileQid);
    if (shortBuiltin) return { kind: 'builtin', profile: shortBuiltin, since: org.created_at };
    throw new NotFound('workload profile', profileQid, undefined, { org_id: orgId });
  }

  async function requireCustom(orgId: string, profileQid: string, action: string): Promise<WorkloadProfileRow> {
    const found = await resolve(orgId, profileQid);
    if (found.kind === 'builtin') {
      throw new Forbidden(
        `workload profile "${found.profile.id}" is built into Baton and cannot be ${action}; create your own profile instead ` +
          `(with a baton_template, or with workload_profile_chart.id "${found.profile.id}" and your own spec_definition)`,
        { profile: found.profile.id, builtin: true },
      );
    }
    return found.row;
  }

  /** Inserts the next version of a profile inside `trx`; the version id is the caller's or generated (`1`, `2`, …). */
  async function addVersion(
    row: WorkloadProfileRow,
    requested: string | undefined,
    actor: string,
    at: string,
    trx: Parameters<typeof repo.insertVersion>[1],
  ): Promise<string> {
    const existing = await repo.listVersions(row.org_id, row.id, trx);
    const seq = (existing[0]?.seq ?? 0) + 1;
    let version = requested;
    if (version === undefined) {
      const taken = new Set(existing.map((v) => v.id));
      version = String(seq);
      // A caller may already have chosen the number as a version id.
      while (taken.has(version)) version = `${seq}-${randomBytes(3).toString('hex')}`;
    }
    await repo.insertVersion(
      {
        org_id: row.org_id,
        profile_id: row.id,
        id: version,
        seq,
        description: row.description,
        deprecation_message: row.deprecation_message,
        spec_definition: row.spec_definition,
        spec_schema: row.spec_schema,
        workload_profile_chart: row.workload_profile_chart,
        baton_template: row.baton_template,
        created_at: at,
        created_by: actor,
      },
      trx,
    );
    return version;
  }

  const service = {
    /** Built-ins (qualified by `humanitec`/`baton`), then the org's own; deprecated ones only when asked. */
    async list(orgId: string, options: { includeDeprecated?: boolean } = {}): Promise<WorkloadProfileView[]> {
      const org = await core.orgs.require(orgId);
      const own = (await repo.list(orgId)).filter((row) => options.includeDeprecated === true || row.deprecation_message === null);
      return [...BUILTIN_PROFILES.map((p) => builtinView(p, org.created_at)).sort((a, b) => `${a.org_id}/${a.id}`.localeCompare(`${b.org_id}/${b.id}`)), ...own.map(profileView)];
    },

    async get(orgId: string, profileQid: string): Promise<WorkloadProfileView> {
      const found = await resolve(orgId, profileQid);
      return found.kind === 'builtin' ? builtinView(found.profile, found.since) : profileView(found.row);
    },

    /** Creates a custom profile and its first version. */
    async create(orgId: string, input: WorkloadProfileInput, actor: string): Promise<WorkloadProfileView> {
      await core.orgs.require(orgId);
      const id = checkId('id', input.id);
      const qid = `${orgId}/${id}`;
      if (builtinsByQid.has(qid)) throw new Conflict(`workload profile "${qid}" is a built-in profile`, { field: 'id', profile: qid });
      const content = contentFromInput(qid, input);
      const requestedVersion = checkVersionId(input.version);
      const at = nowIso();
      const row: WorkloadProfileRow = { org_id: orgId, id, version: '', ...content, created_at: at, created_by: actor, updated_at: at, updated_by: actor };
      return await store.transaction(async (trx) => {
        await repo.insert(row, trx);
        const version = await addVersion(row, requestedVersion, actor, at, trx);
        const created = { ...row, version };
        await repo.update(created, trx);
        return profileView(created);
      });
    },

    /** Replaces a custom profile's content; every update is a new version. Built-ins are `Forbidden`. */
    async update(orgId: string, profileQid: string, input: WorkloadProfileInput, actor: string): Promise<WorkloadProfileView> {
      const current = await requireCustom(orgId, profileQid, 'changed');
      const qid = `${orgId}/${current.id}`;
      const content = contentFromInput(qid, input);
      const requestedVersion = checkVersionId(input.version);
      return await store.transaction(async (trx) => {
        await repo.lock(orgId, current.id, trx);
        const locked = await repo.get(orgId, current.id, trx);
        if (!locked) throw new NotFound('workload profile', profileQid, undefined, { org_id: orgId });
        const at = nowIso();
        const next: WorkloadProfileRow = { ...locked, ...content, updated_at: at, updated_by: actor };
        next.version = await addVersion(next, requestedVersion, actor, at, trx);
        await repo.update(next, trx);
        return profileView(next);
      });
    },

    /** Deletes a custom profile and its versions. Built-ins are `Forbidden`. */
    async delete(orgId: string, profileQid: string): Promise<void> {
      const row = await requireCustom(orgId, profileQid, 'deleted');
      if (!(await repo.delete(orgId, row.id))) throw new NotFound('workload profile', profileQid, undefined, { org_id: orgId });
      renderables.delete(`${orgId}/${row.id}`);
    },

    /** Newest first; a built-in has exactly one version (Baton's). */
    async listVersions(orgId: string, profileQid: string): Promise<WorkloadProfileVersionView[]> {
      const found = await resolve(orgId, profileQid);
      if (found.kind === 'builtin') return [builtinVersionView(found.profile, found.since)];
      return (await repo.listVersions(orgId, found.row.id)).map(versionView);
    },

    async latestVersion(orgId: string, profileQid: string): Promise<WorkloadProfileVersionView> {
      const found = await resolve(orgId, profileQid);
      if (found.kind === 'builtin') return builtinVersionView(found.profile, found.since);
      const latest = await repo.latestVersion(orgId, found.row.id);
      if (!latest) throw new NotFound('workload profile version', 'latest', undefined, { org_id: orgId, profile: profileQid });
      return versionView(latest);
    },

    /**
     * Checks a module spec against a profile without deploying. For a custom profile on a built-in chart both its own
     * schema and the built-in's apply, as at deployment time.
     */
    async validateSpec(orgId: string, profileQid: string, spec: ResolvedObject): Promise<SpecValidationResult> {
      const found = await resolve(orgId, profileQid);
      if (found.kind === 'builtin') {
        const issues = validateSpecWith(found.profile, spec);
        return { profile: found.profile.id, version: BATON_VERSION, valid: issues.length === 0, issues };
      }
      const { row } = found;
      const profile = renderableFor(row);
      const chart = row.baton_template === null ? fromJsonText<ChartReference>(row.workload_profile_chart) : null;
      const underlying = chart ? builtinByChartId(chart.id) : undefined;
      const issues = dedupe([
        ...validateSpecWith(profile, spec),
        ...(underlying && underlying !== profile && profile.specSchema !== underlying.specSchema ? validateSpecWith(underlying, spec) : []),
      ]);
      return { profile: `${row.org_id}/${row.id}`, version: row.version, valid: issues.length === 0, issues };
    },

    /** Built-ins plus the org's custom profiles (deprecated ones too: existing workloads keep deploying), for rendering. */
    async profileRegistryFor(orgId: string): Promise<ProfileRegistry> {
      const registry = new ProfileRegistry();
      for (const row of await repo.list(orgId)) registry.add(renderableFor(row));
      return registry;
    },
  };
  return service;
}

export type WorkloadProfilesService = ReturnType<typeof createWorkloadProfilesService>;
