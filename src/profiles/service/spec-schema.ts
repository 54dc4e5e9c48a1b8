/**
 * A profile's `spec_schema` and Humanitec's `spec_definition`, both ways, plus the check that a schema given by a
 * user compiles. Pure: no store, no HTTP.
 *
 * Humanitec describes a profile's spec as a `spec_definition` (properties typed `feature`, `collection` or `schema`)
 * and serves the JSON Schema it derives as `spec_schema`. Baton keeps JSON Schema as the source of truth: a custom
 * profile may give `spec_schema` directly (Baton extension); otherwise it is derived from `spec_definition`, where only
 * `schema` properties carry rules (Baton has no Humanitec feature catalogue, so `feature`/`collection` properties
 * accept any value of their shape).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { InvalidInput } from '../../shared/errors.js';
import { safeRegExpEngine } from '../../shared/safe-regex.js';

export type JsonSchema = Record<string, unknown>;

/** Humanitec's WorkloadProfileSpecDefinition, as far as Baton reads it. */
export interface SpecDefinition {
  properties?: Record<string, SpecDefinitionProperty>;
  runtime_properties?: unknown[];
  [key: string]: unknown;
}

export interface SpecDefinitionProperty {
  type: 'feature' | 'collection' | 'schema';
  feature_name?: string;
  title?: string;
  version?: string;
  schema?: JsonSchema;
  properties?: Record<string, SpecDefinitionProperty>;
  [key: string]: unknown;
}

const PROPERTY_TYPES = new Set(['feature', 'collection', 'schema']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the parts of a spec_definition Baton relies on; `InvalidInput` names the offending field. */
export function checkSpecDefinition(definition: unknown, field = 'spec_definition'): SpecDefinition {
  if (!isPlainObject(definition)) throw new InvalidInput(`${field}: must be an object`, { field });
  const { properties } = definition;
  if (properties !== undefined) checkProperties(properties, `${field}.properties`);
  return definition;
}

function checkProperties(properties: unknown, field: string): void {
  if (!isPlainObject(properties)) throw new InvalidInput(`${field}: must be an object`, { field });
  for (const [name, property] of Object.entries(properties)) {
    const at = `${field}.${name}`;
    if (!isPlainObject(property)) throw new InvalidInput(`${at}: must be an object`, { field: at });
    if (typeof property.type !== 'string' || !PROPERTY_TYPES.has(property.type)) {
      throw new InvalidInput(`${at}.type: must be one of feature, collection, schema`, { field: `${at}.type` });
    }
    if (property.schema !== undefined) {
      if (!isPlainObject(property.schema)) throw new InvalidInput(`${at}.schema: must be an object`, { field: `${at}.schema` });
      checkSchemaCompiles(property.schema, `${at}.schema`);
    }
    if (property.properties !== undefined) checkProperties(property.properties, `${at}.properties`);
  }
}

function propertySchema(property: SpecDefinitionProperty): JsonSchema {
  const nested = property.properties ? objectSchema(property.properties) : undefined;
  switch (property.type) {
    case 'schema':
      return property.schema ?? {};
    case 'collection':
      return { type: 'object', additionalProperties: nested ?? {} };
    case 'feature':
      return nested ?? {};
  }
}

function objectSchema(properties: Record<string, SpecDefinitionProperty>): JsonSchema {
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, propertySchema(property)])),
  };
}

/** The JSON Schema a spec_definition stands for; undefined when it defines no properties (nothing to derive). */
export function schemaFromDefinition(definition: SpecDefinition): JsonSchema | undefined {
  const properties = definition.properties;
  if (!properties || Object.keys(properties).length === 0) return undefined;
  return objectSchema(properties);
}

/** A spec_definition describing a schema's top-level properties, for built-in profiles (informational). */
export function definitionFromSchema(schema: JsonSchema): SpecDefinition {
  const properties = isPlainObject(schema.properties) ? schema.properties : {};
  return {
    properties: Object.fromEntries(
      Object.entries(properties).map(([name, propertySchema]): [string, SpecDefinitionProperty] => [
        name,
        { type: 'schema', schema: isPlainObject(propertySchema) ? propertySchema : {} },
      ]),
    ),
  };
}

/**
 * Compiles `schema` as draft 2020-12 (what profiles validate with) on a throw-away Ajv instance, so a broken or
 * clashing schema never reaches the shared validator cache. `InvalidInput` names `field` and Ajv's reason.
 */
export function checkSchemaCompiles(schema: JsonSchema, field = 'spec_schema'): void {
  const ajv = new Ajv2020({ allErrors: true, strict: false, code: { regExp: safeRegExpEngine } });
  try {
    ajv.compile(schema);
  } catch (error) {
    if (error instanceof InvalidInput && typeof error.details.pattern === 'string') {
      throw new InvalidInput(`${field}: ${error.message}`, { ...error.details, field }, { cause: error });
    }
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidInput(`${field}: not a valid JSON Schema (draft 2020-12): ${reason}`, { field }, { cause: error });
  }
}

/**
 * The schema handed to the profile validator. Profiles share one Ajv instance that registers every schema's `$id`,
 * so two versions of a profile with the same `$id` would clash there; the top-level `$id` is dropped (it only names
 * the schema; fragment `$ref`s such as `#/$defs/x` resolve the same without it, and a profile schema cannot reference
 * other documents anyway).
 */
export function validatorSchema(schema: JsonSchema): JsonSchema {
  if (!('$id' in schema)) return schema;
  const { $id: _id, ...rest } = schema;
  return rest;
}
