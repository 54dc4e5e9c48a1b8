/**
 * The only file-system code of the Score module: reading Score (and extensions/overrides) files by path.
 * The reader is injectable so callers (tests, the API) can supply contents without a disk.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { InvalidInput } from '../shared/errors.js';
import { parseScoreDocuments } from './document.js';
import type { ScoreDocument } from './document.js';

export type TextReader = (path: string) => string;

export const readTextFile: TextReader = (path) => readFileSync(path, 'utf8');

/** Reads and parses every file (each may hold several `---` separated workloads), in the given order. */
export function loadScoreFiles(paths: readonly string[], readFile: TextReader = readTextFile): ScoreDocument[] {
  return paths.flatMap((path) => {
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      throw new InvalidInput(`cannot read Score file '${path}': ${error instanceof Error ? error.message : String(error)}`, {
        issues: [{ file: path, path: '/', line: 0, column: 0, message: 'cannot read the file' }],
      });
    }
    return parseScoreDocuments(text, path);
  });
}

/** Reads a single-document YAML file (extensions, overrides) into a plain value. */
export function loadYamlFile(path: string, readFile: TextReader = readTextFile): unknown {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    throw new InvalidInput(`cannot read '${path}': ${error instanceof Error ? error.message : String(error)}`, { file: path });
  }
  try {
    return parseYaml(text) as unknown;
  } catch (error) {
    throw new InvalidInput(`'${path}' is not valid YAML: ${error instanceof Error ? error.message : String(error)}`, { file: path });
  }
}

/** A file reader for `convertScoreToDelta`'s `readFile` option (file sources are read as bytes). */
export const readBinaryFile = (path: string): Uint8Array => readFileSync(path);
