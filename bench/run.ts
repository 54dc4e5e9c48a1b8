/**
 * Runs every benchmark in bench/ (one child process each, so they do not disturb each other's heap)
 * and then writes BENCHMARKS.md from the JSON results they left in bench/results/.
 *
 *   npm run bench             # all benchmarks
 *   npm run bench -- score    # only those whose file name contains "score"
 *   npm run bench -- --quick  # harness check: only the scale benchmarks (api, deploy-scale, growth, replicas,
 *                             # data-volume), shrunk (sizes, durations, one run); results go to bench/results-quick/
 *                             # and BENCHMARKS.md is not written
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

const benchDir = import.meta.dirname;
const quick = process.argv.includes('--quick');
const filters = process.argv.slice(2).filter((arg) => arg !== '--quick');
const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  // Quick mode runs only the benchmarks that shrink themselves (those built on scale-support.ts); the others would
  // write full-size figures into bench/results/.
  .filter((name) => !quick || readFileSync(join(benchDir, name), 'utf8').includes('./scale-support.js'))
  .sort();

for (const file of files) {
  console.log(`\n=== ${file}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, file), ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${file} failed with exit code ${result.status}`);
    process.exitCode = 1;
  }
}

if (quick) {
  console.log('\n--quick: results in bench/results-quick/; BENCHMARKS.md left as it is');
  process.exit();
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
const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: benchDir, encoding: 'utf8' });
const commit = git.status === 0 ? git.stdout.trim() : 'unknown';
const header = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (bench/run.ts) from the results each benchmark leaves in `bench/results/`.',
  'Speed targets are checked here, never by timed unit tests.',
  '',
  // A filtered run rewrites only its own sections, so the header says which run wrote the file last.
  `Last write: ${new Date().toISOString()} on ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, commit ${commit}${filters.length > 0 ? ` (filtered run: ${filters.join(', ')})` : ' (full run)'}.`,
  'Each section carries its own date and machine (a filtered run rewrites only its sections); scale figures are the median of 5 runs.',
  '',
].join('\n');
writeFileSync(join(benchDir, '..', 'BENCHMARKS.md'), header + '\n' + sections.join('\n'));
console.log('\nwrote BENCHMARKS.md');
