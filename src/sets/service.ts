/**
 * Deployment Sets and Deltas over storage: the domain rules of src/sets (pure) applied to an app's stored sets and
 * deltas. Speaks only domain errors; HTTP stays in src/api/routes/{sets,deltas}.ts.
 *
 * Decisions (Humanitec documents none of these precisely):
 * - Sets are stored per app and content-addressed: storing a set the app already has is a no-op. The empty set
 *   (`EMPTY_SET_ID`, alias `0`) exists in every app without being stored.
 * - A delta application that fails (a JSON-Patch op that does not apply, a module left malformed) throws
 *   `InvalidInput` naming the module, the operation index and the path, and stores nothing.
 * - Delta ids are 40 random hex digits: deltas are mutable drafts, so a content hash would not identify them
 *   (Humanitec's example ids have this format).
 * - Archived deltas can still be read, listed, unarchived and renamed, but their content can no longer be changed
 *   (`Conflict`), as Humanitec says "archived Deltas are still accessible but can no longer be updated".
 * - A user other than the creator who changes a delta is added to `contributers` (Humanitec's spelling).
 * - Listing deltas without `archived` returns the non-archived ones; `archived=true` returns the archived ones.
 */
import { randomBytes } from 'node:crypto';
import type { CoreServices } from '../org/index.js';
import {
  EMPTY_SET,
  EMPTY_SET_ID,
  applyDelta,
  diffSets,
  isSetId,
  mergeDeltas,
  normalizeSet,
  parseDelta,
  resolveSetIdAlias,
  setId as computeSetId,
  setResourceInputs,
} from './index.js';
import type { Delta, DeploymentSet, PatchOperation, ResourceInput, SetResponse } from './index.js';
import { Conflict, InvalidInput, NotFound } from '../shared/errors.js';
import { checkId } from '../shared/ids.js';
import { createDeltasRepo } from '../store/deltas-repo.js';
import type { DeltaChanges, DeltaRow } from '../store/deltas-repo.js';
import { fromJsonText, nowIso, toJsonText } from '../store/index.js';
import type { Executor, Store } from '../store/index.js';
import type { Page, PageRequest } from '../shared/pagination.js';
import { createSetsRepo } from '../store/sets-repo.js';

/** Humanitec `DeltaMetadataResponse`. */
export interface DeltaMetadataView {
  created_by: string;
  created_at: string;
  last_modified_at: string;
  archived: boolean;
  contributers: string[];
  env_id?: string;
  name?: string;
  shared?: boolean;
}

/** Humanitec `DeltaResponse` (without generic-mode `workloads`). */
export interface DeltaView {
  id: string;
  metadata: DeltaMetadataView;
  modules: Delta['modules'];
  shared: PatchOperation[];
}

/** The delta body as stored: only what changes a set. */
type DeltaContent = Pick<Delta, 'modules' | 'shared'>;

export interface DeltaListOptions {
  envId?: string | undefined;
  archived?: boolean | undefined;
  page?: PageRequest | undefined;
}

/** How many times a delta write is retried when another writer changed the delta in between. */
const MAX_WRITE_ATTEMPTS = 5;

export function newDeltaId(): string {
  return randomBytes(20).toString('hex');
}

function toDeltaView(row: DeltaRow): DeltaView {
  const content = fromJsonText<DeltaContent>(row.content)!;
  const metadata: DeltaMetadataView = {
    created_by: row.created_by,
    created_at: row.created_at,
    last_modified_at: row.last_modified_at,
    archived: row.archived === 1,
    contributers: fromJsonText<string[]>(row.contributers) ?? [],
  };
  if (row.env_id !== null) metadata.env_id = row.env_id;
  if (row.name !== null) metadata.name = row.name;
  if (row.shared !== null) metadata.shared = row.shared === 1;
  return { id: row.id, metadata, modules: content.modules, shared: content.shared };
}

function contentOf(delta: Delta): DeltaContent {
  return { modules: delta.modules, shared: delta.shared };
}

function checkEnvId(field: string, value: string): string {
  return checkId(field, value);
}

