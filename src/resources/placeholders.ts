import { InvalidInput } from '../shared/errors.js';
import { DEFAULT_CLASS, parseResourceDescriptor, formatDescriptor, type JsonObject } from './definitions.js';

/**
 * Placeholders in definition inputs (`driver_inputs`, `driver_account`, `provision.*.params`) and in
 * deployment sets: `${path}` where path is `.`-separated names and `[...]` quoted keys or indexes.
 *
 * Escapes: `$${...}` and `$\{...}` both stand for a literal `${...}` (the first is what Terraform/HCL users
 * write, the second is Humanitec's documented escape). Neither is resolved.
 *
 * The scanner is hand-written because the grammar is tiny and must report exact offsets; no library
 * parses Humanitec's placeholder dialect.
 */

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'placeholder'; expression: string; raw: string; start: number; end: number };

function placeholderError(message: string, details: Record<string, unknown>): InvalidInput {
  return new InvalidInput(message, details);
}

/** Index of the `}` that closes the placeholder whose body starts at `from`, skipping brackets and quotes. */
function findClose(text: string, from: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (depth > 0 && (ch === '"' || ch === "'")) quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']') depth--;
    else if (ch === '}' && depth === 0) return i;
  }
  return -1;
}

/** Splits a string into literal text and placeholders. Throws on an unterminated `${`. */
export function parseTemplateString(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let buffer = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '$' && text.startsWith('$${', i)) {
      buffer += '${';
      i += 3;
      continue;
    }
    if (ch === '$' && text.startsWith('$\\{', i)) {
      buffer += '${';
      i += 3;
      continue;
    }
    if (ch === '$' && text[i + 1] === '{') {
      const close = findClose(text, i + 2);
      if (close === -1) {
        throw placeholderError(`unterminated placeholder at offset ${i} in "${text}"`, { text, offset: i });
      }
      if (buffer) parts.push({ kind: 'text', text: buffer });
      buffer = '';
      const expression = text.slice(i + 2, close).trim();
      parts.push({ kind: 'placeholder', expression, raw: text.slice(i, close + 1), start: i, end: close + 1 });
      i = close + 1;
      continue;
    }
    buffer += ch;
    i++;
  }
  if (buffer) parts.push({ kind: 'text', text: buffer });
  return parts;
}

/** Quick test used to skip strings without placeholders or escapes. */
export function hasPlaceholderSyntax(text: string): boolean {
  return text.includes('${') || text.includes('$\\{');
}

type Segment = { kind: 'name'; text: string } | { kind: 'key'; text: string } | { kind: 'selector'; direction: '<' | '>' };

function tokenize(expression: string): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw placeholderError(`invalid placeholder "\${${expression}}": ${why}`, { placeholder: expression });
  };
  while (i < expression.length) {
    const ch = expression[i]!;
    if (ch === '.') {
      if (i === 0 || i === expression.length - 1 || expression[i + 1] === '.') fail('empty name between dots');
      i++;
      continue;
    }
    if (ch === '<' || ch === '>') {
      segments.push({ kind: 'selector', direction: ch });
      i++;
      continue;
    }
    if (ch === '[') {
      let j = i + 1;
      while (expression[j] === ' ') j++;
      const open = expression[j];
      let key: string;
      if (open === '"' || open === "'") {
        let k = j + 1;
        key = '';
        while (k < expression.length && expression[k] !== open) {
          if (expression[k] === '\\' && k + 1 < expression.length) k++;
          key += expression[k];
          k++;
        }
        if (k >= expression.length) fail('unterminated quoted key');
        j = k + 1;
      } else {
        const m = /^\d+/.exec(expression.slice(j));
        if (!m) fail('a bracket must hold a quoted key or an index');
        key = m![0];
        j += key.length;
      }
      while (expression[j] === ' ') j++;
      if (expression[j] !== ']') fail('missing "]"');
      segments.push({ kind: 'key', text: key });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < expression.length && !'.[<>'.includes(expression[j]!)) j++;
    const name = expression.slice(i, j);
    if (/\s/.test(name)) fail(`unexpected space in "${name}"`);
    segments.push({ kind: 'name', text: name });
    i = j;
  }
  if (segments.length === 0) fail('empty placeholder');
  return segments;
}

