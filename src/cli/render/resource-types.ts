/**
 * `baton score available-resource-types`: which type/class pairs a Score file can ask for, from the org's resource
 * definitions (a definition offers its type in every class its criteria name, `default` for criteria without a
 * class; a definition without criteria matches nothing, as in src/resources/matching.ts). Pure, so it is tested without a server.
 */
export interface AvailableType {
  type: string;
  class: string;
  definitions: string[];
}

export function availableResourceTypes(defs: readonly Record<string, unknown>[]): AvailableType[] {
  const byKey = new Map<string, AvailableType>();
  for (const def of defs) {
    if (typeof def.type !== 'string' || typeof def.id !== 'string') continue;
    const criteria = Array.isArray(def.criteria) ? (def.criteria as unknown[]) : [];
    const classes = new Set<string>();
    for (const c of criteria) {
      const value = typeof c === 'object' && c !== null ? (c as Record<string, unknown>).class : undefined;
      classes.add(typeof value === 'string' && value !== '' ? value : 'default');
    }
    for (const cls of classes) {
      const key = `${def.type}\u0000${cls}`;
      const entry = byKey.get(key) ?? { type: def.type, class: cls, definitions: [] };
      if (!entry.definitions.includes(def.id)) entry.definitions.push(def.id);
      byKey.set(key, entry);
    }
  }
  return [...byKey.values()].sort((a, b) => a.type.localeCompare(b.type) || a.class.localeCompare(b.class));
}
