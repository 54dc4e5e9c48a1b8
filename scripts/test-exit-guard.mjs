// Loaded (--import) into every test file's process by scripts/run-tests.mjs. node:test's child processes end on
// their own when their tests are done; a test file that calls process.exit() ends its process early, and Node 20's
// runner then reports the file as passed, even with tests that never ran. This notes such a call on stderr
// (which the runner forwards with the file's name), where run-tests.mjs finds it and fails the file.
export const EXIT_MARK = '[run-tests] process.exit() called while the test file was running';

// Only in the runner's per-file child processes: not in the runner, not in run-tests.mjs (which imports EXIT_MARK).
const file = process.argv[1];
if (process.env.NODE_TEST_CONTEXT !== undefined && file?.endsWith('.test.ts')) {
  const exit = process.exit;
  let call;
  process.exit = function guardedExit(code) {
    // The first frame below this function: the test code that called process.exit().
    call ??= { code, at: (new Error().stack?.split('\n')[2] ?? '').trim().replace(/^at /, '') };
    return exit.call(process, code);
  };
  process.on('exit', () => {
    if (call) process.stderr.write(`${EXIT_MARK}: ${file} exit code ${String(call.code ?? process.exitCode ?? 0)} at ${call.at}\n`);
  });
}
