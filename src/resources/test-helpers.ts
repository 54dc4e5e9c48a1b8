import { readFileSync } from 'node:fs';
import { validateDefinitionRequest, type ResourceDefinition } from './definitions.js';
import { parseDefinitionManifests } from './manifests.js';

/** Test-only helpers: a compact way to write definitions, and fixture loading. */

export function def(id: string, type: string, criteria: Record<string, string>[], extra: Record<string, unknown> = {}): ResourceDefinition {
  return validateDefinitionRequest({ id, name: id, type, driver_type: 'humanitec/echo', criteria, ...extra });
}

export function fixture(name: string): ResourceDefinition[] {
  const path = new URL(`./fixtures/${name}`, import.meta.url);
  return parseDefinitionManifests(readFileSync(path, 'utf8'), name).map((m) => m.definition);
}
