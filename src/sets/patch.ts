import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { InvalidInput } from '../shared/errors.js';
import { pointerSegments } from '../shared/safe-path.js';
import type { PatchOperation } from './schemas.js';

const { applyOperation, deepClone, JsonPatchError } = fastJsonPatch;

/** What a patch is applied to, for error messages: a module (by id) or the set's shared resources. */
export type PatchTarget = { kind: 'module'; moduleId: string } | { kind: 'shared' };

const reasons: Record<string, string> = {
  OPERATION_PATH_UNRESOLVABLE: 'the path does not exist',
  OPERATION_FROM_UNRESOLVABLE: 'the "from" path does not exist',
  OPERATION_PATH_CANNOT_ADD: 'the parent of the path does not exist',
  OPERATION_PATH_ILLEGAL_ARRAY_INDEX: 'the path uses an invalid array index',
  OPERATION_VALUE_OUT_OF_BOUNDS: 'the array index is out of bounds',
  OPERATION_VALUE_REQUIRED: 'the operation needs a "value"',
  OPERATION_FROM_REQUIRED: 'the operation needs a "from"',
  OPERATION_PATH_INVALID: 'the path is not a valid JSON Pointer',
  OPERATION_OP_INVALID: 'the "op" is not a JSON-Patch operation',
  TEST_OPERATION_FAILED: 'the "test" operation did not match',
};

function describe(target: PatchTarget): string {
  return target.kind === 'module' ? `update of module "${target.moduleId}"` : 'patch of shared resources';
}

/**
 * Applies RFC 6902 operations (fast-json-patch) to a copy of `document`; neither `document` nor `ops` is mutated
 * (the ops are cloned too, because fast-json-patch inserts `value` objects by reference and a later op could
 * otherwise write into the caller's delta). A failing operation becomes `InvalidInput` naming the target, the
 * operation index and its path.
 */
export function applyOperations(document: unknown, ops: readonly PatchOperation[], target: PatchTarget): unknown {
  if (ops.length === 0) return document;
  const ownOps = deepClone(ops) as Operation[];
  // One copy of the document, then ops one at a time: fast-json-patch's applyPatch reports index 0 for every
  // failing operation, and the index is part of our error contract.
  let current: unknown = deepClone(document);
  for (const [index, op] of ownOps.entries()) {
    const where = { ...(target.kind === 'module' ? { module: target.moduleId } : { shared: true }), operationIndex: index, op: op.op };
    for (const path of [op.path, (op as { from?: unknown }).from]) {
      if (typeof path !== 'string') continue;
      try {
        pointerSegments(path, where);
      } catch (error) {
        if (!(error instanceof InvalidInput)) throw error;
        throw new InvalidInput(`${describe(target)}: operation ${index} (${op.op} ${JSON.stringify(op.path)}): ${error.message}`, error.details, { cause: error });
      }
    }
    try {
      current = applyOperation(current, op, true, true, true, index).newDocument;
    } catch (error) {
      if (!(error instanceof JsonPatchError)) throw error;
      const reason = reasons[error.name] ?? error.message.split('\n')[0] ?? error.name;
      const details = {
        ...(target.kind === 'module' ? { module: target.moduleId } : { shared: true }),
        operationIndex: index,
        op: op.op,
        path: op.path,
        reason: error.name,
      };
      throw new InvalidInput(
        `${describe(target)}: operation ${index} (${op.op} ${JSON.stringify(op.path)}) failed: ${reason}`,
        details,
        { cause: error },
      );
    }
  }
  return current;
}
