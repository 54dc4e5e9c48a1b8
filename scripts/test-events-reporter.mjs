// A node:test reporter for scripts/run-tests.mjs: one JSON line per event that the per-file analysis needs
// (results of tests and files, and the early-exit marks of scripts/test-exit-guard.mjs), nothing for people.
import { EXIT_MARK } from './test-exit-guard.mjs';

export default async function* testEventsReporter(source) {
  for await (const { type, data } of source) {
    if (type === 'test:pass' || type === 'test:fail' || type === 'test:complete') {
      const error = data.details?.error;
      yield JSON.stringify({
        type,
        name: data.name,
        nesting: data.nesting,
        file: data.file,
        suite: data.details?.type === 'suite',
        skip: data.skip !== undefined && data.skip !== false,
        todo: data.todo !== undefined && data.todo !== false,
        ...(error
          ? {
              error: {
                failureType: error.failureType,
                message: String(error.cause?.message ?? error.message ?? error),
                exitCode: error.exitCode ?? null,
                signal: error.signal ?? null,
              },
            }
          : {}),
      }) + '\n';
    } else if (type === 'test:stderr' && typeof data.message === 'string' && data.message.includes(EXIT_MARK)) {
      yield JSON.stringify({ type, file: data.file, message: data.message }) + '\n';
    }
  }
}