/** A reference as written; omitted class/id are filled from the referencing resource when resolving. */
export interface WrittenResourceRef {
  type: string;
  class?: string;
  resId?: string;
}

export type ResourceAccessor = 'outputs' | 'values' | 'guresid' | 'account';
const ACCESSORS: ReadonlySet<string> = new Set(['outputs', 'values', 'guresid', 'account']);

export type PlaceholderExpression =
  | { kind: 'context'; path: string[]; text: string }
  | { kind: 'resource'; ref: WrittenResourceRef; accessor: ResourceAccessor; path: string[]; text: string }
  | {
      kind: 'selector';
      subject: WrittenResourceRef;
      direction: '<' | '>';
      /** Resources of this type (and class, when given) that depend on (`<`) or are depended on by (`>`) the subject. */
      target: { type: string; class?: string };
      accessor: ResourceAccessor;
      path: string[];
      text: string;
    }
  /** Deployment-set namespaces (`values`, `shared`, `externals`, `modules`) and anything else; resolved by the scope. */
  | { kind: 'other'; namespace: string; path: string[]; text: string };

function segmentText(segment: Segment): string {
  return segment.kind === 'selector' ? segment.direction : segment.text;
}

/**
 * Parses a placeholder body (what is between `${` and `}`).
 *
 * Resource references: `resources.<type>[.<class>][#<id>].<accessor>[.<path>…]`, or with the descriptor
 * in brackets `resources['type.class#id'].…` (needed when the id contains dots in odd places). In the dot
 * form the descriptor runs up to the accessor (`outputs`, `values`, `guresid`, `account`), so
 * `resources.dns#shared.api-dns.outputs.host` names id `shared.api-dns`. The short form without an accessor,
 * `resources.dns.host`, means `resources.dns.outputs.host`.
 * Selectors: `resources.<descriptor><<type>[.<class>].outputs.x` (or `>`), returning a list.
 */
export function parsePlaceholderExpression(expression: string): PlaceholderExpression {
  const segments = tokenize(expression);
  const head = segments[0]!;
  const fail = (why: string): never => {
    throw placeholderError(`invalid placeholder "\${${expression}}": ${why}`, { placeholder: expression });
  };
  if (head.kind !== 'name') return fail('must start with a namespace name');
  const rest = segments.slice(1);
  if (head.text === 'context') {
    if (rest.some((s) => s.kind === 'selector')) fail('selectors are only allowed on resources');
    return { kind: 'context', path: rest.map(segmentText), text: expression };
  }
  if (head.text !== 'resources') {
    if (rest.some((s) => s.kind === 'selector')) fail('selectors are only allowed on resources');
    return { kind: 'other', namespace: head.text, path: rest.map(segmentText), text: expression };
  }

  let i = 0;
  const readDescriptor = (allowShortForm: boolean): { descriptor: string; shortForm: boolean } => {
    const first = rest[i];
    if (!first || first.kind === 'selector') return fail('a resource type is missing after "resources"');
    if (first.kind === 'key') {
      i++;
      return { descriptor: first.text, shortForm: false };
    }
    let end = i;
    for (let seg = rest[end]; seg?.kind === 'name' && !ACCESSORS.has(seg.text); seg = rest[end]) end++;
    const stopsAtAccessorOrSelector = end < rest.length;
    if (!stopsAtAccessorOrSelector && allowShortForm) {
      i++;
      return { descriptor: first.text, shortForm: true };
    }
    const descriptor = rest.slice(i, end).map(segmentText).join('.');
    i = end;
    return { descriptor, shortForm: false };
  };
  const parseRef = (descriptor: string): WrittenResourceRef => {
    try {
      return parseResourceDescriptor(descriptor);
    } catch (error) {
      return fail((error as Error).message);
    }
  };
  const readAccessor = (shortForm: boolean): { accessor: ResourceAccessor; path: string[] } => {
    if (shortForm) return { accessor: 'outputs', path: rest.slice(i).map(segmentText) };
    const accessorSegment = rest[i];
    if (!accessorSegment || accessorSegment.kind !== 'name' || !ACCESSORS.has(accessorSegment.text)) {
      return fail('expected .outputs.<name>, .values, .guresid or .account after the resource');
    }
    const path = rest.slice(i + 1);
    if (path.some((s) => s.kind === 'selector')) fail('a selector cannot follow the accessor');
    const accessor = accessorSegment.text as ResourceAccessor;
    if ((accessor === 'guresid' || accessor === 'account') && path.length > 0) fail(`.${accessor} has no fields`);
    return { accessor, path: path.map(segmentText) };
  };

  const subject = readDescriptor(true);
  const ref = parseRef(subject.descriptor);
  const next = rest[i];
  if (!subject.shortForm && next?.kind === 'selector') {
    i++;
    const target = readDescriptor(false);
    const targetRef = parseRef(target.descriptor);
    if (targetRef.resId !== undefined) fail('a selector target is a type[.class], without #id');
    const { accessor, path } = readAccessor(false);
    if (accessor === 'account') fail('.account is not available through a selector');
    return {
      kind: 'selector',
      subject: ref,
      direction: next.direction,
      target: { type: targetRef.type, ...(targetRef.class ? { class: targetRef.class } : {}) },
      accessor,
      path,
      text: expression,
    };
  }
  const { accessor, path } = readAccessor(subject.shortForm);
  return { kind: 'resource', ref, accessor, path, text: expression };
}

