/**
 * The `update` output of a `workload` resource: RFC 6902 JSON-patch operations applied to the module
 * (`{spec: ...}`, paths rooted at the module: `/spec/...`), as Humanitec applies them.
 *
 * One deliberate difference from RFC 6902, Humanitec's: `add` creates the parents a path needs, so
 * `add /spec/pod/initContainers` works on a module without `pod` (the example library's init-container
 * definition relies on it). A missing parent becomes an object, or an array when the next token is `-` or `0`.
 * Every failure is an `InvalidInput` naming the workload, the definition and the operation; no internal error
 * text reaches the user. Forbidden segments (`__proto__`, ...) are refused by `pointerSegments`.
 */
import { InvalidInput } from '../shared/errors.js';
import { pointerSegments } from '../shared/safe-path.js';

export interface PatchSource {
  workload: string;
  /** The definition whose driver returned the operations. */
  definition: string;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return isContainer(value) && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

class PatchFailure extends Error {}

function arrayIndex(array: unknown[], token: string, forInsert: boolean): number {
  if (forInsert && token === '-') return array.length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw new PatchFailure(`"${token}" is not an index of the array`);
  const index = Number(token);
  if (index > array.length || (!forInsert && index === array.length)) throw new PatchFailure(`index ${index} is out of bounds (the array has ${array.length} items)`);
  return index;
}

/** The container holding the last token of `tokens`; `create` makes missing parents (for `add`). */
function parentOf(root: Container, tokens: readonly string[], create: boolean): Container {
  let node: Container = root;
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i]!;
    let next: unknown;
    if (Array.isArray(node)) next = node[arrayIndex(node, token, false)];
    else next = Object.hasOwn(node, token) ? node[token] : undefined;
    if (next === undefined || next === null) {
      const where = '/' + tokens.slice(0, i + 1).join('/');
      if (!create) throw new PatchFailure(`${where} does not exist`);
      const following = tokens[i + 1]!;
      const made: Container = following === '-' || following === '0' ? [] : {};
      if (Array.isArray(node)) node.splice(arrayIndex(node, token, true), 0, made);
      else node[token] = made;
      next = made;
    }
    if (!isContainer(next)) throw new PatchFailure(`${'/' + tokens.slice(0, i + 1).join('/')} is not an object or an array`);
    node = next;
  }
  return node;
}

function read(root: Container, tokens: readonly string[]): unknown {
  if (tokens.length === 0) return root;
  const parent = parentOf(root, tokens, false);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) return parent[arrayIndex(parent, last, false)];
  if (!Object.hasOwn(parent, last)) throw new PatchFailure(`${'/' + tokens.join('/')} does not exist`);
  return parent[last];
}

function add(root: Container, tokens: readonly string[], value: unknown): void {
  const parent = parentOf(root, tokens, true);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, last, true), 0, value);
  else parent[last] = value;
}

function remove(root: Container, tokens: readonly string[]): unknown {
  const parent = parentOf(root, tokens, false);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, last, false), 1)[0];
  if (!Object.hasOwn(parent, last)) throw new PatchFailure(`${'/' + tokens.join('/')} does not exist`);
  const value = parent[last];
  delete parent[last];
  return value;
}

function describeOp(op: unknown): string {
  if (!isPlainObject(op)) return JSON.stringify(op) ?? String(op);
  const parts = [typeof op.op === 'string' ? op.op : '(no op)', typeof op.path === 'string' ? op.path : '(no path)'];
  if (typeof op.from === 'string') parts.push(`from ${op.from}`);
  return parts.join(' ');
}

/**
 * Applies `operations` to a copy of `document` and returns it. The root itself cannot be replaced (the module
 * stays an object); paths must be JSON pointers below it.
 */
export function applyWorkloadUpdate<T extends Record<string, unknown>>(document: T, operations: readonly unknown[], source: PatchSource): T {
  const root = structuredClone(document) as Record<string, unknown>;
  operations.forEach((operation, index) => {
    const fail = (reason: string): never => {
      throw new InvalidInput(
        `workload "${source.workload}": update operation ${index + 1} (${describeOp(operation)}) of definition "${source.definition}" does not apply: ${reason}`,
        { workload: source.workload, definition: source.definition, operation: index },
      );
    };
    if (!isPlainObject(operation)) fail('an operation must be an object with "op" and "path"');
    const op = operation as Record<string, unknown>;
    if (typeof op.path !== 'string') fail('"path" must be a JSON pointer string');
    const details = { workload: source.workload, definition: source.definition };
    const tokens = pointerSegments(op.path as string, details);
    if (tokens.length === 0 && op.op !== 'test') fail('the root of the workload cannot be changed');
    const valueOf = (): unknown => {
      if (!Object.hasOwn(op, 'value')) fail('"value" is missing');
      return structuredClone(op.value);
    };
    const fromTokens = (): string[] => {
      if (typeof op.from !== 'string') fail('"from" must be a JSON pointer string');
      const from = pointerSegments(op.from as string, details);
      if (from.length === 0) fail('"from" cannot be the root of the workload');
      return from;
    };
    try {
      switch (op.op) {
        case 'add':
          add(root, tokens, valueOf());
          break;
        case 'remove':
          remove(root, tokens);
          break;
        case 'replace': {
          const value = valueOf();
          remove(root, tokens);
          add(root, tokens, value);
          break;
        }
        case 'move': {
          const from = fromTokens();
          if (tokens.length > from.length && from.every((t, i) => tokens[i] === t)) fail('a value cannot be moved into itself');
          add(root, tokens, remove(root, from));
          break;
        }
        case 'copy':
          add(root, tokens, structuredClone(read(root, fromTokens())));
          break;
        case 'test':
          if (!deepEqual(read(root, tokens), op.value)) fail('the value differs from the one the test expects');
          break;
        default:
          fail('"op" must be one of add, remove, replace, move, copy, test');
      }
    } catch (error) {
      if (error instanceof PatchFailure) fail(error.message);
      throw error;
    }
  });
  return root as T;
}
