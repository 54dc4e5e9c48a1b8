/** Tree-walking executor with Go text/template semantics (see values.ts for the value model). */
import { TemplateLimitError, type RenderBudget } from './budget.js';
import type { ArgNode, CommandNode, Node, ParsedTemplate, PipeNode } from './parse.js';
import { formatValue, isGoMap, isTrue, sortedKeys } from './values.js';

export type TemplateFunc = (...args: unknown[]) => unknown;
export type MissingKey = 'default' | 'zero' | 'error';

/** Raised inside execution; index.ts turns it into a TemplateError with line and column. */
export class ExecError extends Error {
  constructor(
    message: string,
    readonly pos: number,
    readonly end: number,
    options?: { cause?: unknown },
    /** where the error context (`at <...>`) starts when it is not `pos` (a field chain) */
    readonly start: number = pos,
  ) {
    super(message, options);
  }
}

/** Thrown by functions to report a message as-is (sprig's `fail`, `required`). */
export class FuncError extends Error {}

/** Control flow for {{break}}/{{continue}}; Error subclasses so they are ordinary throwables. */
class BreakSignal extends Error {}
class ContinueSignal extends Error {}
const breakSignal = new BreakSignal();
const continueSignal = new ContinueSignal();

interface Variable {
  name: string;
  value: unknown;
}

const maxTemplateDepth = 100_000;

export interface ExecContext {
  funcs: ReadonlyMap<string, TemplateFunc>;
  missingKey: MissingKey;
  /** name → template body; `tpl`/`include` look templates up here too */
  templates: ReadonlyMap<string, Node[]>;
  /** Steps, output size and time of this render (budget.ts). */
  budget: RenderBudget;
}

export function execute(tree: ParsedTemplate, data: unknown, ctx: ExecContext): string {
  const state = new State(ctx);
  // Go's Execute takes reflect.ValueOf(data): nil data is the invalid value, like a missing key
  const root = data === null ? undefined : data;
  state.vars.push({ name: '$', value: root });
  state.walkList(root, tree.root);
  return state.out;
}

class State {
  out = '';
  vars: Variable[] = [];
  depth = 0;

  private readonly budget: RenderBudget;

  constructor(private readonly ctx: ExecContext) {
    this.budget = ctx.budget;
  }

  walkList(dot: unknown, list: readonly Node[]): void {
    for (const node of list) this.walk(dot, node);
  }

  private write(text: string): void {
    this.budget.output(this.out.length + text.length);
    this.out += text;
  }

