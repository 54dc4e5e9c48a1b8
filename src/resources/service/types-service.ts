/**
 * Resource types (built-in + the org's own `<orgId>/<name>`) and resource classes, over the store.
 */
import type { CoreServices } from '../../org/index.js';
import {
  BUILT_IN_RESOURCE_TYPES,
  checkClassId,
  createTypeRegistry,
  validateCustomTypeRequest,
  type JsonSchema,
  type ResourceOutputsSchema,
  type ResourceType,
  type ResourceTypeRegistry,
  type ResourceUse,
} from '../index.js';
import { Conflict, Forbidden, InvalidInput, NotFound } from '../../shared/errors.js';
import { fromJsonText, nowIso, toJsonText } from '../../store/index.js';
import type { Executor, Store } from '../../store/index.js';
import { createResourceDefinitionsRepo } from '../../store/resource-definitions-repo.js';
import { createResourceTypesRepo } from '../../store/resource-types-repo.js';
import type { ResourceClassRow, ResourceTypeRow } from '../../store/resource-types-repo.js';

export type { ResourceClassRow };

function toResourceType(row: ResourceTypeRow): ResourceType {
  return {
    type: row.type,
    name: row.name,
    category: row.category,
    use: row.use as ResourceUse,
    inputs_schema: fromJsonText<JsonSchema>(row.inputs_schema) ?? {},
    outputs_schema: fromJsonText<ResourceOutputsSchema>(row.outputs_schema) ?? { values: {}, secrets: {} },
  };
}

function isBuiltIn(type: string): boolean {
  return BUILT_IN_RESOURCE_TYPES.some((t) => t.type === type);
}

export function createResourceTypesService(store: Store, core: CoreServices) {
  const repo = createResourceTypesRepo(store.db);
  const defs = createResourceDefinitionsRepo(store.db);

  async function registry(orgId: string, trx?: Executor): Promise<ResourceTypeRegistry> {
    const custom = await repo.list(orgId, trx);
    return createTypeRegistry(custom.map(toResourceType));
  }

  async function requireCustom(orgId: string, type: string, trx?: Executor): Promise<ResourceTypeRow> {
    await core.orgs.require(orgId, trx);
    if (isBuiltIn(type)) throw new Forbidden(`resource type "${type}" is built in and cannot be changed`, { type });
    const row = await repo.get(orgId, type, trx);
    if (!row) throw new NotFound('resource type', type, undefined, { org_id: orgId });
    return row;
  }

  /** Validates a full type body for `type` (PUT or merged PATCH) and stores it. */
  async function write(orgId: string, type: string, body: Record<string, unknown>, existing: ResourceTypeRow): Promise<ResourceType> {
    const validated = validateCustomTypeRequest(orgId, { ...body, type });
    const row: ResourceTypeRow = {
      ...existing,
      name: validated.name,
      category: validated.category,
      use: validated.use,
      inputs_schema: toJsonText(validated.inputs_schema),
      outputs_schema: toJsonText(validated.outputs_schema),
    };
    await repo.update(row);
    return validated;
  }

  return {
    registry,
    async list(orgId: string): Promise<ResourceType[]> {
      await core.orgs.require(orgId);
      return (await registry(orgId)).list();
    },
    async create(orgId: string, body: unknown, actor: string): Promise<ResourceType> {
      await core.orgs.require(orgId);
      const type = validateCustomTypeRequest(orgId, body);
      if (isBuiltIn(type.type)) throw new Conflict(`resource type "${type.type}" already exists`, { type: type.type });
      await repo.insert({
        org_id: orgId,
        type: type.type,
        name: type.name,
        category: type.category,
        use: type.use,
        inputs_schema: toJsonText(type.inputs_schema),
        outputs_schema: toJsonText(type.outputs_schema),
        created_at: nowIso(),
        created_by: actor,
      });
      return type;
    },
    async replace(orgId: string, type: string, body: Record<string, unknown>): Promise<ResourceType> {
      return write(orgId, type, body, await requireCustom(orgId, type));
    },
    async patch(orgId: string, type: string, body: Record<string, unknown>): Promise<ResourceType> {
      const existing = await requireCustom(orgId, type);
      const current = toResourceType(existing);
      const merged: Record<string, unknown> = { ...current };
      for (const [k, v] of Object.entries(body)) if (v !== undefined) merged[k] = v;
      return write(orgId, type, merged, existing);
    },
    async delete(orgId: string, type: string): Promise<void> {
      await store.transaction(async (trx) => {
        await requireCustom(orgId, type, trx);
        const using = await defs.countOfType(orgId, type, trx);
        if (using.length > 0) {
          throw new Conflict(`resource type "${type}" is used by resource definitions ${using.join(', ')}`, { type, definitions: using });
        }
        await repo.deleteClassesOfType(orgId, type, trx);
        await repo.delete(orgId, type, trx);
      });
    },

    async listClasses(orgId: string): Promise<ResourceClassRow[]> {
      await core.orgs.require(orgId);
      return repo.listClasses(orgId);
    },
    async getClass(orgId: string, type: string, classId: string): Promise<ResourceClassRow> {
      await core.orgs.require(orgId);
      const row = await repo.getClass(orgId, type, classId);
      if (!row) throw new NotFound('resource class', classId, `resource class "${classId}" of type "${type}" not found`, { type });
      return row;
    },
    async createClass(orgId: string, type: string, body: { id: string; description?: string | undefined }, actor: string): Promise<ResourceClassRow> {
      await core.orgs.require(orgId);
      checkClassId(body.id);
      if (body.id === 'default') throw new InvalidInput('id: "default" is every type\'s implicit class and cannot be created', { field: 'id' });
      if (!(await registry(orgId)).has(type)) throw new NotFound('resource type', type, undefined, { org_id: orgId });
      return repo.insertClass({ org_id: orgId, resource_type: type, id: body.id, description: body.description ?? '', created_at: nowIso(), created_by: actor });
    },
    async updateClass(orgId: string, type: string, classId: string, description: string): Promise<ResourceClassRow> {
      const row = await this.getClass(orgId, type, classId);
      await repo.updateClassDescription(orgId, type, classId, description);
      return { ...row, description };
    },
    async deleteClass(orgId: string, type: string, classId: string): Promise<void> {
      await this.getClass(orgId, type, classId);
      await repo.deleteClass(orgId, type, classId);
    },
  };
}
export type ResourceTypesService = ReturnType<typeof createResourceTypesService>;
