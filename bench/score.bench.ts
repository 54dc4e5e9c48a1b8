/**
 * Score parse + validate throughput: typical files (the valid example fixtures) and one ~1,000-line file.
 *   node --import tsx bench/score.bench.ts
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { parseScoreDocuments, validateScore } from '../src/score/index.js';
import { writeBenchResult } from './report.js';

const examples = join(import.meta.dirname, '..', 'src', 'score', 'fixtures', 'examples');
const typical: { name: string; text: string }[] = [];
for (const dir of readdirSync(examples).filter((name) => /^(0|1)\d-/.test(name))) {
  for (const file of readdirSync(join(examples, dir)).filter((f) => f.endsWith('.yaml') && f !== 'expected.yaml' && !f.startsWith('given-'))) {
    typical.push({ name: `${dir}/${file}`, text: readFileSync(join(examples, dir, file), 'utf8') });
  }
}

function largeScore(targetLines: number): string {
  const lines = ['apiVersion: score.dev/v1b1', 'metadata:', '  name: big-workload', '  team: platform', 'service:', '  ports:', '    web: {port: 80, targetPort: 8080}', 'containers:'];
  let container = 0;
  while (lines.length < targetLines - 30) {
    lines.push(`  c${container}:`, `    image: registry.example.com/app-${container}:1.0`, '    command: ["/bin/app"]', '    args: ["--verbose"]', '    variables:');
    for (let v = 0; v < 20; v++) lines.push(`      VAR_${v}: "value-${v}-\${metadata.name}-\${resources.db.host}"`);
    lines.push('    files:', `      /etc/app/c${container}.conf:`, '        mode: "0644"', '        content: |', '          key=${metadata.team}', '          other=value');
    lines.push('    volumes:', `      /data/c${container}:`, '        source: ${resources.data}', '        readOnly: true');
    lines.push('    resources:', '      limits: {cpu: 500m, memory: 256Mi}', '    livenessProbe:', '      httpGet: {path: /healthz, port: 8080}');
    container++;
  }
  lines.push('resources:', '  db: {type: postgres}', '  data: {type: volume}', '  dns: {type: dns}', '  route:', '    type: route', '    params: {host: "${resources.dns.host}", path: /, port: 80}');
  return lines.join('\n') + '\n';
}

interface Rate {
  /** Median over the rounds of files per wall-clock second. */
  wall: number;
  /** Median over the rounds of files per second of this process's CPU time (less sensitive to other load). */
  cpu: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const ROUNDS = 7;

function measure(label: string, texts: { name: string; text: string }[], roundMs: number): Rate {
  // Check every input is valid first, so that the success path is what gets timed.
  for (const { name, text } of texts) {
    const { errors } = validateScore(parseScoreDocuments(text, name));
    if (errors.length > 0) throw new Error(`${label}: ${name} is invalid: ${errors[0]!.message}`);
  }
  const warmUntil = performance.now() + 1000; // let the JIT settle before timing
  while (performance.now() < warmUntil) for (const { name, text } of texts) validateScore(parseScoreDocuments(text, name));
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let files = 0;
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    let elapsedMs = 0;
    while (elapsedMs < roundMs) {
      for (const { name, text } of texts) validateScore(parseScoreDocuments(text, name));
      files += texts.length;
      elapsedMs = performance.now() - start;
    }
    const cpuUsed = process.cpuUsage(cpuStart);
    wall.push((files / elapsedMs) * 1000);
    cpu.push(files / ((cpuUsed.user + cpuUsed.system) / 1e6));
  }
  return { wall: Math.round(median(wall)), cpu: Math.round(median(cpu)) };
}

const loadBefore = loadavg();
const big = largeScore(1000);
const bigLines = big.split('\n').length - 1;
const typicalRate = measure('typical', typical, 500);
const bigRate = measure('large', [{ name: 'big.yaml', text: big }], 500);
const loadAfter = loadavg();
const showLoad = (load: number[]) => load.map((l) => l.toFixed(1)).join(' ');

writeBenchResult(
  'score',
  [
    { label: `typical Score files parsed + validated (${typical.length} example files), median of ${ROUNDS} rounds`, value: typicalRate.wall, unit: 'files/s', target: '>= 2000 files/s', met: typicalRate.wall >= 2000 },
    { label: 'typical Score files per CPU-second of the process', value: typicalRate.cpu, unit: 'files/s' },
    { label: `${bigLines}-line Score file parsed + validated, median of ${ROUNDS} rounds`, value: bigRate.wall, unit: 'files/s' },
    { label: `${bigLines}-line Score file, time per file`, value: Math.round((1000 / bigRate.wall) * 100) / 100, unit: 'ms' },
    { label: `${bigLines}-line Score file, CPU time per file`, value: Math.round((1000 / bigRate.cpu) * 100) / 100, unit: 'ms' },
  ],
  `parseScoreDocuments then validateScore, single thread, ${ROUNDS} rounds of 500 ms after 1 s of warm-up, median reported. ` +
    `Load average (1/5/15 min) on this ${cpus().length}-core machine: ${showLoad(loadBefore)} before, ${showLoad(loadAfter)} after; ` +
    'wall-clock figures on a loaded machine understate the speed, the CPU-time figures less so. ' +
    'Plain Score files are read by js-yaml (scalars resolved as in yaml\'s core schema); the position-aware yaml tree is built ' +
    'only when an issue\'s line/column is read, so error-free files never pay for it.',
);
