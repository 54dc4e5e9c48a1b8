/**
 * Parsing Score YAML text into documents that remember where every value came from, so that any JSON path
 * (schema errors, placeholder errors, ...) can be reported as file:line:column.
 */
import { LineCounter, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { InvalidInput } from '../shared/errors.js';
import { assertValueDepth } from '../shared/input-limits.js';
import type { Document, Node as YamlNode } from 'yaml';
import { fastLoadDocuments } from './fast-yaml.js';
import type { JsonPath, ScoreIssue } from './types.js';

export interface ScoreDocument {
  /** The file name as given by the caller (used in messages and to resolve relative file sources). */
  file: string;
  /** 0-based index of the YAML document inside the file (`---` separated). */
  documentIndex: number;
  /** The plain JSON value of the document (unvalidated). */
  value: unknown;
  /** YAML syntax errors of this document; when present `value` is not to be trusted. */
  syntaxErrors: ScoreIssue[];
  /**
   * Line and column (1-based) of the node at `path`, or of its nearest existing ancestor.
   * With `atKey`, the position of the last segment's key rather than its value.
   */
  locate(path: JsonPath, atKey?: boolean): { line: number; column: number };
}

/** JSON pointer (RFC 6901) for a path; the root is `/` so that messages never show an empty path. */
export function toPointer(path: JsonPath): string {
  if (path.length === 0) return '/';
  return '/' + path.map((segment) => String(segment).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

export function fromPointer(pointer: string): string[] {
  if (pointer === '' || pointer === '/') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function childNode(node: unknown, segment: string | number, atKey = false): YamlNode | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key) && String(pair.key.value) === String(segment)) {
        return (atKey ? pair.key : (pair.value ?? pair.key)) as YamlNode;
      }
    }
    return undefined;
  }
  if (isSeq(node)) {
    const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
    if (index >= 0) return node.items[index] as YamlNode | undefined;
    // The deprecated array forms of files/volumes are upgraded to maps keyed by `target`;
    // a path through the upgraded map still finds the array item in the source.
    return node.items.find((item) => isMap(item) && String(item.get('target')) === String(segment)) as
      | YamlNode
      | undefined;
  }
  return undefined;
}

function makeLocator(document: Document, lineCounter: LineCounter) {
  return (path: JsonPath, atKey = false): { line: number; column: number } => {
    let node: unknown = document.contents;
    let offset = document.contents?.range?.[0] ?? 0;
    for (const [index, segment] of path.entries()) {
      const next = childNode(node, segment, atKey && index === path.length - 1);
      if (!next) break;
      node = next;
      if (next.range) offset = next.range[0];
    }
    const position = lineCounter.linePos(offset);
    return { line: position.line, column: position.col };
  };
}

/** The `yaml` documents of a text with their line counter, built on first use and then reused. */
function lazyYamlDocuments(text: string): () => { documents: Document[]; lineCounter: LineCounter } {
  let parsed: { documents: Document[]; lineCounter: LineCounter } | undefined;
  return () => {
    if (!parsed) {
      const lineCounter = new LineCounter();
      const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
      parsed = { documents: Array.isArray(documents) ? documents : [], lineCounter };
    }
    return parsed;
  };
}

/**
 * Parses one file's text into its Score documents (several when separated by `---`; empty documents are
 * skipped). Never throws: syntax problems are returned as `syntaxErrors` on the documents.
 *
 * Plain Score files take a fast path (js-yaml, see fast-yaml.ts) and build the position-aware `yaml` tree
 * only when `locate` is first called, i.e. when there is something to report; everything else goes through
 * `yaml` directly, with the same results.
 */
export function parseScoreDocuments(text: string, fileName: string): ScoreDocument[] {
  return parseScoreDocumentsUnchecked(text, fileName).map((document) => withDepthChecked(document));
}

/** A document nested deeper than MAX_INPUT_DEPTH gets a syntax error (and no value) instead of reaching a walker. */
function withDepthChecked(document: ScoreDocument): ScoreDocument {
  try {
    assertValueDepth(document.value, 'the document');
    return document;
  } catch (error) {
    if (!(error instanceof InvalidInput)) throw error;
    return { ...document, value: null, syntaxErrors: [...document.syntaxErrors, { file: document.file, path: '/', line: 1, column: 1, message: `invalid YAML: ${error.message}` }] };
  }
}

function parseScoreDocumentsUnchecked(text: string, fileName: string): ScoreDocument[] {
  const values = fastLoadDocuments(text);
  if (values) {
    const yamlDocuments = lazyYamlDocuments(text);
    return values.map((value, documentIndex) => ({
      file: fileName,
      documentIndex,
      value,
      syntaxErrors: [],
      locate: (path, atKey) => {
        const { documents, lineCounter } = yamlDocuments();
        const document = documents[documentIndex];
        return document ? makeLocator(document, lineCounter)(path, atKey) : { line: 1, column: 1 };
      },
    }));
  }
  return parseScoreDocumentsWithYaml(text, fileName);
}

/** The position-aware `yaml` parse of every document (the fast path's reference; exported for its tests). */
export function parseScoreDocumentsWithYaml(text: string, fileName: string): ScoreDocument[] {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const documents = Array.isArray(parsed) ? parsed : [];
  const result: ScoreDocument[] = [];
  documents.forEach((document, documentIndex) => {
    const locate = makeLocator(document, lineCounter);
    const syntaxErrors: ScoreIssue[] = document.errors.map((error) => {
      const position = lineCounter.linePos(error.pos[0]);
      return {
        file: fileName,
        path: '/',
        line: position.line,
        column: position.col,
        message: `invalid YAML: ${error.message.split('\n')[0] ?? error.message}`,
      };
    });
    if (document.contents === null && syntaxErrors.length === 0) return; // empty document, e.g. a trailing `---`
    let value: unknown = null;
    if (syntaxErrors.length === 0) {
      try {
        value = document.toJS({ maxAliasCount: 1000 });
      } catch (error) {
        syntaxErrors.push({
          file: fileName,
          path: '/',
          line: 1,
          column: 1,
          message: `invalid YAML: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
    result.push({ file: fileName, documentIndex, value, syntaxErrors, locate });
  });
  return result;
}
