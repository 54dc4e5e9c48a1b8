/**
 * Line-based unified diff with optional colour. Hand-written (a Myers-style LCS over lines, ~60 lines) because
 * no diff library is installed and the inputs are small YAML renderings of sets.
 */
import pc from 'picocolors';

type Edit = { kind: ' ' | '-' | '+'; line: string };

/** Shortest edit script between two line arrays (LCS by dynamic programming; fine for a few thousand lines). */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      edits.push({ kind: ' ', line: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) edits.push({ kind: '-', line: a[i++]! });
    else edits.push({ kind: '+', line: b[j++]! });
  }
  while (i < n) edits.push({ kind: '-', line: a[i++]! });
  while (j < m) edits.push({ kind: '+', line: b[j++]! });
  return edits;
}

/** `diff -u` style text; empty string when the inputs are equal. */
export function unifiedDiff(before: string, after: string, labels: { from: string; to: string }, context = 3): string {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  const edits = diffLines(a, b);
  if (edits.every((e) => e.kind === ' ')) return '';
  const out = [`--- ${labels.from}`, `+++ ${labels.to}`];
  // Group changes into hunks that keep `context` unchanged lines around them.
  let index = 0;
  while (index < edits.length) {
    while (index < edits.length && edits[index]!.kind === ' ') index++;
    if (index >= edits.length) break;
    const start = Math.max(0, index - context);
    let end = index;
    let lastChange = index;
    while (end < edits.length && end - lastChange <= 2 * context) {
      if (edits[end]!.kind !== ' ') lastChange = end;
      end++;
    }
    const stop = Math.min(edits.length, lastChange + context + 1);
    const hunk = edits.slice(start, stop);
    const aStart = edits.slice(0, start).filter((e) => e.kind !== '+').length;
    const bStart = edits.slice(0, start).filter((e) => e.kind !== '-').length;
    const aLen = hunk.filter((e) => e.kind !== '+').length;
    const bLen = hunk.filter((e) => e.kind !== '-').length;
    out.push(`@@ -${aLen === 0 ? aStart : aStart + 1},${aLen} +${bLen === 0 ? bStart : bStart + 1},${bLen} @@`);
    for (const edit of hunk) out.push(edit.kind + edit.line);
    index = stop;
  }
  return out.join('\n');
}

/** Colours a unified diff (or a `+`/`-`/`~` summary) for a terminal. */
export function colourDiff(text: string, enabled: boolean): string {
  if (!enabled) return text;
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return pc.bold(line);
      if (line.startsWith('@@')) return pc.cyan(line);
      if (line.startsWith('+')) return pc.green(line);
      if (line.startsWith('-')) return pc.red(line);
      if (line.startsWith('~')) return pc.yellow(line);
      return line;
    })
    .join('\n');
}