export function createSetsService(store: Store, core: CoreServices) {
  const setsRepo = createSetsRepo(store.db);
  const deltasRepo = createDeltasRepo(store.db);

  async function requireApp(orgId: string, appId: string, trx?: Executor): Promise<void> {
    await core.orgs.require(orgId, trx);
    const app = await core.repos.apps.get(orgId, appId, trx);
    if (!app) throw new NotFound('application', appId, undefined, { org_id: orgId });
  }

  /** The set content, or `NotFound`. Assumes the app exists. `0` and `EMPTY_SET_ID` are the empty set. */
  async function loadSet(orgId: string, appId: string, id: string, trx?: Executor): Promise<DeploymentSet> {
    const resolved = resolveSetIdAlias(id);
    if (resolved === EMPTY_SET_ID) return EMPTY_SET;
    const row = isSetId(resolved) ? await setsRepo.get(orgId, appId, resolved, trx) : undefined;
    if (!row) throw new NotFound('deployment set', id, undefined, { org_id: orgId, app_id: appId });
    return fromJsonText<DeploymentSet>(row.content)!;
  }

  async function requireDelta(orgId: string, appId: string, deltaId: string, trx?: Executor): Promise<DeltaRow> {
    const row = await deltasRepo.get(orgId, appId, deltaId, trx);
    if (!row) throw new NotFound('delta', deltaId, undefined, { org_id: orgId, app_id: appId });
    return row;
  }

  function contributorsAfter(row: DeltaRow, actor: string): string {
    const contributers = fromJsonText<string[]>(row.contributers) ?? [];
    if (actor === row.created_by || contributers.includes(actor)) return row.contributers;
    return toJsonText([...contributers, actor]);
  }

  /**
   * Read-modify-write of one delta with optimistic concurrency: `change` sees the current row and returns the
   * columns to write; a concurrent writer makes the update miss, and the change is recomputed on the fresh row.
   */
  async function writeDelta(
    orgId: string,
    appId: string,
    deltaId: string,
    actor: string,
    change: (row: DeltaRow) => DeltaChanges,
  ): Promise<DeltaRow> {
    await requireApp(orgId, appId);
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const row = await requireDelta(orgId, appId, deltaId);
      const changes: DeltaChanges = { ...change(row), contributers: contributorsAfter(row, actor), last_modified_at: nowIso() };
      if (await deltasRepo.update(orgId, appId, deltaId, row.revision, changes)) {
        return { ...row, ...changes, revision: row.revision + 1 };
      }
    }
    throw new Conflict(`delta "${deltaId}" is being changed concurrently; try again`, { kind: 'delta', id: deltaId });
  }

  function refuseIfArchived(row: DeltaRow): void {
    if (row.archived === 1) {
      throw new Conflict(`delta "${row.id}" is archived and can no longer be updated; unarchive it first`, { kind: 'delta', id: row.id });
    }
  }

  /** A delta body from a request, without `id` and `metadata` (which content updates ignore). */
  function parseContent(body: unknown, field: string): Delta {
    try {
      const delta = parseDelta(body);
      return { modules: delta.modules, shared: delta.shared };
    } catch (error) {
      if (error instanceof InvalidInput && field !== '') {
        throw new InvalidInput(`${field}: ${error.message}`, { ...error.details, field }, { cause: error });
      }
      throw error;
    }
  }

  const sets = {
    async get(orgId: string, appId: string, id: string): Promise<SetResponse> {
      await requireApp(orgId, appId);
      const content = await loadSet(orgId, appId, id);
      return { id: resolveSetIdAlias(id), ...normalizeSet(content) };
    },
    /** `GET …/sets/{setId}/resources`: the resource inputs the set asks the graph for (src/sets/resource-inputs.ts). */
    async resourceInputs(orgId: string, appId: string, id: string): Promise<ResourceInput[]> {
      await requireApp(orgId, appId);
      return setResourceInputs(normalizeSet(await loadSet(orgId, appId, id)));
    },
    async list(orgId: string, appId: string, page?: PageRequest): Promise<Page<SetResponse>> {
      await requireApp(orgId, appId);
      const result = await setsRepo.list(orgId, appId, page);
      return {
        items: result.items.map((row) => ({ id: row.id, ...fromJsonText<DeploymentSet>(row.content)! })),
        ...(result.nextToken !== undefined ? { nextToken: result.nextToken } : {}),
      };
    },
    /** Stores `set` in the app (a no-op when it is already there) and returns its id. For deployments too. */
    async store(orgId: string, appId: string, set: DeploymentSet, trx?: Executor): Promise<string> {
      const normalized = normalizeSet(set);
      const id = computeSetId(normalized);
      if (id !== EMPTY_SET_ID) {
        await setsRepo.insertIfAbsent({ org_id: orgId, app_id: appId, id, content: toJsonText(normalized), created_at: nowIso() }, trx);
      }
      return id;
    },
    /** The set a deployment would run: `base` (an id or `0`) with the delta applied; nothing is stored. */
    async preview(orgId: string, appId: string, baseId: string, delta: Delta): Promise<DeploymentSet> {
      await requireApp(orgId, appId);
      return applyDelta(await loadSet(orgId, appId, baseId), delta);
    },
    /**
     * `POST .../sets/{setId}`: applies the delta in `body` to the set and stores the result. Returns the new set's
     * id. A delta that does not apply throws `InvalidInput` and nothing is stored.
     */
    async applyDelta(orgId: string, appId: string, baseId: string, body: unknown): Promise<string> {
      const delta = parseContent(body, '');
      const next = await sets.preview(orgId, appId, baseId, delta);
      return sets.store(orgId, appId, next);
    },
    /** The delta that turns set `sourceId` into set `id` (Humanitec `PlainDeltaResponse`). */
    async diff(orgId: string, appId: string, id: string, sourceId: string): Promise<DeltaContent> {
      await requireApp(orgId, appId);
      const [target, source] = [await loadSet(orgId, appId, id), await loadSet(orgId, appId, sourceId)];
      return contentOf(diffSets(source, target));
    },
  };

  const deltas = {
    async get(orgId: string, appId: string, deltaId: string): Promise<DeltaView> {
      await requireApp(orgId, appId);
      return toDeltaView(await requireDelta(orgId, appId, deltaId));
    },
    /** The delta content as the sets domain uses it (for deployments). */
    async getDelta(orgId: string, appId: string, deltaId: string): Promise<Delta> {
      const view = await deltas.get(orgId, appId, deltaId);
      return { id: view.id, modules: view.modules, shared: view.shared };
    },
    async list(orgId: string, appId: string, options: DeltaListOptions = {}): Promise<Page<DeltaView>> {
      await requireApp(orgId, appId);
      const result = await deltasRepo.list(orgId, appId, { envId: options.envId, archived: options.archived ?? false }, options.page);
      return { items: result.items.map(toDeltaView), ...(result.nextToken !== undefined ? { nextToken: result.nextToken } : {}) };
    },
    /** `POST .../deltas`: a new delta with the body's content and its metadata `env_id`, `name`, `shared`. */
    async create(orgId: string, appId: string, body: unknown, actor: string): Promise<DeltaView> {
      const parsed = parseDelta(body);
      const metadata = parsed.metadata ?? {};
      if (metadata.env_id !== undefined) checkEnvId('metadata.env_id', metadata.env_id);
      await requireApp(orgId, appId);
      const at = nowIso();
      const row: DeltaRow = {
        org_id: orgId,
        app_id: appId,
        id: newDeltaId(),
        env_id: metadata.env_id ?? null,
        name: metadata.name ?? null,
        archived: 0,
        shared: metadata.shared === undefined ? null : metadata.shared ? 1 : 0,
        contributers: '[]',
        content: toJsonText(contentOf(parsed)),
        created_by: actor,
        created_at: at,
        last_modified_at: at,
        revision: 0,
      };
      return toDeltaView(await deltasRepo.insert(row));
    },
    /**
     * `PATCH .../deltas/{id}`: merges the deltas in `bodies`, in order, into the stored one (`mergeDeltas`; their
     * `id` and `metadata` are ignored). An update that cannot apply to a module the delta adds throws `InvalidInput`.
     */
    async merge(orgId: string, appId: string, deltaId: string, bodies: readonly unknown[], actor: string): Promise<DeltaView> {
      const updates = bodies.map((body, index) => parseContent(body, `[${index}]`));
      const row = await writeDelta(orgId, appId, deltaId, actor, (current) => {
        refuseIfArchived(current);
        const stored = fromJsonText<DeltaContent>(current.content)!;
        return { content: toJsonText(contentOf(mergeDeltas({ modules: stored.modules, shared: stored.shared }, updates))) };
      });
      return toDeltaView(row);
    },
    /** `PUT .../deltas/{id}`: replaces the content (`id` and `metadata` of the body are ignored). */
    async replace(orgId: string, appId: string, deltaId: string, body: unknown, actor: string): Promise<DeltaView> {
      const content = contentOf(parseContent(body, ''));
      const row = await writeDelta(orgId, appId, deltaId, actor, (current) => {
        refuseIfArchived(current);
        return { content: toJsonText(content) };
      });
      return toDeltaView(row);
    },
    async setArchived(orgId: string, appId: string, deltaId: string, archived: boolean, actor: string): Promise<DeltaView> {
      return toDeltaView(await writeDelta(orgId, appId, deltaId, actor, () => ({ archived: archived ? 1 : 0 })));
    },
    async setEnv(orgId: string, appId: string, deltaId: string, envId: string, actor: string): Promise<DeltaView> {
      checkEnvId('env_id', envId);
      return toDeltaView(await writeDelta(orgId, appId, deltaId, actor, () => ({ env_id: envId })));
    },
    async setName(orgId: string, appId: string, deltaId: string, name: string, actor: string): Promise<DeltaView> {
      return toDeltaView(await writeDelta(orgId, appId, deltaId, actor, () => ({ name })));
    },
  };

  return { sets, deltas };
}

export type SetsService = ReturnType<typeof createSetsService>;