/** The resource a placeholder is evaluated for: supplies `context.res.*` and the defaults for omitted class/id. */
export interface ReferencingResource {
  type: string;
  class: string;
  resId: string;
  guresid?: string;
}

export interface ResourceRefKey {
  type: string;
  class: string;
  resId: string;
}

/** Fills omitted class and id from the referencing resource (Humanitec's propagate-class / propagate-id). */
export function completeRef(ref: WrittenResourceRef, referencing: ReferencingResource | undefined, placeholder: string): ResourceRefKey {
  if (ref.resId === undefined && !referencing) {
    throw placeholderError(`placeholder "\${${placeholder}}" omits the resource id, but it is not used inside a resource`, { placeholder });
  }
  return {
    type: ref.type,
    class: ref.class ?? referencing?.class ?? DEFAULT_CLASS,
    resId: ref.resId ?? referencing!.resId,
  };
}

/** What a provisioned (or planned) resource exposes to placeholders. */
export interface ResourceOutputsView {
  values: JsonObject;
  secrets: JsonObject;
  guresid: string;
  /** The driver account its definition uses, if any. */
  account?: string;
}

export interface PlaceholderContext {
  orgId: string;
  appId: string;
  envId: string;
  envType: string;
  deployId?: string;
  setId?: string;
  /** The resource the inputs belong to; absent for workload specs. */
  res?: ReferencingResource;
}

export interface PlaceholderScope {
  context: PlaceholderContext;
  /** Outputs of the resource `ref` (class/id already completed); `undefined` when it does not exist. */
  resource?: (ref: ResourceRefKey) => ResourceOutputsView | undefined;
  /** Resources of `target` type that depend on (`<`) or are depended on by (`>`) `subject`, in a stable order. */
  select?: (subject: ResourceRefKey, direction: '<' | '>', target: { type: string; class?: string }) => ResourceOutputsView[];
  /** Other namespaces (`values`, `shared`, `externals`, `modules`): return `undefined` for an unknown name. */
  other?: (expression: Extract<PlaceholderExpression, { kind: 'other' }>) => { value: unknown; secret: boolean } | undefined;
}

export interface ResolvedReference {
  placeholder: string;
  /** JSON pointer of the string the placeholder sits in. */
  at: string;
  expression: PlaceholderExpression;
  /** For resource references and selector subjects: the completed reference. */
  ref?: ResourceRefKey;
  secret: boolean;
}

