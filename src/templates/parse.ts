/**
 * Lexer and parser for Go's text/template language, producing the tree that exec.ts walks.
 * Hand-written: no maintained npm package implements Go's grammar (see docs/internals/templates.md).
 */

export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------- AST

export type Node = TextNode | ActionNode | IfNode | RangeNode | WithNode | TemplateCallNode | BreakNode | ContinueNode;

export interface TextNode {
  kind: 'text';
  text: string;
}
export interface ActionNode {
  kind: 'action';
  pos: number;
  pipe: PipeNode;
}
export interface IfNode {
  kind: 'if';
  pos: number;
  pipe: PipeNode;
  list: Node[];
  elseList: Node[] | undefined;
}
export interface WithNode {
  kind: 'with';
  pos: number;
  pipe: PipeNode;
  list: Node[];
  elseList: Node[] | undefined;
}
export interface RangeNode {
  kind: 'range';
  pos: number;
  pipe: PipeNode;
  list: Node[];
  elseList: Node[] | undefined;
}
export interface TemplateCallNode {
  kind: 'template';
  pos: number;
  name: string;
  pipe: PipeNode | undefined;
}
export interface BreakNode {
  kind: 'break';
  pos: number;
}
export interface ContinueNode {
  kind: 'continue';
  pos: number;
}

export interface PipeNode {
  kind: 'pipe';
  pos: number;
  end: number;
  decl: string[];
  isAssign: boolean;
  cmds: CommandNode[];
}
export interface CommandNode {
  pos: number;
  end: number;
  args: ArgNode[];
}

export type ArgNode =
  /**
   * Field chains: `pos` is where Go's parser puts the node (the second element of a chain such as `.a.b` or
   * `$x.a`, which is where Go reports errors), `start` where its text begins (for the error context).
   */
  | { kind: 'field'; pos: number; end: number; idents: string[]; start?: number }
  | { kind: 'variable'; pos: number; end: number; name: string; idents: string[]; start?: number }
  | { kind: 'chain'; pos: number; end: number; node: ArgNode; idents: string[]; start?: number }
  | { kind: 'dot'; pos: number; end: number }
  | { kind: 'nil'; pos: number; end: number }
  | { kind: 'bool'; pos: number; end: number; value: boolean }
  | { kind: 'number'; pos: number; end: number; value: bigint | number; text: string }
  | { kind: 'string'; pos: number; end: number; value: string }
  | { kind: 'identifier'; pos: number; end: number; name: string }
  | PipeNode;

export interface ParsedTemplate {
  root: Node[];
  defines: Map<string, Node[]>;
}

// ---------------------------------------------------------------- lexer

type TokenType =
  | 'text'
  | 'left'
  | 'right'
  | 'space'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'identifier'
  | 'keyword'
  | 'field'
  | 'variable'
  | 'dot'
  | 'bool'
  | 'nil'
  | 'eof';

interface Token {
  type: TokenType;
  value: string;
  pos: number;
}

const keywords = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);
const isSpaceChar = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string | undefined): boolean => {
  if (c === undefined) return false;
  const code = c.charCodeAt(0);
  if (code < 128) return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  return /[\p{L}\p{Nd}]/u.test(c);
};