  walk(dot: unknown, node: Node): void {
    this.budget.step();
    switch (node.kind) {
      case 'text':
        this.write(node.text);
        return;
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.write(this.printable(value, node.pipe));
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const value = this.evalPipeline(dot, node.pipe);
        if (isTrue(value)) {
          this.walkList(node.kind === 'with' ? value : dot, node.list);
        } else if (node.elseList !== undefined) {
          this.vars.length = mark;
          this.walkList(dot, node.elseList);
        }
        this.vars.length = mark;
        return;
      }
      case 'range':
        this.walkRange(dot, node.pipe, node.list, node.elseList);
        return;
      case 'template': {
        const body = this.ctx.templates.get(node.name);
        if (body === undefined) throw new ExecError(`template ${JSON.stringify(node.name)} not defined`, node.pos, node.pos + 8);
        const value = node.pipe === undefined ? undefined : this.evalPipeline(dot, node.pipe);
        this.runTemplate(body, value, node.pos);
        return;
      }
      case 'break':
        throw breakSignal;
      case 'continue':
        throw continueSignal;
    }
  }

  runTemplate(body: readonly Node[], dot: unknown, pos: number): void {
    if (++this.depth > maxTemplateDepth) throw new ExecError('exceeded maximum template depth (100000)', pos, pos);
    const savedVars = this.vars;
    this.vars = [{ name: '$', value: dot }];
    try {
      this.walkList(dot, body);
    } finally {
      this.vars = savedVars;
      this.depth--;
    }
  }

  /** Renders a named template to a string (for sprig/Helm-style `include`). */
  renderNamed(name: string, dot: unknown): string {
    const body = this.ctx.templates.get(name);
    if (body === undefined) throw new FuncError(`template ${JSON.stringify(name)} not defined`);
    const saved = this.out;
    this.out = '';
    try {
      this.runTemplate(body, dot, 0);
      return this.out;
    } finally {
      this.out = saved;
    }
  }

  private printable(value: unknown, pipe: PipeNode): string {
    if (typeof value === 'function') throw new ExecError("can't print function value", pipe.pos, pipe.end);
    return formatValue(value, false);
  }

  private walkRange(dot: unknown, pipe: PipeNode, list: readonly Node[], elseList: readonly Node[] | undefined): void {
    const mark = this.vars.length;
    const value = this.evalPipelineRaw(dot, pipe);
    const declared = pipe.decl;
    const setVars = (key: unknown, elem: unknown): void => {
      if (declared.length === 1) this.setVar(declared[0]!, elem, pipe.isAssign, mark);
      else if (declared.length === 2) {
        this.setVar(declared[0]!, key, pipe.isAssign, mark);
        this.setVar(declared[1]!, elem, pipe.isAssign, mark);
      }
    };
    const iterate = (key: unknown, elem: unknown): boolean => {
      this.budget.step();
      const inner = this.vars.length;
      setVars(key, elem);
      try {
        this.walkList(elem, list);
      } catch (signal) {
        if (signal === breakSignal) return false;
        if (signal !== continueSignal) throw signal;
      } finally {
        this.vars.length = Math.max(inner, mark + (pipe.isAssign ? 0 : declared.length));
      }
      return true;
    };
    // declared range variables live at the outer scope mark
    if (!pipe.isAssign) for (const name of declared) this.vars.push({ name, value: undefined });
    let count = 0;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        count++;
        if (!iterate(BigInt(i), value[i])) break;
      }
    } else if (isGoMap(value)) {
      for (const key of sortedKeys(value)) {
        count++;
        if (!iterate(key, value[key])) break;
      }
    } else if (typeof value === 'bigint') {
      if (declared.length > 1) throw new ExecError(`can't use ${value} to iterate over more than one variable`, pipe.pos, pipe.end);
      for (let i = 0n; i < value; i++) {
        count++;
        // ranging over an int assigns the counter to the single variable
        if (!iterate(i, i)) break;
      }
    } else if (value !== null && value !== undefined) {
      throw new ExecError(`range can't iterate over ${formatValue(value)}`, pipe.pos, pipe.end);
    }
    if (count === 0 && elseList !== undefined) {
      this.vars.length = mark;
      this.walkList(dot, elseList);
    }
    this.vars.length = mark;
  }

  private setVar(name: string, value: unknown, isAssign: boolean, mark: number): void {
    if (isAssign) {
      for (let i = this.vars.length - 1; i >= 0; i--) {
        if (this.vars[i]!.name === name) {
          this.vars[i]!.value = value;
          return;
        }
      }
      return;
    }
    for (let i = this.vars.length - 1; i >= mark; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.vars.push({ name, value });
  }

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    const value = this.evalPipelineRaw(dot, pipe);
    if (pipe.decl.length > 0) {
      const name = pipe.decl[0]!;
      if (pipe.isAssign) this.setVar(name, value, true, 0);
      else this.vars.push({ name, value });
    }
    return value;
  }

  private evalPipelineRaw(dot: unknown, pipe: PipeNode): unknown {
    let value: unknown = undefined;
    let hasFinal = false;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, hasFinal, value);
      hasFinal = true;
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: CommandNode, hasFinal: boolean, final: unknown): unknown {
    this.budget.step();
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'identifier':
        return this.evalFunction(dot, first.name, cmd, hasFinal, final);
      case 'field':
      case 'variable':
      case 'chain': {
        const receiver = first.kind === 'field' ? dot : first.kind === 'variable' ? this.lookupVar(first.name, first) : this.evalArg(dot, first.node);
        if ((cmd.args.length > 1 || hasFinal) && first.idents.length > 0) {
          // a method call with arguments, `(semver "1.2.3").Compare $other`: only values that carry methods have them
          const owner = this.evalFields(receiver, first.idents.slice(0, -1), first);
          const method = methodOf(owner, first.idents[first.idents.length - 1]!);
          if (method !== undefined) {
            const args: unknown[] = [];
            for (let i = 1; i < cmd.args.length; i++) args.push(this.evalArg(dot, cmd.args[i]!));
            if (hasFinal) args.push(final);
            try {
              return method(...args);
            } catch (error) {
              throw new ExecError(`error calling ${first.idents[first.idents.length - 1]!}: ${error instanceof Error ? error.message : String(error)}`, cmd.pos, cmd.end, { cause: error });
            }
          }
        }
        this.noArgs(cmd, hasFinal, first);
        return this.evalFields(receiver, first.idents, first);
      }
      default:
        if (cmd.args.length > 1 || hasFinal) throw new ExecError(`can't give argument to non-function ${this.describeNode(first)}`, first.pos, first.end);
        if (first.kind === 'nil') throw new ExecError('nil is not a command', first.pos, first.end);
        return this.evalArg(dot, first);
    }
  }

  private describeNode(node: ArgNode): string {
    switch (node.kind) {
      case 'string':
        return JSON.stringify(node.value);
      case 'number':
        return node.text;
      case 'bool':
        return String(node.value);
      case 'dot':
        return '.';
      default:
        return node.kind;
    }
  }

  private noArgs(cmd: CommandNode, hasFinal: boolean, first: ArgNode): void {
    if (cmd.args.length > 1 || hasFinal) {
      const name = first.kind === 'field' || first.kind === 'variable' || first.kind === 'chain' ? first.idents[first.idents.length - 1] : undefined;
      if (name !== undefined) throw new ExecError(`${name} is not a method but has arguments`, first.pos, first.end);
      throw new ExecError(`can't give argument to non-function ${first.kind === 'variable' ? first.name : ''}`, first.pos, first.end);
    }
  }

  private lookupVar(name: string, node: ArgNode): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    throw new ExecError(`undefined variable: ${name}`, node.pos, node.end);
  }

  /**
   * Go's evalFieldChain. `undefined` is Go's invalid value (a missing key, or nil data at the root): a field of it
   * is again "no value" in the default missingkey mode, where `missingkey=error` reports the missing key. `null` is a
   * nil interface{} (a key whose value is null): a field of it is Go's "nil pointer evaluating" error in every mode.
   */
  private evalFields(receiver: unknown, idents: readonly string[], node: ArgNode): unknown {
    let value = receiver;
    for (const name of idents) {
      if (value === undefined) {
        if (this.ctx.missingKey === 'error') throw new ExecError(`nil data; no entry for key ${JSON.stringify(name)}`, node.pos, node.end, undefined, fieldStart(node));
        continue;
      }
      if (isGoMap(value)) {
        if (Object.prototype.hasOwnProperty.call(value, name)) {
          value = value[name];
          continue;
        }
        if (this.ctx.missingKey === 'error') throw new ExecError(`map has no entry for key ${JSON.stringify(name)}`, node.pos, node.end, undefined, fieldStart(node));
        value = undefined;
        continue;
      }
      if (value === null || value === undefined) throw new ExecError(`nil pointer evaluating interface {}.${name}`, node.pos, node.end, undefined, fieldStart(node));
      throw new ExecError(`can't evaluate field ${name} in type interface {}`, node.pos, node.end, undefined, fieldStart(node));
    }
    return value;
  }

  evalArg(dot: unknown, node: ArgNode): unknown {
    switch (node.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'bool':
      case 'number':
      case 'string':
        return node.value;
      case 'field':
        return this.evalFields(dot, node.idents, node);
      case 'variable':
        return this.evalFields(this.lookupVar(node.name, node), node.idents, node);
      case 'chain':
        return this.evalFields(this.evalArg(dot, node.node), node.idents, node);
      case 'pipe': {
        const mark = this.vars.length;
        const value = this.evalPipelineRaw(dot, node);
        this.vars.length = mark;
        return value;
      }
      case 'identifier': {
        // a function name used as an argument is called with no arguments
        return this.evalFunction(dot, node.name, { pos: node.pos, end: node.end, args: [node] }, false, undefined);
      }
    }
  }

  private evalFunction(dot: unknown, name: string, cmd: CommandNode, hasFinal: boolean, final: unknown): unknown {
    const node = cmd.args[0]!;
    // and/or short-circuit: later arguments are evaluated only when needed (Go 1.18+)
    if (name === 'and' || name === 'or') {
      const argNodes = cmd.args.slice(1);
      const total = argNodes.length + (hasFinal ? 1 : 0);
      if (total < 1) throw new ExecError(`wrong number of args for ${name}: want at least 1 got 0`, node.pos, node.end);
      let value: unknown;
      for (let i = 0; i < total; i++) {
        value = i < argNodes.length ? this.evalArg(dot, argNodes[i]!) : final;
        if (name === 'and' ? !isTrue(value) : isTrue(value)) return value;
      }
      return value;
    }
    const fn = this.ctx.funcs.get(name);
    if (fn === undefined) throw new ExecError(`${JSON.stringify(name)} is not a defined function`, node.pos, node.end);
    const args: unknown[] = [];
    for (let i = 1; i < cmd.args.length; i++) args.push(this.evalArg(dot, cmd.args[i]!));
    if (hasFinal) args.push(final);
    let result: unknown;
    try {
      result = name === 'include' || name === 'tpl' ? fn.call(this, ...args) : fn(...args);
    } catch (error) {
      if (error instanceof ExecError || error instanceof TemplateLimitError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof FuncError) throw new ExecError(message, cmd.pos, cmd.end, { cause: error });
      throw new ExecError(`error calling ${name}: ${message}`, cmd.pos, cmd.end, { cause: error });
    }
    // a string built by a function (printf, include, cat, join…) counts against the output limit as it is
    if (typeof result === 'string') this.budget.output(result.length);
    else if (Array.isArray(result)) this.budget.step(result.length);
    return result;
  }
}

/**
 * A method of a value: a non-enumerable own function property (a map never has one; sprig's `semver` result does),
 * so methods neither print nor serialise, as Go's do not.
 */
function methodOf(owner: unknown, name: string): TemplateFunc | undefined {
  if (!isGoMap(owner)) return undefined;
  const descriptor = Object.getOwnPropertyDescriptor(owner, name);
  return descriptor !== undefined && !descriptor.enumerable && typeof descriptor.value === 'function' ? (descriptor.value as TemplateFunc) : undefined;
}

function fieldStart(node: ArgNode): number {
  return (node.kind === 'field' || node.kind === 'variable' || node.kind === 'chain') && node.start !== undefined ? node.start : node.pos;
}

export type { State as ExecState };
