/**
 * Runs every case of fixtures/examples (copied from the shared Score example set) as its expected.yaml says:
 * valid files validate and convert; invalid files fail at the schema stage with errors at the expected
 * paths containing the expected key substrings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { InvalidInput } from '../shared/errors.js';
import { convertScoreToDelta, loadScoreFiles, readBinaryFile, resourceUid, validateScore } from './index.js';
import type { ScoreIssue } from './index.js';

const examplesDir = join(import.meta.dirname, 'fixtures', 'examples');

interface ExpectedError {
  path?: string;
  error_path?: string;
  reason?: string;
  value?: unknown;
  score_go_message_contains?: string;
}
interface Expected {
  outcome: string;
  stage?: string;
  expect?: ExpectedError & {
    errors?: ExpectedError[];
    upgraded?: { containers: Record<string, unknown> };
    upgrade_messages?: string[];
    resource_uids?: string[];
  };
}

/** Cases whose conversion must fail, and the substring the error must contain (from the case's notes). */
const conversionFailures: Record<string, string> = {
  // files./my/file.source is "file.txt", which the spec repository does not ship.
  '01-spec-score-full': 'file.txt',
};

function keySubstring(expected: ExpectedError): string | undefined {
  if (typeof expected.value === 'string' || typeof expected.value === 'number') return String(expected.value);
  const reason = expected.reason ?? '';
  const additional = /additional property (\S+)/.exec(reason);
  if (additional) return additional[1];
  const notString = /^(\S+) is not a string/.exec(reason);
  if (notString) return `${notString[1]} is not a string`;
  if (reason.startsWith('pattern')) return 'pattern';
  if (reason) return reason;
  const quoted = /'([^']+)'/.exec(expected.score_go_message_contains ?? '');
  return quoted?.[1];
}

const cases = readdirSync(examplesDir).filter((name) => !name.endsWith('.md')).sort();

test('every example case is present', () => {
  assert.ok(cases.length >= 18, `found ${cases.length} cases`);
});

for (const caseName of cases) {
  const dir = join(examplesDir, caseName);
  const expected = parse(readFileSync(join(dir, 'expected.yaml'), 'utf8')) as Expected;
  const scoreFiles = readdirSync(dir)
    .filter((name) => name.endsWith('.yaml') && name !== 'expected.yaml' && !name.startsWith('given-'))
    .sort()
    .map((name) => join(dir, name));

  if (expected.outcome.startsWith('valid')) {
    test(`${caseName}: every Score file validates and converts`, () => {
      for (const file of scoreFiles) {
        const documents = loadScoreFiles([file]);
        const result = validateScore(documents);
        assert.deepEqual(result.errors, [], `${file} should be valid`);
        const text = readFileSync(file, 'utf8');
        const usesDeployTimeImage = /image:\s*["']?\.["']?\s*$/m.test(text);
        const failure = conversionFailures[caseName];
        const convert = () => convertScoreToDelta(documents, { image: 'registry.example.com/app:1.0', readFile: readBinaryFile });
        if (failure) {
          assert.throws(convert, (error: unknown) => {
            assert.ok(error instanceof InvalidInput);
            const issues = error.details.issues as ScoreIssue[];
            assert.ok(issues.some((issue) => issue.message.includes(failure)), JSON.stringify(issues));
            return true;
          });
        } else {
          const delta = convert();
          for (const workload of result.workloads) {
            const module = delta.modules.add[workload.spec.metadata.name];
            assert.ok(module, `module for ${workload.spec.metadata.name}`);
            assert.deepEqual(Object.keys(module.spec.containers as object).sort(), Object.keys(workload.spec.containers).sort());
          }
        }
        if (usesDeployTimeImage) {
          assert.throws(
            () => convertScoreToDelta(documents, { readFile: readBinaryFile }),
            (error: unknown) => error instanceof InvalidInput && /no image was given/.test(error.message),
          );
        }
      }
    });
  } else {
    test(`${caseName}: fails at the ${expected.stage ?? 'schema'} stage with every expected error`, () => {
      const documents = loadScoreFiles(scoreFiles);
      const { errors, workloads } = validateScore(documents);
      assert.equal(workloads.length, 0);
      const wanted: ExpectedError[] = expected.expect?.errors ?? [expected.expect ?? {}];
      for (const want of wanted) {
        const path = want.path ?? want.error_path ?? '/';
        const substring = keySubstring(want);
        const match = errors.find(
          (issue) =>
            (issue.path === path || issue.path.startsWith(path === '/' ? '/' : path + '/')) &&
            (substring === undefined || issue.message.includes(substring)),
        );
        assert.ok(match, `expected an error at ${path} containing ${JSON.stringify(substring)}; got ${JSON.stringify(errors, null, 1)}`);
        assert.ok(match.line >= 1 && match.column >= 1);
      }
      assert.throws(() => convertScoreToDelta(documents), InvalidInput);
    });
  }
}

test('02-spec-deprecated-arrays: arrays are upgraded to maps with a notice each', () => {
  const expected = parse(readFileSync(join(examplesDir, '02-spec-deprecated-arrays', 'expected.yaml'), 'utf8')) as Expected;
  const result = validateScore(loadScoreFiles([join(examplesDir, '02-spec-deprecated-arrays', 'score.yaml')]));
  assert.deepEqual(result.workloads[0]?.spec.containers, expected.expect?.upgraded?.containers);
  const messages = expected.expect?.upgrade_messages ?? [];
  assert.equal(result.warnings.length, messages.length);
  for (const [index, message] of messages.entries()) {
    const field = /\.(files|volumes):/.exec(message)?.[1];
    assert.ok(field && result.warnings[index]!.path.endsWith(`/${field}`) && result.warnings[index]!.message.includes('deprecated'));
  }
});

test('16-aks-store-shared-amqp: the workloads declare the expected resource uids and share the queue', () => {
  const dir = join(examplesDir, '16-aks-store-shared-amqp');
  const expected = parse(readFileSync(join(dir, 'expected.yaml'), 'utf8')) as Expected;
  const files = readdirSync(dir).filter((name) => name.endsWith('.score.yaml')).map((name) => join(dir, name));
  const documents = loadScoreFiles(files);
  const { errors, workloads } = validateScore(documents);
  assert.deepEqual(errors, []);
  const uids = new Set(
    workloads.flatMap((w) => Object.entries(w.spec.resources ?? {}).map(([name, r]) => resourceUid(w.spec.metadata.name, name, r))),
  );
  assert.deepEqual([...uids].sort(), [...(expected.expect?.resource_uids ?? [])].sort());
  const delta = convertScoreToDelta(documents);
  const queue = delta.shared.filter((action) => action.path === '/orders-queue');
  assert.equal(queue.length, 1, 'the shared queue is added once');
  assert.equal((queue[0]!.value as { type: string }).type, 'amqp');
});
