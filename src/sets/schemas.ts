import Type, { type Static, type TSchema } from 'typebox';

/**
 * TypeBox schemas for Deployment Sets and Deltas, in Humanitec's shapes (OpenAPI `SetResponse`, `ModuleRequest`,
 * `DeltaRequest`, `ModuleDeltasRequest`, `UpdateActionRequest`). They are exported so the HTTP API can reuse them
 * for request/response validation and OpenAPI generation.
 *
 * Two families:
 * - `*InputSchema`: what clients may send. Lenient where Humanitec is (`null` for "absent", optional `spec`/`externals`).
 * - the stored/normalised schemas (`DeploymentSetSchema`, `ModuleSchema`, ...): what `normalizeSet`/`parseSet` return
 *   and what the store holds. No `null`s, every module has `profile`, `spec` and `externals`.
 */

/** Module (workload) ids follow Score's workload-name rule, since modules are usually Score workloads. */
export const MODULE_ID_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';
/**
 * Resource names (keys of `externals` and `shared`). Humanitec does not publish a rule; score-humanitec produces
 * names such as `db` and `dns-class-internal`, so a lenient rule that still excludes `/`, `~` and whitespace
 * (which would need JSON-Pointer escaping in every patch path) is used.
 */
export const RESOURCE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$';

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** Any JSON object (profile-specific module `spec`, resource `params`). */
export const JsonObjectSchema = Type.Record(Type.String(), Type.Unknown());

export const DeployConditionSchema = Type.Object(
  {
    when: Type.Optional(Type.Union([Type.Literal('before'), Type.Literal('deploy'), Type.Literal('after')])),
    success: Type.Optional(Type.Union([Type.Literal('deploy'), Type.Literal('available'), Type.Literal('complete')])),
    timeout: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);

/** A resource dependency: a module's private `externals` entry or an entry of the set's `shared` map. */
export const ResourceRefSchema = Type.Object(
  {
    type: Type.String({ minLength: 1 }),
    class: Type.Optional(Type.String({ minLength: 1 })),
    params: Type.Optional(JsonObjectSchema),
    /** score-humanitec sets `id: "shared.<name>"` on shared entries keyed `<name>-class-<class>`. */
    id: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export const ResourceRefInputSchema = Type.Object(
  {
    type: Type.String({ minLength: 1 }),
    class: Type.Optional(nullable(Type.String({ minLength: 1 }))),
    params: Type.Optional(nullable(JsonObjectSchema)),
    id: Type.Optional(nullable(Type.String({ minLength: 1 }))),
  },
  { additionalProperties: false },
);

const resourceMap = <T extends TSchema>(entry: T) =>
  Type.Record(Type.String(), entry, { propertyNames: { pattern: RESOURCE_NAME_PATTERN } });
const moduleMap = <T extends TSchema>(entry: T) =>
  Type.Record(Type.String(), entry, { propertyNames: { pattern: MODULE_ID_PATTERN } });

/** A module as stored in a set (Humanitec `ModuleResponse`). */
export const ModuleSchema = Type.Object(
  {
    profile: Type.String({ minLength: 1 }),
    spec: JsonObjectSchema,
    externals: resourceMap(ResourceRefSchema),
    deploy: Type.Optional(DeployConditionSchema),
  },
  { additionalProperties: false },
);

/** A module as a client may send it in `modules.add` (Humanitec `ModuleRequest`; `profile` is required here). */
export const ModuleInputSchema = Type.Object(
  {
    profile: Type.String({ minLength: 1 }),
    spec: Type.Optional(nullable(JsonObjectSchema)),
    externals: Type.Optional(nullable(resourceMap(ResourceRefInputSchema))),
    deploy: Type.Optional(nullable(DeployConditionSchema)),
  },
  { additionalProperties: false },
);

/** The normalised content of a Deployment Set (no id: the id is derived from this, see `setId`). */
export const DeploymentSetSchema = Type.Object(
  {
    version: Type.Literal(0),
    modules: moduleMap(ModuleSchema),
    shared: resourceMap(ResourceRefSchema),
  },
  { additionalProperties: false },
);

/** A set as the API returns it (Humanitec `SetResponse`): the content plus its 40-hex id. */
export const SetResponseSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[0-9a-f]{40}$' }),
    version: Type.Literal(0),
    modules: moduleMap(ModuleSchema),
    shared: resourceMap(ResourceRefSchema),
  },
  { additionalProperties: false },
);

/** A set as it may arrive from outside (import, store row, client): `id` is ignored, missing maps mean empty. */
export const SetInputSchema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    version: Type.Optional(Type.Literal(0)),
    modules: Type.Optional(nullable(moduleMap(ModuleInputSchema))),
    shared: Type.Optional(nullable(resourceMap(ResourceRefInputSchema))),
  },
  { additionalProperties: false },
);