export interface ResolveResult {
  value: unknown;
  /** True when any resolved placeholder was secret. */
  secret: boolean;
  /** JSON pointers of the strings (or whole values) that became secret. */
  secretPaths: string[];
  references: ResolvedReference[];
}

function walkPath(value: unknown, path: readonly string[], describe: () => string): unknown {
  let current = value;
  for (const key of path) {
    if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)];
    else if (typeof current === 'object' && current !== null && Object.hasOwn(current, key)) current = (current as JsonObject)[key];
    else current = undefined;
    if (current === undefined) throw placeholderError(`${describe()}: "${path.join('.')}" does not exist`, { path });
  }
  return current;
}

/** What `.<accessor>[.path…]` of a resource yields; outputs found among the secrets are marked secret. */
export function readAccessor(
  view: ResourceOutputsView,
  accessor: ResourceAccessor,
  path: readonly string[],
  describe: () => string,
): { value: unknown; secret: boolean } {
  switch (accessor) {
    case 'guresid':
      return { value: view.guresid, secret: false };
    case 'account':
      if (view.account === undefined) throw placeholderError(`${describe()}: the resource's definition has no driver_account`, {});
      return { value: view.account, secret: false };
    case 'values':
      return { value: path.length === 0 ? view.values : walkPath(view.values, path, describe), secret: false };
    case 'outputs': {
      if (path.length === 0) {
        return { value: { ...view.values, ...view.secrets }, secret: Object.keys(view.secrets).length > 0 };
      }
      const [first] = path;
      if (Object.hasOwn(view.values, first!)) return { value: walkPath(view.values, path, describe), secret: false };
      if (Object.hasOwn(view.secrets, first!)) return { value: walkPath(view.secrets, path, describe), secret: true };
      throw placeholderError(`${describe()}: the resource has no output "${first}"`, { output: first });
    }
  }
}

function resolveContext(path: readonly string[], context: PlaceholderContext, text: string): string {
  const key = path.join('.');
  const res = context.res;
  const table: Record<string, string | undefined> = {
    'org.id': context.orgId,
    'app.id': context.appId,
    'env.id': context.envId,
    'env.type': context.envType,
    'deploy.id': context.deployId,
    'deploy.set.id': context.setId,
    'res.id': res?.resId,
    'res.type': res?.type,
    'res.class': res?.class,
    'res.guresid': res?.guresid,
  };
  if (!(key in table)) {
    throw placeholderError(`unknown placeholder "\${${text}}": context offers org.id, app.id, env.id, env.type, deploy.id, deploy.set.id, res.id, res.type, res.class, res.guresid`, {
      placeholder: text,
    });
  }
  const value = table[key];
  if (value === undefined) throw placeholderError(`placeholder "\${${text}}" has no value here`, { placeholder: text });
  return value;
}