function lex(source: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  const n = source.length;
  let trimNextText = false;

  while (pos < n) {
    // text up to the next "{{"
    let open = source.indexOf('{{', pos);
    if (open < 0) open = n;
    let text = source.slice(pos, open);
    if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
    trimNextText = false;
    let actionStart = open + 2;
    if (open < n) {
      const trimLeft = source[open + 2] === '-' && isSpaceChar(source[open + 3]);
      if (trimLeft) {
        text = text.replace(/[ \t\r\n]+$/, '');
        actionStart = open + 3;
      }
    }
    if (text.length > 0) tokens.push({ type: 'text', value: text, pos });
    if (open >= n) break;
    pos = actionStart;
    // comment
    let probe = pos;
    while (isSpaceChar(source[probe])) probe++;
    if (source.startsWith('/*', probe)) {
      const close = source.indexOf('*/', probe + 2);
      if (close < 0) throw new TemplateSyntaxError('unclosed comment', open);
      let after = close + 2;
      let trimRight = false;
      if (source.startsWith(' -}}', after) || (isSpaceChar(source[after]) && source.startsWith('-}}', after + 1))) {
        trimRight = true;
        after = after + 4;
      } else if (source.startsWith('}}', after)) {
        after += 2;
      } else {
        throw new TemplateSyntaxError('comment ends before closing delimiter', close);
      }
      trimNextText = trimRight;
      pos = after;
      continue;
    }
    tokens.push({ type: 'left', value: '{{', pos: open });
    let parenDepth = 0;
    // inside action
    for (;;) {
      if (pos >= n) throw new TemplateSyntaxError('unclosed action', open);
      const c = source[pos]!;
      if (isSpaceChar(c)) {
        const start = pos;
        while (isSpaceChar(source[pos])) pos++;
        if (source[pos] === '-' && source.startsWith('-}}', pos)) {
          trimNextText = true;
          tokens.push({ type: 'right', value: '}}', pos });
          pos += 3;
          break;
        }
        tokens.push({ type: 'space', value: source.slice(start, pos), pos: start });
        continue;
      }
      if (source.startsWith('}}', pos)) {
        if (parenDepth > 0) throw new TemplateSyntaxError('unclosed left paren', pos);
        tokens.push({ type: 'right', value: '}}', pos });
        pos += 2;
        break;
      }
      const start = pos;
      if (c === '|') {
        tokens.push({ type: 'pipe', value: '|', pos: pos++ });
      } else if (c === '(') {
        parenDepth++;
        tokens.push({ type: 'lparen', value: '(', pos: pos++ });
      } else if (c === ')') {
        parenDepth--;
        if (parenDepth < 0) throw new TemplateSyntaxError('unexpected right paren', pos);
        tokens.push({ type: 'rparen', value: ')', pos: pos++ });
      } else if (c === ',') {
        tokens.push({ type: 'comma', value: ',', pos: pos++ });
      } else if (c === ':') {
        if (source[pos + 1] !== '=') throw new TemplateSyntaxError('expected :=', pos);
        tokens.push({ type: 'declare', value: ':=', pos });
        pos += 2;
      } else if (c === '=') {
        tokens.push({ type: 'assign', value: '=', pos: pos++ });
      } else if (c === '"') {
        pos++;
        while (pos < n && source[pos] !== '"') {
          if (source[pos] === '\\') pos++;
          if (source[pos] === '\n') throw new TemplateSyntaxError('unterminated quoted string', start);
          pos++;
        }
        if (pos >= n) throw new TemplateSyntaxError('unterminated quoted string', start);
        pos++;
        tokens.push({ type: 'string', value: source.slice(start, pos), pos: start });
      } else if (c === '`') {
        const close = source.indexOf('`', pos + 1);
        if (close < 0) throw new TemplateSyntaxError('unterminated raw quoted string', start);
        pos = close + 1;
        tokens.push({ type: 'rawString', value: source.slice(start, pos), pos: start });
      } else if (c === "'") {
        pos++;
        while (pos < n && source[pos] !== "'") {
          if (source[pos] === '\\') pos++;
          pos++;
        }
        if (pos >= n) throw new TemplateSyntaxError('unterminated character constant', start);
        pos++;
        tokens.push({ type: 'char', value: source.slice(start, pos), pos: start });
      } else if (c === '$') {
        pos++;
        while (isAlnum(source[pos])) pos++;
        tokens.push({ type: 'variable', value: source.slice(start, pos), pos: start });
        pos = lexFieldChain(source, pos, tokens);
      } else if (c === '.' && !(source[pos + 1]! >= '0' && source[pos + 1]! <= '9')) {
        if (isAlnum(source[pos + 1])) {
          pos = lexFieldChain(source, pos, tokens);
        } else {
          tokens.push({ type: 'dot', value: '.', pos: pos++ });
        }
      } else if (c === '+' || c === '-' || c === '.' || (c >= '0' && c <= '9')) {
        pos++;
        while (pos < n && /[0-9a-fA-F_xXoObBpP.+\-eEi]/.test(source[pos]!)) {
          // a sign is only part of a number right after an exponent marker
          if ((source[pos] === '+' || source[pos] === '-') && !/[eEpP]/.test(source[pos - 1]!)) break;
          pos++;
        }
        tokens.push({ type: 'number', value: source.slice(start, pos), pos: start });
      } else if (isAlnum(c)) {
        while (isAlnum(source[pos])) pos++;
        const word = source.slice(start, pos);
        const type: TokenType = keywords.has(word) ? 'keyword' : word === 'true' || word === 'false' ? 'bool' : word === 'nil' ? 'nil' : 'identifier';
        tokens.push({ type, value: word, pos: start });
        if (type === 'identifier' && source[pos] === '.' && isAlnum(source[pos + 1])) {
          throw new TemplateSyntaxError(`unexpected . after term "${word}"`, pos);
        }
      } else {
        throw new TemplateSyntaxError(`unrecognized character in action: ${JSON.stringify(c)}`, pos);
      }
      // a field chain right after a closing paren: (pipeline).field
      if (c === ')' && source[pos] === '.' && isAlnum(source[pos + 1])) pos = lexFieldChain(source, pos, tokens);
    }
  }
  tokens.push({ type: 'eof', value: '', pos: n });
  return tokens;
}

