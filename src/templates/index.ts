/**
 * Go text/template + sprig, in TypeScript. Parse once with `parseTemplate`, execute many times;
 * rendering is synchronous. See docs/internals/templates.md for the value model and known differences.
 */
import { InvalidInput } from '../shared/errors.js';
import { builtinFuncs } from './builtins.js';
import { DEFAULT_TEMPLATE_LIMITS, renderInProgress, TemplateLimitError, withBudget, type TemplateLimitName, type TemplateLimits } from './budget.js';
import { DEFAULT_HOST_LOOKUP, withHostLookupPolicy, type HostLookupPolicy } from './host-lookup.js';
import { ExecError, execute, type ExecState, type MissingKey, type TemplateFunc } from './exec.js';
import { parse, TemplateSyntaxError, type Node, type ParsedTemplate } from './parse.js';
import { sprigFuncs } from './sprig.js';

export interface TemplateOptions {
  /** Name used in error messages (`template: NAME:LINE:COL: ...`). Defaults to `template`. */
  name?: string;
  /** Go's `missingkey` option: `default` and `zero` print `<no value>`, `error` fails. */
  missingKey?: 'default' | 'zero' | 'error';
  /** Extra functions; they override builtins and sprig functions of the same name. */
  funcs?: Record<string, (...args: unknown[]) => unknown>;
  /** Step budget, output size and time of one render; DEFAULT_TEMPLATE_LIMITS when absent. */
  limits?: TemplateLimits;
  /** Which names `getHostByName` may resolve (config `BATON_TEMPLATE_HOST_LOOKUP*`); DEFAULT_HOST_LOOKUP when absent. */
  hostLookup?: HostLookupPolicy;
}

/** A template failed to parse or execute. The message carries the template name, line and column. */
export class TemplateError extends InvalidInput {
  readonly templateName: string;
  readonly line: number;
  readonly column: number;

  constructor(message: string, templateName: string, line: number, column: number, options?: { cause?: unknown }) {
    super(message, { template: templateName, line, column }, options);
    this.templateName = templateName;
    this.line = line;
    this.column = column;
  }
}

/** A render went over its step budget, output limit or time limit (`limit`); the message names the limit. */
export class TemplateLimitExceeded extends TemplateError {
  constructor(
    message: string,
    templateName: string,
    readonly limit: TemplateLimitName,
    options?: { cause?: unknown },
  ) {
    super(message, templateName, 0, 0, options);
  }
}

export interface CompiledTemplate {
  readonly name: string;
  execute(data: unknown): string;
}

const standardFuncs: ReadonlyMap<string, TemplateFunc> = new Map(Object.entries({ ...sprigFuncs(), ...builtinFuncs() }));

/** Every function name a template can call (Go's builtins, sprig, and Helm's include/tpl). */
export function templateFunctionNames(): string[] {
  return [...standardFuncs.keys(), 'include', 'tpl'].sort();
}

function functionTable(options: TemplateOptions | undefined): ReadonlyMap<string, TemplateFunc> {
  if (options?.funcs === undefined) return standardFuncs;
  const table = new Map(standardFuncs);
  for (const [name, fn] of Object.entries(options.funcs)) table.set(name, fn);
  return table;
}

/** Go's ErrorContext: 1-based line and 0-based byte column of `pos` within the line. */
function locate(source: string, pos: number): { line: number; column: number } {
  const before = source.slice(0, pos);
  const lastNewline = before.lastIndexOf('\n');
  let line = 1;
  for (let i = 0; i < before.length; i++) if (before.charCodeAt(i) === 10) line++;
  return { line, column: lastNewline < 0 ? pos : pos - lastNewline - 1 };
}

function contextText(source: string, pos: number, end: number): string {
  const text = source.slice(pos, Math.max(end, pos)).trim();
  return text.length > 20 ? `${text.slice(0, 20)}...` : text;
}

