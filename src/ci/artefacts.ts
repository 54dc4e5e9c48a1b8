/**
 * Artefacts and artefact versions (`/orgs/{o}/artefact-versions`, `/orgs/{o}/artefacts`) and the deprecated image
 * API (`/orgs/{o}/images/{imageId}/builds`), which registers a container artefact version for each build.
 *
 * - A container version (`name`, `version`, `ref`, `commit`, `digest`) that is stored queues the evaluation of the
 *   automation rules (src/ci/rules.ts) in the same transaction; the rules worker performs it.
 * - A workload version carries a Score `spec` (plus `image`, `overrides`, `property_overrides`,
 *   `resource_type_aliases`, `extensions`); it is converted when registered (a spec that does not convert is 400),
 *   and the deployment set fragment is kept with it. `dry_run` converts and validates without storing.
 * - `vcs=git` (the default): a non-empty `ref` must start with `refs/`. `commit`: 5 to 40 lowercase hex digits.
 */
import { randomUUID } from 'node:crypto';
import { convertScoreToSetFragment } from '../score/convert-request.js';
import type { SetFragment } from '../score/convert-request.js';
import { InvalidInput, NotFound } from '../shared/errors.js';
import type { ArtefactRow, ArtefactVersionRow, CiRepo, ImageBuildRow } from '../store/ci-repo.js';
import type { Executor, Store } from '../store/index.js';
import { fromJsonText, nowIso, toJsonText } from '../store/index.js';
import { decodePageToken, encodePageToken } from '../shared/pagination.js';
import type { Page, PageRequest } from '../shared/pagination.js';
import type { ArrivedVersion } from './rules.js';
import { imageRepository, MAX_REF_LENGTH } from './rules.js';

export const ARTEFACT_TYPES = ['container', 'workload'] as const;
const COMMIT = /^[0-9a-f]{5,40}$/;
const MAX_LIST = 1000;

export interface CreateArtefactVersionRequest {
  type: string;
  name: string;
  version?: string | undefined;
  ref?: string | undefined;
  commit?: string | undefined;
  digest?: string | undefined;
  spec?: object | undefined;
  image?: string | undefined;
  overrides?: object | undefined;
  property_overrides?: object | undefined;
  resource_type_aliases?: Record<string, string> | undefined;
  extensions?: unknown;
}

