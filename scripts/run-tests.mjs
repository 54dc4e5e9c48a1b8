#!/usr/bin/env node
// Runs every *.test.ts file with node's test runner, then checks each file's outcome and ends with one line,
// `N passed, N failed[, N skipped]` (skipped includes todo and a suite skipped as a whole; a file that fails on its
// own counts as one failure); exits non-zero on any failure.
//
//   node scripts/run-tests.mjs [part ...]     only the files whose path contains one of the parts
//   BATON_TEST_CONCURRENCY=N                  test files run at once (default 2)
//   BATON_TEST_ROOTS=dir1:dir2                where to look for *.test.ts (default src and test; fixtures dirs skipped)
//   BATON_LOG_LEVEL                           passed on; silent unless set
//
// Node 20's runner cannot glob and silently runs nothing when given a directory of .ts files, so the list is built
// here and an empty list is a failure. It also reports as passed a file that registers no test, or whose process
// ends early with code 0 (a stray process.exit(0)): besides the human reporter, the runner writes its events to a
// file (scripts/test-events-reporter.mjs), scripts/test-exit-guard.mjs marks explicit exits, and this script fails
// such files by name.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EXIT_MARK } from './test-exit-guard.mjs';

const scriptsDir = import.meta.dirname;
const roots = process.env.BATON_TEST_ROOTS ? process.env.BATON_TEST_ROOTS.split(delimiter).filter(Boolean) : ['src', 'test'];
const skipDirs = new Set(['node_modules', 'dist', '.baton', 'fixtures']);
const filter = process.argv.slice(2);

function collect(dir, out) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!skipDirs.has(name)) collect(path, out);
    } else if (name.endsWith('.test.ts')) {
      const shown = relative(process.cwd(), path);
      out.push(shown.startsWith('..') ? resolve(path) : shown);
    }
  }
  return out;
}

let files = roots.flatMap((root) => collect(root, [])).sort();
if (filter.length > 0) files = files.filter((f) => filter.some((part) => f.includes(part)));
if (files.length === 0) {
  console.error('run-tests: no test files found' + (filter.length ? ` matching ${filter.join(', ')}` : ''));
  process.exit(1);
}

const concurrency = process.env.BATON_TEST_CONCURRENCY ?? '2';
const workDir = mkdtempSync(join(tmpdir(), 'baton-run-tests-'));
const eventsFile = join(workDir, 'events.jsonl');
// Run from inside a test (test/runner/run-tests.test.ts), the inherited NODE_TEST_CONTEXT would make this runner
// behave as a child of that one; it is the parent here.
const { NODE_TEST_CONTEXT: _parentContext, ...env } = process.env;
const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx',
    '--import', pathToFileURL(join(scriptsDir, 'test-exit-guard.mjs')).href,
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`, '--test-reporter-destination=stdout',
    `--test-reporter=${pathToFileURL(join(scriptsDir, 'test-events-reporter.mjs')).href}`, `--test-reporter-destination=${eventsFile}`,
    ...files,
  ],
  { stdio: 'inherit', env: { ...env, BATON_LOG_LEVEL: process.env.BATON_LOG_LEVEL ?? 'silent' } },
);

let events = [];
try {
  events = readFileSync(eventsFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
} catch (error) {
  console.error(`run-tests: cannot read the runner's events (${error.message})`);
}
rmSync(workDir, { recursive: true, force: true });

/** Per file: its own result (the runner's top-level test named by its path), counts, and early-exit marks. */
const byFile = new Map(files.map((file) => [resolve(file), { file, outcome: undefined, passed: 0, failed: 0, skipped: 0, exits: [] }]));
const isFileLevel = (event, entry) => event.nesting === 0 && (event.name === entry.file || resolve(event.name ?? '') === resolve(entry.file));
for (const event of events) {
  const entry = event.file === undefined ? undefined : byFile.get(resolve(event.file));
  if (!entry) continue;
  if (event.type === 'test:stderr') {
    for (const line of event.message.split('\n')) {
      if (!line.startsWith(`${EXIT_MARK}: `)) continue;
      const mark = /^(.+) exit code (\S+) at (.*)$/.exec(line.slice(EXIT_MARK.length + 2));
      // Only the file's own process counts, not a process it spawned that inherited the guard.
      if (mark && resolve(mark[1]) === resolve(entry.file)) entry.exits.push(`process.exit(${mark[2]}) at ${mark[3]}`);
    }
  } else if (isFileLevel(event, entry)) {
    if (event.type === 'test:complete') entry.outcome = event.error ?? null;
  } else if ((event.type === 'test:pass' || event.type === 'test:fail') && event.suite && event.skip) {
    // A suite skipped as a whole (`describe(..., { skip: reason })`, e.g. podman cannot run here) reports none of its
    // tests; it counts as one skipped test, so its file is not taken for one that registered no tests.
    entry.skipped++;
  } else if ((event.type === 'test:pass' || event.type === 'test:fail') && !event.suite) {
    if (event.skip || event.todo) entry.skipped++;
    else if (event.type === 'test:pass') entry.passed++;
    else entry.failed++;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];
for (const entry of byFile.values()) {
  passed += entry.passed;
  failed += entry.failed;
  skipped += entry.skipped;
  const tests = entry.passed + entry.failed + entry.skipped;
  const { outcome } = entry;
  let own;
  if (outcome === undefined) own = 'never reported a result (the runner did not run it to the end)';
  else if (entry.exits.length > 0) own = `exited before its tests finished: ${entry.exits[0]}`;
  else if (outcome !== null && outcome.failureType !== 'subtestsFailed' && entry.failed === 0) {
    const how = outcome.signal ? `killed by ${outcome.signal}` : outcome.exitCode !== null ? `exit code ${outcome.exitCode}` : outcome.message;
    own = `${tests === 0 ? 'failed before registering a test' : 'failed outside its tests'} (${how}; see its output above)`;
  } else if (tests === 0) own = 'registered no tests';
  if (own !== undefined) {
    failed++; // the file itself counts as one failure on top of its tests'
    problems.push(`  ${entry.file}: ${own}`);
  } else if (entry.failed > 0) {
    problems.push(`  ${entry.file}: ${entry.failed} failing test${entry.failed === 1 ? '' : 's'}`);
  }
}

const runnerFailed = result.status !== 0;
if (problems.length > 0) console.log(`\nrun-tests: failed files:\n${problems.join('\n')}`);
else if (runnerFailed) console.log(`\nrun-tests: the test runner exited with ${result.status ?? result.signal}`);
console.log(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || runnerFailed ? 1 : 0);
