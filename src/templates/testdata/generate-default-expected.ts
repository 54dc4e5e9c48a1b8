/**
 * Regenerates default-mode-expected.json by running every default-mode case through Go's text/template
 * (go-default/main.go, default missingkey mode). Needs `go` on PATH.
 * Run: node --import tsx src/templates/testdata/generate-default-expected.ts
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultModeCases } from './default-mode-cases.js';

const dir = fileURLToPath(new URL('./go-default/', import.meta.url));
const input = JSON.stringify(defaultModeCases.map((c) => ({ name: c.name, template: c.template, data: c.data ?? null })));
const output = execFileSync('go', ['run', 'main.go'], { cwd: dir, input, env: { ...process.env, GO111MODULE: 'off' } });
const version = execFileSync('go', ['version']).toString().trim();
const outcomes = JSON.parse(output.toString()) as Record<string, unknown>;
writeFileSync(new URL('./default-mode-expected.json', import.meta.url), JSON.stringify({ goVersion: version, outcomes }, null, 2) + '\n');
console.log(`wrote ${Object.keys(outcomes).length} outcomes (${version})`);
