import type { Delta, PatchOperation } from './schemas.js';

/** A compact, presentation-neutral account of a delta (for `baton diff sets`, UI badges, logs). */
export interface DeltaSummary {
  modulesAdded: string[];
  modulesRemoved: string[];
  modulesUpdated: { moduleId: string; operations: PatchOperation[] }[];
  sharedOperations: PatchOperation[];
}

export function summarizeDelta(delta: Delta): DeltaSummary {
  return {
    modulesAdded: Object.keys(delta.modules.add).sort(),
    modulesRemoved: [...delta.modules.remove].sort(),
    modulesUpdated: Object.entries(delta.modules.update)
      .filter(([, ops]) => ops.length > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([moduleId, operations]) => ({ moduleId, operations })),
    sharedOperations: delta.shared,
  };
}

const opSymbol: Record<PatchOperation['op'], string> = {
  add: '+',
  remove: '-',
  replace: '~',
  move: '>',
  copy: '=',
  test: '?',
};

function describeOperation(op: PatchOperation): string {
  const from = op.from === undefined ? '' : ` from ${op.from}`;
  const value = op.op === 'remove' || !('value' in op) ? '' : ` = ${JSON.stringify(op.value)}`;
  return `${opSymbol[op.op]} ${op.path || '/'}${from}${value}`;
}

/** Plain-text rendering, one line per change; colour is left to the caller. Empty delta → `"no changes"`. */
export function formatDeltaSummary(summary: DeltaSummary, maxValueLength = 80): string {
  const clip = (line: string) => (line.length > maxValueLength + 20 ? line.slice(0, maxValueLength + 17) + '...' : line);
  const lines: string[] = [];
  for (const moduleId of summary.modulesAdded) lines.push(`+ module ${moduleId}`);
  for (const moduleId of summary.modulesRemoved) lines.push(`- module ${moduleId}`);
  for (const { moduleId, operations } of summary.modulesUpdated) {
    lines.push(`~ module ${moduleId}`);
    for (const op of operations) lines.push(clip(`    ${describeOperation(op)}`));
  }
  if (summary.sharedOperations.length > 0) {
    lines.push('~ shared');
    for (const op of summary.sharedOperations) lines.push(clip(`    ${describeOperation(op)}`));
  }
  return lines.length === 0 ? 'no changes' : lines.join('\n');
}