function lexFieldChain(source: string, pos: number, tokens: Token[]): number {
  while (source[pos] === '.' && isAlnum(source[pos + 1])) {
    const start = pos;
    pos++;
    while (isAlnum(source[pos])) pos++;
    tokens.push({ type: 'field', value: source.slice(start + 1, pos), pos: start });
  }
  return pos;
}

// ---------------------------------------------------------------- parser

export interface ParseEnv {
  hasFunction(name: string): boolean;
}

export function parse(source: string, env: ParseEnv): ParsedTemplate {
  return new Parser(lex(source), env).parseTop();
}

type EndReason = { type: 'end' | 'eof' } | { type: 'else'; pos: number };

class Parser {
  private i = 0;
  private readonly defines = new Map<string, Node[]>();
  private vars: string[] = ['$'];
  private rangeDepth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly env: ParseEnv,
  ) {}

  parseTop(): ParsedTemplate {
    const [root, end] = this.parseList();
    if (end.type !== 'eof') throw new TemplateSyntaxError(`unexpected {{${end.type}}}`, this.peekRaw().pos);
    return { root, defines: this.defines };
  }

  private peekRaw(): Token {
    return this.tokens[this.i]!;
  }
  private nextRaw(): Token {
    return this.tokens[this.i++]!;
  }
  /** next token, skipping spaces */
  private next(): Token {
    let t = this.nextRaw();
    while (t.type === 'space') t = this.nextRaw();
    return t;
  }
  private peek(): Token {
    let j = this.i;
    while (this.tokens[j]!.type === 'space') j++;
    return this.tokens[j]!;
  }
  private expect(type: TokenType, context: string): Token {
    const t = this.next();
    if (t.type !== type) throw new TemplateSyntaxError(`unexpected ${describe(t)} in ${context}`, t.pos);
    return t;
  }

  /** Parses items until {{end}}, {{else}} or EOF; the terminating action is consumed. */
  private parseList(): [Node[], EndReason] {
    const nodes: Node[] = [];
    for (;;) {
      const t = this.nextRaw();
      if (t.type === 'eof') return [nodes, { type: 'eof' }];
      if (t.type === 'text') {
        nodes.push({ kind: 'text', text: t.value });
        continue;
      }
      // t is a left delimiter
      const k = this.peek();
      if (k.type === 'keyword') {
        switch (k.value) {
          case 'end':
            this.next();
            this.expect('right', 'end');
            return [nodes, { type: 'end' }];
          case 'else':
            this.next();
            // "else if" / "else with" are handled by the caller, which sees the following keyword
            return [nodes, { type: 'else', pos: k.pos }];
          case 'if':
          case 'with':
          case 'range':
            this.next();
            nodes.push(this.parseControl(k.value, k.pos));
            continue;
          case 'define':
            this.next();
            this.parseDefine();
            continue;
          case 'block':
            this.next();
            nodes.push(this.parseBlock(k.pos));
            continue;
          case 'template':
            this.next();
            nodes.push(this.parseTemplateCall(k.pos));
            continue;
          case 'break':
          case 'continue':
            this.next();
            if (this.rangeDepth === 0) throw new TemplateSyntaxError(`{{${k.value}}} outside {{range}}`, k.pos);
            this.expect('right', k.value);
            nodes.push({ kind: k.value, pos: k.pos });
            continue;
        }
      }
      const pipe = this.parsePipeline('command', true);
      this.expect('right', 'command');
      nodes.push({ kind: 'action', pos: pipe.pos, pipe });
    }
  }

  private parseControl(kind: 'if' | 'with' | 'range', pos: number): IfNode | WithNode | RangeNode {
    const varMark = this.vars.length;
    const pipe = this.parsePipeline(kind, true);
    this.expect('right', kind);
    if (kind === 'range') this.rangeDepth++;
    const [list, end] = this.parseList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: Node[] | undefined;
    if (end.type === 'eof') throw new TemplateSyntaxError('unexpected EOF', pos);
    if (end.type === 'else') {
      const after = this.peek();
      if ((kind === 'if' && after.type === 'keyword' && after.value === 'if') || (kind === 'with' && after.type === 'keyword' && after.value === 'with')) {
        // {{else if}} is sugar for {{else}}{{if}}...{{end}}{{end}}, sharing the single {{end}}
        this.next();
        this.vars.length = varMark;
        elseList = [this.parseControl(kind, after.pos)];
      } else {
        this.expect('right', 'else');
        this.vars.length = varMark;
        const [list2, end2] = this.parseList();
        if (end2.type !== 'end') throw new TemplateSyntaxError(end2.type === 'eof' ? 'unexpected EOF' : 'expected end; found {{else}}', pos);
        elseList = list2;
      }
    }
    this.vars.length = varMark;
    return { kind, pos, pipe, list, elseList };
  }

  private parseTemplateName(context: string): string {
    const t = this.next();
    if (t.type !== 'string' && t.type !== 'rawString') throw new TemplateSyntaxError(`unexpected ${describe(t)} in ${context} clause`, t.pos);
    return unquote(t);
  }

  private parseDefine(): void {
    const name = this.parseTemplateName('define');
    this.expect('right', 'define clause');
    const savedVars = this.vars;
    this.vars = ['$'];
    const [list, end] = this.parseList();
    this.vars = savedVars;
    if (end.type !== 'end') throw new TemplateSyntaxError(end.type === 'eof' ? 'unexpected EOF' : 'unexpected {{else}} in define', this.peekRaw().pos);
    this.addDefine(name, list);
  }

  private addDefine(name: string, list: Node[]): void {
    // Go keeps an existing non-empty definition when the new one is empty (whitespace only).
    const existing = this.defines.get(name);
    const isEmpty = list.every((n) => n.kind === 'text' && n.text.trim() === '');
    if (existing !== undefined && isEmpty) return;
    if (existing !== undefined && !existing.every((n) => n.kind === 'text' && n.text.trim() === '')) {
      throw new TemplateSyntaxError(`template: multiple definition of template ${JSON.stringify(name)}`, this.peekRaw().pos);
    }
    this.defines.set(name, list);
  }

  private parseBlock(pos: number): TemplateCallNode {
    const name = this.parseTemplateName('block');
    const pipe = this.parsePipeline('block', false);
    this.expect('right', 'block clause');
    const savedVars = this.vars;
    this.vars = ['$'];
    const [list, end] = this.parseList();
    this.vars = savedVars;
    if (end.type !== 'end') throw new TemplateSyntaxError('unexpected EOF', pos);
    this.addDefine(name, list);
    return { kind: 'template', pos, name, pipe };
  }

  private parseTemplateCall(pos: number): TemplateCallNode {
    const name = this.parseTemplateName('template');
    let pipe: PipeNode | undefined;
    if (this.peek().type !== 'right') pipe = this.parsePipeline('template', false);
    this.expect('right', 'template clause');
    return { kind: 'template', pos, name, pipe };
  }

  /** Parses `[decl] cmd | cmd ...` up to (not including) the right delimiter or right paren. */
  private parsePipeline(context: string, allowDecl: boolean): PipeNode {
    const start = this.peek();
    const pipe: PipeNode = { kind: 'pipe', pos: start.pos, end: start.pos, decl: [], isAssign: false, cmds: [] };
    if (allowDecl && start.type === 'variable') {
      // lookahead for `$x :=`, `$x =`, `$i, $v :=`
      const save = this.i;
      const v = this.next();
      const op = this.peek();
      const fieldFollows = this.tokens[this.i]?.type === 'field';
      if (!fieldFollows && (op.type === 'declare' || op.type === 'assign')) {
        this.next();
        pipe.decl.push(v.value);
        pipe.isAssign = op.type === 'assign';
      } else if (!fieldFollows && op.type === 'comma' && context === 'range') {
        this.next();
        const v2 = this.expect('variable', 'range');
        const op2 = this.next();
        if (op2.type !== 'declare' && op2.type !== 'assign') throw new TemplateSyntaxError(`unexpected ${describe(op2)} in range`, op2.pos);
        pipe.decl.push(v.value, v2.value);
        pipe.isAssign = op2.type === 'assign';
      } else {
        this.i = save;
      }
      if (pipe.decl.length > 0) {
        if (pipe.isAssign) {
          for (const name of pipe.decl) if (!this.vars.includes(name)) throw new TemplateSyntaxError(`undefined variable "${name}"`, v.pos);
        } else {
          this.vars.push(...pipe.decl);
        }
      }
    }
    for (;;) {
      const t = this.peek();
      if (t.type === 'right' || t.type === 'rparen') break;
      const cmd = this.parseCommand(context);
      pipe.cmds.push(cmd);
      const after = this.peek();
      if (after.type === 'pipe') {
        this.next();
        continue;
      }
      if (after.type !== 'right' && after.type !== 'rparen') throw new TemplateSyntaxError(`unexpected ${describe(after)} in ${context}`, after.pos);
    }
    if (pipe.cmds.length === 0) throw new TemplateSyntaxError(`missing value for ${context}`, start.pos);
    const last = pipe.cmds[pipe.cmds.length - 1]!;
    pipe.end = last.end;
    for (let c = 1; c < pipe.cmds.length; c++) {
      const first = pipe.cmds[c]!.args[0]!;
      if (first.kind !== 'identifier' && first.kind !== 'field' && first.kind !== 'variable' && first.kind !== 'chain') {
        throw new TemplateSyntaxError(`non executable command in pipeline stage ${c + 1}`, first.pos);
      }
    }
    return pipe;
  }

  private parseCommand(context: string): CommandNode {
    const args: ArgNode[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === 'right' || t.type === 'rparen' || t.type === 'pipe') break;
      if (args.length > 0 && this.peekRaw().type !== 'space') {
        throw new TemplateSyntaxError(`missing space?`, t.pos);
      }
      args.push(this.parseOperand(context));
    }
    if (args.length === 0) {
      const t = this.peek();
      throw new TemplateSyntaxError(`missing value for ${context}`, t.pos);
    }
    return { pos: args[0]!.pos, end: args[args.length - 1]!.end, args };
  }

  private parseOperand(context: string): ArgNode {
    const term = this.parseTerm(context);
    if (this.peekRaw().type !== 'field') return term;
    const idents: string[] = [];
    let end = term.end;
    const chainPos = this.peekRaw().pos;
    while (this.peekRaw().type === 'field') {
      const f = this.nextRaw();
      idents.push(f.value);
      end = f.pos + f.value.length + 1;
    }
    if (term.kind === 'field') return { ...term, idents: [...term.idents, ...idents], end, pos: chainPos, start: term.pos };
    if (term.kind === 'variable') return { ...term, idents: [...term.idents, ...idents], end, pos: chainPos, start: term.pos };
    if (term.kind === 'bool' || term.kind === 'string' || term.kind === 'number' || term.kind === 'nil' || term.kind === 'dot') {
      throw new TemplateSyntaxError(`unexpected . after term`, term.end);
    }
    return { kind: 'chain', pos: term.pos, end, node: term, idents };
  }

  private parseTerm(context: string): ArgNode {
    const t = this.next();
    const end = t.pos + t.value.length;
    switch (t.type) {
      case 'identifier':
        if (!this.env.hasFunction(t.value)) throw new TemplateSyntaxError(`function "${t.value}" not defined`, t.pos);
        return { kind: 'identifier', pos: t.pos, end, name: t.value };
      case 'dot':
        return { kind: 'dot', pos: t.pos, end };
      case 'nil':
        return { kind: 'nil', pos: t.pos, end };
      case 'bool':
        return { kind: 'bool', pos: t.pos, end, value: t.value === 'true' };
      case 'variable': {
        if (!this.vars.includes(t.value)) throw new TemplateSyntaxError(`undefined variable "${t.value}"`, t.pos);
        return { kind: 'variable', pos: t.pos, end, name: t.value, idents: [] };
      }
      case 'field': {
        return { kind: 'field', pos: t.pos, end: t.pos + t.value.length + 1, idents: [t.value] };
      }
      case 'string':
      case 'rawString':
        return { kind: 'string', pos: t.pos, end, value: unquote(t) };
      case 'char':
        return { kind: 'number', pos: t.pos, end, value: BigInt(unquoteChar(t)), text: t.value };
      case 'number':
        return { kind: 'number', pos: t.pos, end, value: parseNumber(t), text: t.value };
      case 'lparen': {
        const pipe = this.parsePipeline('parenthesized pipeline', false);
        const close = this.expect('rparen', 'parenthesized pipeline');
        return { ...pipe, pos: t.pos, end: close.pos + 1 };
      }
      default:
        throw new TemplateSyntaxError(`unexpected ${describe(t)} in ${context}`, t.pos);
    }
  }
}

