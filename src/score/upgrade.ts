/**
 * Upgrade of the deprecated array forms of `containers.*.files` and `containers.*.volumes` (Score < 0.3.0)
 * to the map form keyed by target path, as the reference implementation does before validating.
 * Legacy details kept: file `content` given as a list of lines is joined with "\n"; volume `read_only`
 * becomes `readOnly`.
 */
import type { JsonPath } from './types.js';

export interface UpgradeNote {
  path: JsonPath;
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function upgradeList(
  items: unknown[],
  basePath: JsonPath,
  convert: (item: Record<string, unknown>) => Record<string, unknown>,
  errors: UpgradeNote[],
): Record<string, unknown> | undefined {
  const map: Record<string, unknown> = {};
  let ok = true;
  items.forEach((item, index) => {
    if (!isRecord(item)) return; // left for the schema to report
    const { target, ...rest } = item;
    if (typeof target !== 'string' || target === '') {
      errors.push({ path: [...basePath, index, 'target'], message: 'target is missing or is not a string (required in the deprecated array form)' });
      ok = false;
      return;
    }
    if (Object.hasOwn(map, target)) {
      errors.push({ path: [...basePath, index, 'target'], message: `target '${target}' is listed more than once` });
      ok = false;
      return;
    }
    map[target] = convert(rest);
  });
  return ok ? map : undefined;
}

/**
 * Returns a copy of `value` with the deprecated arrays upgraded; `notices` says what was migrated and
 * `errors` lists array entries that cannot be upgraded. Anything that is not shaped like a workload is
 * returned untouched for the schema to report.
 */
export function upgradeDeprecatedForms(value: unknown): { value: unknown; notices: UpgradeNote[]; errors: UpgradeNote[] } {
  const notices: UpgradeNote[] = [];
  const errors: UpgradeNote[] = [];
  if (!isRecord(value) || !isRecord(value.containers)) return { value, notices, errors };
  const containers: Record<string, unknown> = {};
  for (const [name, container] of Object.entries(value.containers)) {
    if (!isRecord(container)) {
      containers[name] = container;
      continue;
    }
    const upgraded: Record<string, unknown> = { ...container };
    if (Array.isArray(container.files)) {
      const path = ['containers', name, 'files'];
      const map = upgradeList(
        container.files,
        path,
        (file) => (Array.isArray(file.content) ? { ...file, content: file.content.map(String).join('\n') } : file),
        errors,
      );
      if (map) {
        upgraded.files = map;
        notices.push({ path, message: 'files: the array form is deprecated, migrated to a map keyed by target path' });
      }
    }
    if (Array.isArray(container.volumes)) {
      const path = ['containers', name, 'volumes'];
      const map = upgradeList(
        container.volumes,
        path,
        (volume) => {
          if (!Object.hasOwn(volume, 'read_only')) return volume;
          const { read_only: readOnly, ...rest } = volume;
          return { ...rest, readOnly };
        },
        errors,
      );
      if (map) {
        upgraded.volumes = map;
        notices.push({ path, message: 'volumes: the array form is deprecated, migrated to a map keyed by target path' });
      }
    }
    containers[name] = upgraded;
  }
  return { value: { ...value, containers }, notices, errors };
}
