/**
 * Per-object manifest diff for plans: what a deployment would add, change or remove compared with what
 * the target last received. Objects are matched by `objectKey`; a changed object carries a unified diff
 * of its YAML. Hand-written line diff (LCS over lines): manifests are small, a dependency-free
 * unified rendering is ~60 lines, and `microdiff` gives structural paths, not the text reviewers read.
 */
import { CONTENT_HASH_ANNOTATION, objectKey, toYaml } from './objects.js';
import type { K8sObject } from './types.js';

const VOLATILE_ANNOTATIONS = ['baton.dev/deployment', CONTENT_HASH_ANNOTATION];

export interface ObjectDiff {
  added: { key: string; object: K8sObject }[];
  changed: { key: string; previous: K8sObject; next: K8sObject; diff: string }[];
  removed: { key: string; object: K8sObject }[];
  unchanged: string[];
}

/** The object without annotations that change on every deployment, so they never show up as a change. */
function comparable(object: K8sObject): K8sObject {
  const annotations = { ...(object.metadata.annotations ?? {}) };
  for (const name of VOLATILE_ANNOTATIONS) delete annotations[name];
  const metadata = { ...object.metadata };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...object, metadata };
}

export function diffObjects(previous: readonly K8sObject[], next: readonly K8sObject[], context = 3): ObjectDiff {
  const before = new Map(previous.map((o) => [objectKey(o), o]));
  const after = new Map(next.map((o) => [objectKey(o), o]));
  const result: ObjectDiff = { added: [], changed: [], removed: [], unchanged: [] };
  for (const [key, object] of [...after].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const old = before.get(key);
    if (!old) {
      result.added.push({ key, object });
      continue;
    }
    const oldText = toYaml(comparable(old));
    const newText = toYaml(comparable(object));
    if (oldText === newText) result.unchanged.push(key);
    else result.changed.push({ key, previous: old, next: object, diff: unifiedDiff(oldText, newText, key, context) });
  }
  for (const [key, object] of [...before].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!after.has(key)) result.removed.push({ key, object });
  }
  return result;
}

type Op = { type: ' ' | '-' | '+'; line: string };

function lineOps(a: string[], b: string[]): Op[] {
  // Classic LCS table; O(n·m) is fine for manifests of a few hundred lines.
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ type: ' ', line: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) ops.push({ type: '-', line: a[i++]! });
    else ops.push({ type: '+', line: b[j++]! });
  }
  while (i < a.length) ops.push({ type: '-', line: a[i++]! });
  while (j < b.length) ops.push({ type: '+', line: b[j++]! });
  return ops;
}

/** Unified diff (`---`/`+++` headers, `@@` hunks with `context` lines around changes). */
export function unifiedDiff(oldText: string, newText: string, name: string, context = 3): string {
  const split = (text: string) => (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  const ops = lineOps(split(oldText), split(newText));
  const out = [`--- a/${name}`, `+++ b/${name}`];
  let index = 0;
  while (index < ops.length) {
    if (ops[index]!.type === ' ') {
      index++;
      continue;
    }
    const start = Math.max(0, index - context);
    let end = index;
    // Extend the hunk while changes are closer than 2·context lines apart.
    for (let k = index; k < ops.length; k++) {
      if (ops[k]!.type !== ' ') end = k;
      else if (k - end > 2 * context) break;
    }
    end = Math.min(ops.length - 1, end + context);
    const oldStart = ops.slice(0, start).filter((o) => o.type !== '+').length + 1;
    const newStart = ops.slice(0, start).filter((o) => o.type !== '-').length + 1;
    const hunk = ops.slice(start, end + 1);
    const oldCount = hunk.filter((o) => o.type !== '+').length;
    const newCount = hunk.filter((o) => o.type !== '-').length;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const op of hunk) out.push(`${op.type}${op.line}`);
    index = end + 1;
  }
  return out.join('\n') + '\n';
}