class Template implements CompiledTemplate {
  private readonly templates: Map<string, Node[]>;

  constructor(
    readonly name: string,
    private readonly source: string,
    private readonly tree: ParsedTemplate,
    private readonly funcs: ReadonlyMap<string, TemplateFunc>,
    private readonly missingKey: MissingKey,
    private readonly limits: TemplateLimits,
    private readonly hostLookup: HostLookupPolicy,
  ) {
    this.templates = new Map(tree.defines);
    if (!this.templates.has(name)) this.templates.set(name, tree.root);
  }

  execute(data: unknown): string {
    const funcs = this.withTemplateFuncs();
    const nested = renderInProgress();
    try {
      return withHostLookupPolicy(this.hostLookup, () =>
        withBudget(this.limits, (budget) => execute(this.tree, data, { funcs, missingKey: this.missingKey, templates: this.templates, budget })),
      );
    } catch (error) {
      if (error instanceof TemplateLimitError) {
        if (nested) throw error; // the outermost render reports it, under its own name
        throw new TemplateLimitExceeded(`template: ${this.name}: ${error.message}`, this.name, error.limit, { cause: error });
      }
      if (error instanceof ExecError) {
        const { line, column } = locate(this.source, error.pos);
        const at = contextText(this.source, error.start, error.end);
        throw new TemplateError(`template: ${this.name}:${line}:${column}: executing "${this.name}" at <${at}>: ${error.message}`, this.name, line, column, {
          cause: error,
        });
      }
      if (error instanceof RangeError) {
        throw new TemplateError(`template: ${this.name}: ${error.message}`, this.name, 0, 0, { cause: error });
      }
      throw error;
    }
  }

  /** `include` and `tpl` (Helm's additions) need the executing state, so they are bound per template. */
  private withTemplateFuncs(): ReadonlyMap<string, TemplateFunc> {
    if (this.funcs.has('include') && this.funcs.has('tpl')) return this.funcs;
    const funcs = new Map(this.funcs);
    const name = this.name;
    const baseFuncs = this.funcs;
    const limits = this.limits;
    const hostLookup = this.hostLookup;
    funcs.set('include', function (this: ExecState, templateName: unknown, dot: unknown) {
      return this.renderNamed(String(templateName), dot);
    });
    funcs.set('tpl', function (source: unknown, dot: unknown) {
      const inner = compile(String(source), { name, limits, hostLookup }, baseFuncs, 'default');
      return inner.execute(dot);
    });
    return funcs;
  }
}

function compile(source: string, options: TemplateOptions | undefined, funcs: ReadonlyMap<string, TemplateFunc>, missingKey: MissingKey): Template {
  const name = options?.name ?? 'template';
  try {
    const tree = parse(source, { hasFunction: (fn) => funcs.has(fn) || fn === 'include' || fn === 'tpl' });
    return new Template(name, source, tree, funcs, missingKey, options?.limits ?? DEFAULT_TEMPLATE_LIMITS, options?.hostLookup ?? DEFAULT_HOST_LOOKUP);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) {
      const { line, column } = locate(source, error.pos);
      throw new TemplateError(`template: ${name}:${line}:${column}: ${error.message}`, name, line, column, { cause: error });
    }
    throw error;
  }
}

/** Parses `source` once; the result can be executed any number of times. */
export function parseTemplate(source: string, options?: TemplateOptions): CompiledTemplate {
  return compile(source, options, functionTable(options), options?.missingKey ?? 'default');
}

/** Parses and executes in one step. Prefer `parseTemplate` in loops. */
export function renderTemplate(source: string, data: unknown, options?: TemplateOptions): string {
  return parseTemplate(source, options).execute(data);
}

export { formatValue } from './values.js';
export { DEFAULT_TEMPLATE_LIMITS, type TemplateLimits, type TemplateLimitName } from './budget.js';
export { DEFAULT_HOST_LOOKUP, type HostLookupPolicy } from './host-lookup.js';