function resolveExpression(
  expression: PlaceholderExpression,
  scope: PlaceholderScope,
  at: string,
  references: ResolvedReference[],
): { value: unknown; secret: boolean } {
  const describe = () => `placeholder "\${${expression.text}}" at ${at || '/'}`;
  switch (expression.kind) {
    case 'context': {
      references.push({ placeholder: expression.text, at, expression, secret: false });
      return { value: resolveContext(expression.path, scope.context, expression.text), secret: false };
    }
    case 'resource': {
      const ref = completeRef(expression.ref, scope.context.res, expression.text);
      const view = scope.resource?.(ref);
      if (!view) throw placeholderError(`${describe()}: resource ${formatDescriptor(ref)} is not in the graph`, { placeholder: expression.text, ref });
      const result = readAccessor(view, expression.accessor, expression.path, describe);
      references.push({ placeholder: expression.text, at, expression, ref, secret: result.secret });
      return result;
    }
    case 'selector': {
      const subject = completeRef(expression.subject, scope.context.res, expression.text);
      const views = scope.select?.(subject, expression.direction, expression.target) ?? [];
      let secret = false;
      const value = views.map((view) => {
        const item = readAccessor(view, expression.accessor, expression.path, describe);
        secret ||= item.secret;
        return item.value;
      });
      references.push({ placeholder: expression.text, at, expression, ref: subject, secret });
      return { value, secret };
    }
    case 'other': {
      let result: { value: unknown; secret: boolean } | undefined;
      try {
        result = scope.other?.(expression);
      } catch (error) {
        // A scope that knows why (an unset value, a mistyped output) says so; the place is added here.
        if (error instanceof InvalidInput) throw placeholderError(`${error.message} at ${at || '/'}`, error.details);
        throw error;
      }
      if (!result) throw placeholderError(`unknown placeholder "\${${expression.text}}" at ${at || '/'}`, { placeholder: expression.text });
      references.push({ placeholder: expression.text, at, expression, secret: result.secret });
      return result;
    }
  }
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function resolveString(text: string, scope: PlaceholderScope, at: string, out: Omit<ResolveResult, 'value'>): unknown {
  if (!hasPlaceholderSyntax(text)) return text;
  const parts = parseTemplateString(text);
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only?.kind === 'placeholder') {
    // A string that is exactly one placeholder takes the referenced value as-is, type included.
    const resolved = resolveExpression(parsePlaceholderExpression(only.expression), scope, at, out.references);
    if (resolved.secret) {
      out.secret = true;
      out.secretPaths.push(at);
    }
    return resolved.value;
  }
  let result = '';
  let secret = false;
  for (const part of parts) {
    if (part.kind === 'text') {
      result += part.text;
      continue;
    }
    const resolved = resolveExpression(parsePlaceholderExpression(part.expression), scope, at, out.references);
    secret ||= resolved.secret;
    result += typeof resolved.value === 'string' ? resolved.value : JSON.stringify(resolved.value ?? null);
  }
  if (secret) {
    // One secret piece makes the whole string secret: the rest is no longer safe to show.
    out.secret = true;
    out.secretPaths.push(at);
  }
  return result;
}

function resolveValue(value: unknown, scope: PlaceholderScope, at: string, out: Omit<ResolveResult, 'value'>): unknown {
  if (typeof value === 'string') return resolveString(value, scope, at, out);
  if (Array.isArray(value)) return value.map((item, i) => resolveValue(item, scope, `${at}/${i}`, out));
  if (typeof value === 'object' && value !== null) {
    const result: JsonObject = {};
    for (const [key, item] of Object.entries(value)) result[key] = resolveValue(item, scope, `${at}/${escapePointer(key)}`, out);
    return result;
  }
  return value;
}

/**
 * Replaces every placeholder in `value` (any JSON value, walked deeply; keys are not resolved).
 * A string that is exactly one placeholder keeps the referenced value's type; inside a longer string,
 * non-strings are JSON-encoded. A secret anywhere in a string makes that whole string secret
 * (`secret: true`, its pointer in `secretPaths`). Unknown or missing references throw `InvalidInput`.
 */
export function resolvePlaceholders(value: unknown, scope: PlaceholderScope): ResolveResult {
  const out: Omit<ResolveResult, 'value'> = { secret: false, secretPaths: [], references: [] };
  const resolved = resolveValue(value, scope, '', out);
  return { value: resolved, ...out };
}

export interface FoundPlaceholder {
  expression: PlaceholderExpression;
  /** JSON pointer of the string it was found in. */
  at: string;
}

/** Every placeholder in `value`, parsed but not resolved (for graph building and validation). */
export function findPlaceholders(value: unknown, at = ''): FoundPlaceholder[] {
  const found: FoundPlaceholder[] = [];
  const visit = (node: unknown, pointer: string): void => {
    if (typeof node === 'string') {
      if (!hasPlaceholderSyntax(node)) return;
      for (const part of parseTemplateString(node)) {
        if (part.kind === 'placeholder') found.push({ expression: parsePlaceholderExpression(part.expression), at: pointer });
      }
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${pointer}/${i}`));
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, item] of Object.entries(node)) visit(item, `${pointer}/${escapePointer(key)}`);
    }
  };
  visit(value, at);
  return found;
}