/**
 * One RFC 6902 operation (Humanitec `UpdateActionRequest`). Humanitec documents only add/remove/replace; Baton also
 * accepts move/copy/test, a strict superset. A `remove` may carry Humanitec's `value: {"scope": "delta"}`, which is
 * accepted and has no effect.
 */
export const PatchOperationSchema = Type.Object(
  {
    op: Type.Union([
      Type.Literal('add'),
      Type.Literal('remove'),
      Type.Literal('replace'),
      Type.Literal('move'),
      Type.Literal('copy'),
      Type.Literal('test'),
    ]),
    path: Type.String({ pattern: '^(/.*)?$' }),
    value: Type.Optional(Type.Unknown()),
    from: Type.Optional(Type.String({ pattern: '^(/.*)?$' })),
  },
  { additionalProperties: false },
);

/** Delta metadata (Humanitec `DeltaMetadataRequest`). Kept loose: the API owns its meaning; the domain passes it on. */
export const DeltaMetadataSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    env_id: Type.Optional(Type.String()),
    archived: Type.Optional(Type.Boolean()),
    shared: Type.Optional(Type.Boolean()),
    contributers: Type.Optional(nullable(Type.Array(Type.String()))),
    created_at: Type.Optional(Type.String()),
    created_by: Type.Optional(Type.String()),
    last_modified_at: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

/** A delta as a client may send it (Humanitec `DeltaRequest` without generic-mode `workloads`). */
export const DeltaInputSchema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    metadata: Type.Optional(nullable(DeltaMetadataSchema)),
    modules: Type.Optional(
      nullable(
        Type.Object(
          {
            add: Type.Optional(nullable(moduleMap(ModuleInputSchema))),
            remove: Type.Optional(nullable(Type.Array(Type.String({ pattern: MODULE_ID_PATTERN })))),
            update: Type.Optional(nullable(moduleMap(Type.Array(PatchOperationSchema)))),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    shared: Type.Optional(nullable(Type.Array(PatchOperationSchema))),
  },
  { additionalProperties: false },
);

/** A normalised delta: every bucket present (Humanitec `DeltaResponse` / `PlainDeltaResponse` shape). */
export const DeltaSchema = Type.Object(
  {
    id: Type.Optional(Type.String()),
    metadata: Type.Optional(DeltaMetadataSchema),
    modules: Type.Object(
      {
        add: moduleMap(ModuleSchema),
        remove: Type.Array(Type.String({ pattern: MODULE_ID_PATTERN })),
        update: moduleMap(Type.Array(PatchOperationSchema)),
      },
      { additionalProperties: false },
    ),
    shared: Type.Array(PatchOperationSchema),
  },
  { additionalProperties: false },
);

export type DeployCondition = Static<typeof DeployConditionSchema>;
export type ResourceRef = Static<typeof ResourceRefSchema>;
export type ResourceRefInput = Static<typeof ResourceRefInputSchema>;
export type Module = Static<typeof ModuleSchema>;
export type ModuleInput = Static<typeof ModuleInputSchema>;
export type DeploymentSet = Static<typeof DeploymentSetSchema>;
export type SetResponse = Static<typeof SetResponseSchema>;
export type SetInput = Static<typeof SetInputSchema>;
export type PatchOperation = Static<typeof PatchOperationSchema>;
export type DeltaMetadata = Static<typeof DeltaMetadataSchema>;
export type DeltaInput = Static<typeof DeltaInputSchema>;
export type Delta = Static<typeof DeltaSchema>;