export interface ArtefactView {
  id: string;
  name: string;
  type: string;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface ArtefactVersionView {
  id: string;
  artefact_id: string;
  type: string;
  name: string;
  version: string;
  ref: string;
  commit: string;
  digest?: string;
  archived: boolean;
  created_at: string;
  created_by: string;
  updated_at: string;
  updated_by: string;
}

export interface ImageBuildRequest {
  branch?: string | undefined;
  commit?: string | undefined;
  image: string;
  tags?: string[] | undefined;
}

export interface ImageBuildView {
  branch: string;
  commit: string;
  image: string;
  tags: string[];
  added_at: string;
}

export interface ImageView {
  id: string;
  source: string;
  added_at: string;
  builds: ImageBuildView[];
}

export function toArtefactView(row: ArtefactRow): ArtefactView {
  return { id: row.id, name: row.name, type: row.type, created_at: row.created_at, created_by: row.created_by, updated_at: row.updated_at, updated_by: row.updated_by };
}

export function toVersionView(row: ArtefactVersionRow): ArtefactVersionView {
  return {
    id: row.id,
    artefact_id: row.artefact_id,
    type: row.type,
    name: row.name,
    version: row.version,
    ref: row.ref,
    commit: row.commit,
    ...(row.type === 'container' ? { digest: row.digest } : {}),
    archived: row.archived === 1,
    created_at: row.created_at,
    created_by: row.created_by,
    updated_at: row.updated_at,
    updated_by: row.updated_by,
  };
}

export interface ArtefactsServiceDeps {
  store: Store;
  repo: CiRepo;
  requireOrg(orgId: string): Promise<void>;
  /**
   * The automation rules: `enqueue` queues their evaluation for a container version in the transaction that stores
   * it (src/ci/rules.ts); `wake` tells the rules worker once that committed.
   */
  rules: { enqueue(orgId: string, version: ArrivedVersion, trx: Executor): Promise<void>; wake(): void };
}

export type CreateResult = { stored: ArtefactVersionView } | { dryRun: SetFragment | undefined };

function checkBase(body: CreateArtefactVersionRequest, vcs: string): void {
  if (!(ARTEFACT_TYPES as readonly string[]).includes(body.type)) throw new InvalidInput(`type: must be one of ${ARTEFACT_TYPES.join(', ')}`, { field: 'type' });
  if (body.name.trim() === '') throw new InvalidInput('name: must not be empty', { field: 'name' });
  const ref = body.ref ?? '';
  if (ref.length > MAX_REF_LENGTH) throw new InvalidInput(`ref: at most ${MAX_REF_LENGTH} characters`, { field: 'ref' });
  if (vcs === 'git' && ref !== '' && !ref.startsWith('refs/')) throw new InvalidInput('ref: must start with "refs/" (e.g. refs/heads/main) when vcs is git', { field: 'ref' });
  if (body.commit !== undefined && body.commit !== '' && !COMMIT.test(body.commit)) throw new InvalidInput('commit: must be 5 to 40 lowercase hexadecimal digits', { field: 'commit' });
  if (body.type === 'container' && body.spec !== undefined) throw new InvalidInput('spec: only a workload artefact version has a spec', { field: 'spec' });
  if (body.type === 'workload' && body.spec === undefined) throw new InvalidInput('spec: a workload artefact version needs a Score spec', { field: 'spec' });
}

export function createArtefactsService(deps: ArtefactsServiceDeps) {
  const { repo, store } = deps;

  async function requireVersion(orgId: string, id: string): Promise<ArtefactVersionRow> {
    await deps.requireOrg(orgId);
    const row = await repo.versions.get(orgId, id);
    if (!row) throw new NotFound('artefact version', id, undefined, { org_id: orgId });
    return row;
  }

  async function getImage(orgId: string, imageId: string): Promise<ImageView> {
    await deps.requireOrg(orgId);
    const image = groupImages(await repo.images.builds(orgId, imageId))[0];
    if (!image) throw new NotFound('image', imageId, undefined, { org_id: orgId });
    return image;
  }

  /**
   * Stores the version and, for a container, queues the rules' evaluation in the same transaction (with `also`,
   * e.g. the image build record), so a crash after the answer loses nothing.
   */
  async function register(
    orgId: string,
    body: CreateArtefactVersionRequest,
    actor: string,
    set: SetFragment | undefined,
    via: string,
    also?: (version: ArtefactVersionRow, trx: Executor) => Promise<void>,
  ): Promise<{ stored: ArtefactVersionView }> {
    const at = nowIso();
    const row = await store.transaction(async (trx) => {
      let artefact = await repo.artefacts.find(orgId, body.type, body.name, trx);
      if (!artefact) {
        artefact = { org_id: orgId, id: randomUUID(), type: body.type, name: body.name, created_at: at, created_by: actor, updated_at: at, updated_by: actor };
        await repo.artefacts.insert(artefact, trx);
      } else {
        await repo.artefacts.touch(orgId, artefact.id, actor, trx);
      }
      const workload =
        body.type === 'workload'
          ? toJsonText({ spec: body.spec, image: body.image, overrides: body.overrides, property_overrides: body.property_overrides, resource_type_aliases: body.resource_type_aliases, extensions: body.extensions })
          : null;
      const version: ArtefactVersionRow = {
        org_id: orgId,
        id: randomUUID(),
        artefact_id: artefact.id,
        type: body.type,
        name: body.name,
        version: body.version ?? '',
        ref: body.ref ?? '',
        commit: body.commit ?? '',
        digest: body.digest ?? '',
        archived: 0,
        workload,
        deployment_set: set === undefined ? null : toJsonText(set),
        created_at: at,
        created_by: actor,
        updated_at: at,
        updated_by: actor,
      };
      await repo.versions.insert(version, trx);
      await also?.(version, trx);
      if (version.type === 'container') {
        await deps.rules.enqueue(orgId, { id: version.id, name: version.name, version: version.version, ref: version.ref, commit: version.commit, digest: version.digest, via }, trx);
      }
      return version;
    });
    if (row.type === 'container') deps.rules.wake();
    return { stored: toVersionView(row) };
  }

  return {
    /** `POST /orgs/{o}/artefact-versions`. */
    async createVersion(orgId: string, body: CreateArtefactVersionRequest, actor: string, options: { vcs?: string; dryRun?: boolean } = {}): Promise<CreateResult> {
      await deps.requireOrg(orgId);
      checkBase(body, options.vcs ?? 'git');
      const set =
        body.type === 'workload'
          ? convertScoreToSetFragment({
              spec: body.spec!,
              image: body.image,
              overrides: body.overrides,
              property_overrides: body.property_overrides,
              resource_type_aliases: body.resource_type_aliases,
              extensions: body.extensions,
            })
          : undefined;
      if (options.dryRun) return { dryRun: set };
      return register(orgId, body, actor, set, 'artefact version');
    },
    async listVersions(orgId: string, filter: { artefactId?: string | undefined; name?: string | undefined; reference?: string | undefined; archived?: boolean | undefined; type?: string | undefined; limit?: number | undefined }): Promise<ArtefactVersionView[]> {
      await deps.requireOrg(orgId);
      if (filter.artefactId !== undefined && !(await repo.artefacts.get(orgId, filter.artefactId))) throw new NotFound('artefact', filter.artefactId, undefined, { org_id: orgId });
      const rows = await repo.versions.list(orgId, { artefactId: filter.artefactId, name: filter.name, ref: filter.reference, type: filter.type, archived: filter.archived, limit: Math.min(filter.limit ?? MAX_LIST, MAX_LIST) });
      return rows.map(toVersionView);
    },
    /** One page of `listVersions` (newest first), keyset on `(created_at, id)`: reaches every version, past the 1,000-row cap. */
    async pageVersions(orgId: string, filter: { artefactId?: string | undefined; name?: string | undefined; reference?: string | undefined; archived?: boolean | undefined; type?: string | undefined }, page: PageRequest): Promise<Page<ArtefactVersionView>> {
      await deps.requireOrg(orgId);
      if (filter.artefactId !== undefined && !(await repo.artefacts.get(orgId, filter.artefactId))) throw new NotFound('artefact', filter.artefactId, undefined, { org_id: orgId });
      const after = page.token === undefined ? undefined : decodePageToken(page.token);
      const rows = await repo.versions.list(orgId, { artefactId: filter.artefactId, name: filter.name, ref: filter.reference, type: filter.type, archived: filter.archived, limit: page.limit + 1, after });
      if (rows.length <= page.limit) return { items: rows.map(toVersionView) };
      const items = rows.slice(0, page.limit);
      const last = items[items.length - 1]!;
      return { items: items.map(toVersionView), nextToken: encodePageToken({ created_at: last.created_at, id: last.id }) };
    },
    async getVersion(orgId: string, id: string): Promise<ArtefactVersionView> {
      return toVersionView(await requireVersion(orgId, id));
    },
    /** The Score spec a workload version was registered with. */
    async workloadSpec(orgId: string, id: string): Promise<unknown> {
      const row = await requireVersion(orgId, id);
      if (row.type !== 'workload') throw new NotFound('workload artefact version', id, undefined, { org_id: orgId });
      return fromJsonText<{ spec: unknown }>(row.workload)!.spec;
    },
    /** The deployment set fragment a workload version converts to. */
    async workloadDeploymentSet(orgId: string, id: string): Promise<SetFragment> {
      const row = await requireVersion(orgId, id);
      if (row.type !== 'workload') throw new NotFound('workload artefact version', id, undefined, { org_id: orgId });
      return fromJsonText<SetFragment>(row.deployment_set)!;
    },
    async listArtefacts(orgId: string, filter: { type?: string | undefined; name?: string | undefined }): Promise<ArtefactView[]> {
      await deps.requireOrg(orgId);
      return (await repo.artefacts.list(orgId, filter, MAX_LIST)).map(toArtefactView);
    },
    /** Deletes the artefact and every version of it. */
    async deleteArtefact(orgId: string, artefactId: string): Promise<void> {
      await deps.requireOrg(orgId);
      if (!(await repo.artefacts.delete(orgId, artefactId))) throw new NotFound('artefact', artefactId, undefined, { org_id: orgId });
    },
    async setArchived(orgId: string, artefactId: string, versionId: string, archived: boolean, actor: string): Promise<ArtefactVersionView> {
      await deps.requireOrg(orgId);
      if (!(await repo.versions.setArchived(orgId, artefactId, versionId, archived, actor))) throw new NotFound('artefact version', versionId, undefined, { org_id: orgId, artefact_id: artefactId });
      return toVersionView((await repo.versions.get(orgId, versionId))!);
    },

    /**
     * `POST /orgs/{o}/images/{imageId}/builds`: records the build and registers a container artefact version
     * (`name` = the image without tag, `version` = its tag, `ref` = `refs/tags/<first tag>` when `tags` is not
     * empty, else `refs/heads/<branch>`), which queues the evaluation of the automation rules.
     */
    async addImageBuild(orgId: string, imageId: string, body: ImageBuildRequest, actor: string): Promise<void> {
      await deps.requireOrg(orgId);
      const image = body.image.trim();
      if (image === '') throw new InvalidInput('image: must not be empty', { field: 'image' });
      const name = imageRepository(image);
      const tagged = image.split('@')[0]!;
      const version = tagged.length > name.length ? tagged.slice(name.length + 1) : '';
      const digest = image.includes('@') ? image.slice(image.indexOf('@') + 1) : '';
      const tags = body.tags ?? [];
      const branch = body.branch ?? '';
      const ref = tags.length > 0 ? `refs/tags/${tags[0]}` : branch !== '' ? `refs/heads/${branch}` : '';
      if (name.includes(' ')) throw new InvalidInput('image: not an image reference', { field: 'image' });
      const commit = (body.commit ?? '').toLowerCase();
      await register(orgId, { type: 'container', name, version, ref, commit: COMMIT.test(commit) ? commit : '', digest }, actor, undefined, 'image build', async (stored, trx) => {
        const build: ImageBuildRow = { org_id: orgId, image_id: imageId, id: randomUUID(), branch, commit: body.commit ?? '', image, tags: toJsonText(tags), artefact_version_id: stored.id, added_at: stored.created_at };
        await repo.images.insertBuild(build, trx);
      });
    },
    async listImages(orgId: string): Promise<ImageView[]> {
      await deps.requireOrg(orgId);
      return groupImages(await repo.images.builds(orgId));
    },
    getImage,
    async listImageBuilds(orgId: string, imageId: string): Promise<ImageBuildView[]> {
      return (await getImage(orgId, imageId)).builds;
    },
  };
}

/** Builds grouped by image id, images in order of their first build, each image's builds newest first. */
function groupImages(rows: readonly ImageBuildRow[]): ImageView[] {
  const images = new Map<string, ImageView>();
  for (const row of rows) {
    let image = images.get(row.image_id);
    if (!image) images.set(row.image_id, (image = { id: row.image_id, source: 'ci', added_at: row.added_at, builds: [] }));
    image.builds.unshift({ branch: row.branch, commit: row.commit, image: row.image, tags: fromJsonText<string[]>(row.tags) ?? [], added_at: row.added_at });
  }
  return [...images.values()];
}

export type ArtefactsService = ReturnType<typeof createArtefactsService>;
