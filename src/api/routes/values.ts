/**
 * Shared values and value set versions (Humanitec tags Value and ValueSetVersion), at app level and per environment.
 * Secrets are write-only: responses show `value: ""` and a `secret_key` reference, never the value.
 */
import { Type } from 'typebox';
import type { Static } from 'typebox';
import { InvalidInput } from '../../shared/errors.js';
import { VALUE_KEY_PATTERN } from '../../values/index.js';
import type { ValueInput, ValueScope } from '../../values/index.js';
import { COMMON_ERRORS, IdParam, NoContent, errorResponses } from '../schemas.js';
import type { RouteModule } from './types.js';
import { PagingQuery, pageFromStore, pageList } from './paging.js';

const NullableString = (options: { maxLength?: number } = {}) => Type.Union([Type.String(options), Type.Null()]);

const SecretReferenceRequest = Type.Union([
  Type.Object(
    {
      store: Type.Optional(Type.String({ maxLength: 64 })),
      ref: Type.Optional(Type.String({ maxLength: 512 })),
      version: Type.Optional(Type.String({ maxLength: 64 })),
      value: Type.Optional(Type.String({ maxLength: 65536 })),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

const ValueKey = Type.String({ pattern: VALUE_KEY_PATTERN, minLength: 1, maxLength: 256, description: 'The key values are referenced by (`${values.KEY}`).' });
const Description = NullableString({ maxLength: 4096 });
const Value = NullableString({ maxLength: 65536 });

const ValueCreatePayloadRequest = Type.Object(
  {
    key: ValueKey,
    description: Description,
    value: Type.Optional(Value),
    is_secret: Type.Optional(Type.Boolean()),
    secret_ref: Type.Optional(SecretReferenceRequest),
  },
  { additionalProperties: false, title: 'ValueCreatePayloadRequest' },
);
const ValueEditPayloadRequest = Type.Object(
  {
    key: Type.Optional(ValueKey),
    description: Description,
    value: Type.Optional(Value),
    is_secret: Type.Optional(Type.Boolean()),
    secret_ref: Type.Optional(SecretReferenceRequest),
  },
  { additionalProperties: false, title: 'ValueEditPayloadRequest' },
);
const ValuePatchPayloadRequest = Type.Object(
  {
    description: Type.Optional(Description),
    value: Type.Optional(Value),
    secret_ref: Type.Optional(SecretReferenceRequest),
  },
  { additionalProperties: false, title: 'ValuePatchPayloadRequest' },
);
const ValueSetActionPayloadRequest = Type.Union([Type.Object({ comment: Type.Optional(Type.String({ maxLength: 4096 })) }, { additionalProperties: false }), Type.Null()], {
  title: 'ValueSetActionPayloadRequest',
});

const ValueSource = Type.Union([Type.Literal('app'), Type.Literal('env')]);
export const ValueResponse = Type.Object(
  {
    key: Type.String(),
    value: Type.String({ description: 'Always empty for secrets.' }),
    description: Type.String(),
    is_secret: Type.Boolean(),
    source: ValueSource,
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    secret_key: NullableString(),
    secret_store_id: NullableString(),
    secret_version: NullableString(),
  },
  { title: 'ValueResponse' },
);
const JSONPatchResponse = Type.Object({ op: Type.String(), path: Type.String(), value: Type.Optional(Type.Unknown()) }, { title: 'JSONPatchResponse' });
export const ValueSetVersionResponse = Type.Object(
  {
    id: Type.String(),
    values: Type.Record(Type.String(), ValueResponse),
    change: Type.Array(JSONPatchResponse),
    comment: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    created_by: Type.String(),
    updated_at: Type.String({ format: 'date-time' }),
    result_of: NullableString(),
    source_value_set_version_id: NullableString(),
  },
  { title: 'ValueSetVersionResponse' },
);

const AppScopeParams = Type.Object({ orgId: IdParam('Organization id'), appId: IdParam('Application id') });
const EnvScopeParams = Type.Object({ orgId: IdParam('Organization id'), appId: IdParam('Application id'), envId: IdParam('Environment id') });
const KeyParam = { key: Type.String({ minLength: 1, maxLength: 256, description: 'Value key' }) };
const VersionParam = { valueSetVersionId: Type.String({ minLength: 1, maxLength: 256, description: 'Value set version id' }) };

type SecretRef = Static<typeof SecretReferenceRequest>;

/**
 * Folds Humanitec's ways of sending a secret into one input: `value`, `secret_ref.value` (kept by Baton, sealed), or
 * `secret_ref: {store, ref, version?}` (a reference into a secret store, read at deploy time; never a value).
 */
function valueInput(body: { description?: string | null; value?: string | null; is_secret?: boolean; secret_ref?: SecretRef; key?: string }): ValueInput {
  const ref = body.secret_ref ?? undefined;
  if (ref !== undefined) {
    const external = ref.ref !== undefined || ref.store !== undefined || ref.version !== undefined;
    if (external) {
      if (ref.value !== undefined) throw new InvalidInput('secret_ref: give either secret_ref.value or secret_ref.store and ref, not both', { field: 'secret_ref.value' });
      if (typeof ref.store !== 'string' || ref.store === '' || typeof ref.ref !== 'string' || ref.ref === '') {
        throw new InvalidInput('secret_ref: a secret reference needs "store" and "ref"', { field: 'secret_ref.ref' });
      }
      if (ref.store === 'humanitec') throw new InvalidInput('secret_ref.store: cannot be "humanitec"', { field: 'secret_ref.store' });
      if (body.value !== undefined && body.value !== null && body.value !== '') {
        throw new InvalidInput('value: give either value or secret_ref, not both', { field: 'value' });
      }
      return {
        key: body.key,
        description: body.description,
        is_secret: body.is_secret ?? true,
        secret_ref: { store: ref.store, ref: ref.ref, ...(ref.version !== undefined && ref.version !== '' ? { version: ref.version } : {}) },
      };
    }
    if (body.value !== undefined && body.value !== null && ref.value !== undefined) {
      throw new InvalidInput('secret_ref.value: give either value or secret_ref.value, not both', { field: 'secret_ref.value' });
    }
  }
  const usesSecretRef = ref?.value !== undefined;
  return {
    key: body.key,
    description: body.description,
    value: usesSecretRef ? ref.value : body.value,
    is_secret: usesSecretRef ? (body.is_secret ?? true) : body.is_secret,
  };
}

export const registerValueRoutes: RouteModule = (app, deps) => {
  const { values } = deps;

  for (const level of ['app', 'env'] as const) {
    const base = level === 'app' ? '/orgs/:orgId/apps/:appId' : '/orgs/:orgId/apps/:appId/envs/:envId';
    const Params = level === 'app' ? AppScopeParams : EnvScopeParams;
    const tag = (name: string) => (level === 'app' ? name : `${name}Env`);
    const scopeOf = (params: { orgId: string; appId: string; envId?: string }): ValueScope => ({
      orgId: params.orgId,
      appId: params.appId,
      envId: level === 'env' ? params.envId! : null,
    });
    const KeyParams = Type.Object({ ...Params.properties, ...KeyParam });
    const VersionParams = Type.Object({ ...Params.properties, ...VersionParam });
    const VersionKeyParams = Type.Object({ ...Params.properties, ...VersionParam, ...KeyParam });

    // Paged in memory on purpose: a scope's current values are one stored row (its newest value set version), so a
    // page cannot cost less than reading that row; the version history below is what grows, and pages in the store.
    app.get(
      `${base}/values`,
      { config: { permission: 'app.read' }, schema: { tags: ['Value'], operationId: tag('listValues'), params: Params, querystring: Type.Object(PagingQuery), response: { 200: Type.Array(ValueResponse), ...errorResponses(...COMMON_ERRORS, 404) } } },
      async (request, reply) => pageList(request, reply, request.query, await values.list(scopeOf(request.params)), (v) => v.key),
    );
    app.post(
      `${base}/values`,
      {
        config: { permission: 'app.update' },
        schema: {
          tags: ['Value'],
          operationId: tag('createValue'),
          params: Params,
          body: ValueCreatePayloadRequest,
          response: { 201: ValueResponse, ...errorResponses(...COMMON_ERRORS, 404, 409) },
        },
      },
      async (request, reply) => {
        const input = valueInput(request.body);
        const created = await values.create(scopeOf(request.params), { ...input, key: request.body.key }, request.user.id);
        return reply.status(201).send(created);
      },
    );
    app.delete(
      `${base}/values`,
      { config: { permission: 'app.update' }, schema: { tags: ['Value'], operationId: tag('deleteValues'), params: Params, response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) } } },
      async (request, reply) => {
        await values.deleteAll(scopeOf(request.params), request.user.id);
        return reply.status(204).send(null);
      },
    );
    app.put(
      `${base}/values/:key`,
      {
        config: { permission: 'app.update' },
        schema: {
          tags: ['Value'],
          operationId: tag('replaceValue'),
          params: KeyParams,
          body: ValueEditPayloadRequest,
          response: { 200: ValueResponse, ...errorResponses(...COMMON_ERRORS, 404) },
        },
      },
      async (request) => values.replace(scopeOf(request.params), request.params.key, valueInput(request.body), request.user.id),
    );
    app.patch(
      `${base}/values/:key`,
      {
        config: { permission: 'app.update' },
        schema: {
          tags: ['Value'],
          operationId: tag('updateValue'),
          params: KeyParams,
          body: ValuePatchPayloadRequest,
          response: { 200: ValueResponse, ...errorResponses(...COMMON_ERRORS, 404) },
        },
      },
      async (request) => {
        const { is_secret: _ignored, ...input } = valueInput(request.body);
        return values.patch(scopeOf(request.params), request.params.key, input, request.user.id);
      },
    );
    app.delete(
      `${base}/values/:key`,
      { config: { permission: 'app.update' }, schema: { tags: ['Value'], operationId: tag('deleteValue'), params: KeyParams, response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) } } },
      async (request, reply) => {
        await values.delete(scopeOf(request.params), request.params.key, request.user.id);
        return reply.status(204).send(null);
      },
    );

    app.get(
      `${base}/value-set-versions`,
      {
        config: { permission: 'app.read' },
        schema: {
          tags: ['ValueSetVersion'],
          operationId: tag('listValueSetVersions'),
          params: Params,
          querystring: Type.Object({ key_changed: Type.Optional(Type.String({ maxLength: 256 })), ...PagingQuery }),
          response: { 200: Type.Array(ValueSetVersionResponse), ...errorResponses(...COMMON_ERRORS, 404) },
        },
      },
      async (request, reply) => {
        const scope = scopeOf(request.params);
        const keyChanged = request.query.key_changed;
        return pageFromStore(request, reply, request.query, () => values.listVersions(scope, keyChanged), (page) => values.listVersionsPage(scope, keyChanged, page));
      },
    );
    app.get(
      `${base}/value-set-versions/:valueSetVersionId`,
      {
        config: { permission: 'app.read' },
        schema: {
          tags: ['ValueSetVersion'],
          operationId: tag('getValueSetVersion'),
          params: VersionParams,
          response: { 200: ValueSetVersionResponse, ...errorResponses(...COMMON_ERRORS, 404) },
        },
      },
      async (request) => values.getVersion(scopeOf(request.params), request.params.valueSetVersionId),
    );
    app.post(
      `${base}/value-set-versions/:valueSetVersionId/restore`,
      {
        config: { permission: 'app.update' },
        schema: {
          tags: ['ValueSetVersion'],
          operationId: tag('restoreValueSetVersion'),
          params: VersionParams,
          body: ValueSetActionPayloadRequest,
          response: { 200: ValueSetVersionResponse, ...errorResponses(...COMMON_ERRORS, 404) },
        },
      },
      async (request) =>
        values.restore(scopeOf(request.params), request.params.valueSetVersionId, request.body?.comment, request.user.id),
    );
    app.post(
      `${base}/value-set-versions/:valueSetVersionId/restore/:key`,
      {
        config: { permission: 'app.update' },
        schema: {
          tags: ['ValueSetVersion'],
          operationId: tag('restoreValueSetVersionKey'),
          params: VersionKeyParams,
          body: ValueSetActionPayloadRequest,
          response: { 200: ValueSetVersionResponse, ...errorResponses(...COMMON_ERRORS, 404) },
        },
      },
      async (request) =>
        values.restoreKey(scopeOf(request.params), request.params.valueSetVersionId, request.params.key, request.body?.comment, request.user.id),
    );
    app.post(
      `${base}/value-set-versions/:valueSetVersionId/purge/:key`,
      {
        config: { permission: 'app.update' },
        schema: {
          tags: ['ValueSetVersion'],
          operationId: tag('purgeValueSetVersionKey'),
          params: VersionKeyParams,
          body: ValueSetActionPayloadRequest,
          response: { 204: NoContent, ...errorResponses(...COMMON_ERRORS, 404) },
        },
      },
      async (request, reply) => {
        await values.purge(scopeOf(request.params), request.params.valueSetVersionId, request.params.key, request.body?.comment, request.user.id);
        return reply.status(204).send(null);
      },
    );
  }
};
