/**
 * Runs every benchmark in bench/ (one child process each, so they do not disturb each other's heap)
 * and then writes BENCHMARKS.md from the JSON results they left in bench/results/.
 *
 *   npm run bench             # all benchmarks
 *   npm run bench -- score    # only those whose file name contains "score"
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const benchDir = import.meta.dirname;
const filters = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();

for (const file of files) {
  console.log(`\n=== ${file}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, file)], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${file} failed with exit code ${result.status}`);
    process.exitCode = 1;
  }
}

function render(value: unknown, indent = ''): string {
  if (value === null || typeof value !== 'object') return `${indent}${JSON.stringify(value)}`;
  return Object.entries(value as Record<string, unknown>)
    .map(([key, inner]) =>
      inner !== null && typeof inner === 'object'
        ? `${indent}- **${key}**\n${render(inner, indent + '  ')}`
        : `${indent}- ${key}: ${typeof inner === 'string' ? inner : JSON.stringify(inner)}`,
    )
    .join('\n');
}

const resultsDir = join(benchDir, 'results');
const sections = readdirSync(resultsDir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => {
    const data = JSON.parse(readFileSync(join(resultsDir, name), 'utf8')) as unknown;
    return `## ${name.replace(/\.json$/, '')}\n\n${render(data)}\n`;
  });

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const header = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (bench/run.ts) from the results each benchmark leaves in `bench/results/`.',
  'Speed targets are checked here, never by timed unit tests.',
  '',
  `Last full write: ${new Date().toISOString()} on ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
  '',
].join('\n');
writeFileSync(join(benchDir, '..', 'BENCHMARKS.md'), header + '\n' + sections.join('\n'));
console.log('\nwrote BENCHMARKS.md');