function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'EOF';
    case 'right':
      return '"}}"';
    case 'rparen':
      return '")"';
    case 'keyword':
      return `<${t.value}>`;
    default:
      return JSON.stringify(t.value);
  }
}

function parseNumber(t: Token): bigint | number {
  const text = t.value.replace(/_/g, '');
  const negative = text.startsWith('-');
  const body = text.replace(/^[+-]/, '');
  const isHex = /^0[xX]/.test(body);
  // Go treats a constant as a float only when its text looks like one (has . e E p P), unless hex.
  const looksFloat = isHex ? /[.pP]/.test(body) : /[.eE]/.test(body);
  if (!looksFloat) {
    const digits = body;
    let value: bigint;
    try {
      if (/^0[oO]/.test(digits)) value = BigInt('0o' + digits.slice(2));
      else if (/^0[0-7]+$/.test(digits)) value = BigInt('0o' + digits.slice(1));
      else {
        if (!/^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)$/.test(digits)) throw new Error('bad');
        value = BigInt(digits);
      }
    } catch {
      throw new TemplateSyntaxError(`bad number syntax: "${t.value}"`, t.pos);
    }
    return negative ? -value : value;
  }
  const value = Number(body);
  if (Number.isNaN(value) || body.endsWith('i')) throw new TemplateSyntaxError(`bad number syntax: "${t.value}"`, t.pos);
  return negative ? -value : value;
}

function unquote(t: Token): string {
  if (t.type === 'rawString') return t.value.slice(1, -1).replace(/\r/g, '');
  return unescapeGo(t.value.slice(1, -1), t.pos);
}

function unquoteChar(t: Token): number {
  const inner = unescapeGo(t.value.slice(1, -1), t.pos);
  const chars = Array.from(inner);
  if (chars.length !== 1) throw new TemplateSyntaxError(`malformed character constant: ${t.value}`, t.pos);
  return chars[0]!.codePointAt(0)!;
}

const simpleEscapes: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

function unescapeGo(body: string, pos: number): string {
  if (!body.includes('\\')) return body;
  let out = '';
  const bytes: number[] = [];
  const flushBytes = (): void => {
    if (bytes.length > 0) {
      out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    }
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      flushBytes();
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new TemplateSyntaxError('invalid syntax in string', pos);
    const simple = simpleEscapes[e];
    if (simple !== undefined) {
      flushBytes();
      out += simple;
    } else if (e === 'x') {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e >= '0' && e <= '7') {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      flushBytes();
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 1 + len), 16));
      i += len;
    } else {
      throw new TemplateSyntaxError('invalid syntax in string', pos);
    }
  }
  flushBytes();
  return out;
}
