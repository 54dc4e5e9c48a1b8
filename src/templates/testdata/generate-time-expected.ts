/**
 * Regenerates time-expected.json with Go's time package (go-time/main.go). Needs `go` on PATH.
 * Run: node --import tsx src/templates/testdata/generate-time-expected.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { durationCases, formatCases, parseCases } from './time-cases.js';

const dir = fileURLToPath(new URL('./go-time/', import.meta.url));
const input = JSON.stringify({ format: formatCases, parse: parseCases, durations: durationCases });
const output = execFileSync('go', ['run', 'main.go'], { cwd: dir, input, env: { ...process.env, GO111MODULE: 'off' } });
const version = execFileSync('go', ['version']).toString().trim();
writeFileSync(new URL('./time-expected.json', import.meta.url), JSON.stringify({ goVersion: version, ...(JSON.parse(output.toString()) as object) }, null, 2) + '\n');
console.log(`wrote time outcomes (${version})`);
