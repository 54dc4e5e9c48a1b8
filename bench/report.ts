import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface BenchFigure {
  label: string;
  value: number;
  unit: string;
  /** The issue's target, e.g. ">= 2000 files/s"; `met` says whether this run reached it. */
  target?: string;
  met?: boolean;
}

/** Writes bench/results/<name>.json with the machine, the date and the figures, for BENCHMARKS.md. */
export function writeBenchResult(name: string, figures: BenchFigure[], notes?: string): void {
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const result = {
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    figures: Object.fromEntries(
      figures.map((f) => [f.label, `${f.value} ${f.unit}` + (f.target ? ` (target ${f.target}: ${f.met ? 'met' : 'NOT met'})` : '')]),
    ),
    ...(notes ? { notes } : {}),
  };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(result, null, 2) + '\n');
  for (const f of figures) console.log(`${f.label}: ${f.value} ${f.unit}${f.target ? ` (target ${f.target})` : ''}`);
}
