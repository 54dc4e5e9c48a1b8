/** One YAML file per object in a folder: shared by the directory and gitops targets. */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { InvalidInput } from '../shared/errors.js';
import { CONTENT_HASH_ANNOTATION, objectFileName, objectKey, toYaml } from './objects.js';
import type { ApplyResult, K8sObject } from './types.js';

async function yamlFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The objects held in `dir`, in file-name order. */
export async function readObjects(dir: string): Promise<K8sObject[]> {
  const objects: K8sObject[] = [];
  for (const file of await yamlFiles(dir)) {
    objects.push(parse(await readFile(join(dir, file), 'utf8')) as K8sObject);
  }
  return objects;
}

/**
 * Objects stamped by a profile carry a hash of everything but the deployment id: when it matches the
 * file's, the object is unchanged and the file keeps the id of the deployment that last changed it,
 * so a redeploy of the same content leaves the tree (and the git history) untouched.
 */
function sameContentHash(currentYaml: string, object: K8sObject): boolean {
  const hash = object.metadata.annotations?.[CONTENT_HASH_ANNOTATION];
  if (hash === undefined) return false;
  const current = parse(currentYaml) as K8sObject | null;
  return current?.metadata?.annotations?.[CONTENT_HASH_ANNOTATION] === hash;
}

/**
 * Make `dir` hold exactly one file per object: write new and changed files (write + rename, so a reader
 * never sees half a file), delete files of objects no longer rendered, leave identical files untouched.
 */
export async function syncObjectFiles(dir: string, objects: K8sObject[]): Promise<Omit<ApplyResult, 'revision'>> {
  const desired = new Map<string, { key: string; content: string; object: K8sObject }>();
  for (const object of objects) {
    const file = objectFileName(object);
    const clash = desired.get(file);
    if (clash) throw new InvalidInput(`objects ${clash.key} and ${objectKey(object)} would share the file ${file}`);
    desired.set(file, { key: objectKey(object), content: toYaml(object), object });
  }
  await mkdir(dir, { recursive: true });
  const result: Omit<ApplyResult, 'revision'> = { changed: [], removed: [], unchanged: [] };
  for (const file of await yamlFiles(dir)) {
    if (desired.has(file)) continue;
    const path = join(dir, file);
    const old = parse(await readFile(path, 'utf8')) as K8sObject | null;
    await rm(path);
    result.removed.push(old?.metadata?.name ? objectKey(old) : file);
  }
  for (const [file, { key, content, object }] of desired) {
    const path = join(dir, file);
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === content || (current !== undefined && sameContentHash(current, object))) {
      result.unchanged.push(key);
      continue;
    }
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, content);
    await rename(temporary, path);
    result.changed.push(key);
  }
  result.changed.sort();
  result.removed.sort();
  result.unchanged.sort();
  return result;
}
