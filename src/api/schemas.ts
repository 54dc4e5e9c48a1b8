/**
 * Shared TypeBox schemas. TypeBox values are JSON Schema, so the same object validates requests (AJV),
 * serialises responses and feeds the OpenAPI document.
 */
import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import { HumanitecErrorSchema } from './errors.js';

/** Humanitec's id rule (see src/shared/ids.ts): lowercase letters, digits and single dashes, starting with a letter. */
export const ID_SCHEMA_PATTERN = '^[a-z](?:-?[a-z0-9]+)*$';

export function IdSchema(description: string) {
  return Type.String({ pattern: ID_SCHEMA_PATTERN, minLength: 1, maxLength: 50, description });
}

/** Path parameters are only bounded here, not pattern-checked: an unknown id is a 404, not a 400. */
export function IdParam(description: string) {
  return Type.String({ minLength: 1, maxLength: 256, description });
}

export const OrgParams = Type.Object({ orgId: IdParam('Organization id') });
export const AppParams = Type.Object({ orgId: IdParam('Organization id'), appId: IdParam('Application id') });
export const EnvParams = Type.Object({
  orgId: IdParam('Organization id'),
  appId: IdParam('Application id'),
  envId: IdParam('Environment id'),
});

/** Error responses to declare on a route, so they appear in the OpenAPI document. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, HumanitecErrorSchema]));
}

/** The 4xx every authenticated route can return. */
export const COMMON_ERRORS = [400, 401, 403] as const;

export const NoContent = Type.Null({ description: 'No content' });
