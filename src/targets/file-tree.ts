/** One YAML file per object in a folder: shared by the directory and gitops targets. */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { InvalidInput } from '../shared/errors.js';
import { objectFileName, objectKey } from './objects.js';
import { plainCodec } from './secrets.js';
import type { ObjectCodec } from './secrets.js';
import type { ApplyResult, K8sObject } from './types.js';

async function yamlFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The objects held in `dir`, in file-name order (decoded by `codec`: SOPS Secrets decrypted when Baton can). */
export async function readObjects(dir: string, codec: ObjectCodec = plainCodec): Promise<K8sObject[]> {
  const objects: K8sObject[] = [];
  for (const file of await yamlFiles(dir)) {
    objects.push(codec.decode(await readFile(join(dir, file), 'utf8')));
  }
  return objects;
}

/** Files handled at once: the reads and writes of a large environment overlap in libuv's thread pool. */
const FILE_CONCURRENCY = 16;

async function eachLimited<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(FILE_CONCURRENCY, items.length) }, lane));
}

/**
 * Make `dir` hold exactly one file per object: write new and changed files (write + rename, so a reader
 * never sees half a file), delete files of objects no longer rendered, leave identical files untouched.
 * The codec decides a file's content and keeps the present one when it holds the same object (objects stamped by
 * a profile carry a hash of everything but the deployment id; a SOPS Secret is compared decrypted), so a redeploy
 * of the same content leaves the tree (and the git history) untouched.
 */
export async function syncObjectFiles(dir: string, objects: K8sObject[], codec: ObjectCodec = plainCodec): Promise<Omit<ApplyResult, 'revision'>> {
  const desired = new Map<string, { key: string; object: K8sObject }>();
  for (const object of objects) {
    const file = objectFileName(object);
    const clash = desired.get(file);
    if (clash) throw new InvalidInput(`objects ${clash.key} and ${objectKey(object)} would share the file ${file}`);
    desired.set(file, { key: objectKey(object), object });
  }
  await mkdir(dir, { recursive: true });
  const result: Omit<ApplyResult, 'revision'> = { changed: [], removed: [], unchanged: [] };
  await eachLimited(
    (await yamlFiles(dir)).filter((file) => !desired.has(file)),
    async (file) => {
      const path = join(dir, file);
      const old = parse(await readFile(path, 'utf8')) as K8sObject | null;
      await rm(path);
      result.removed.push(old?.metadata?.name ? objectKey(old) : file);
    },
  );
  await eachLimited([...desired], async ([file, { key, object }]) => {
    const path = join(dir, file);
    const current = await readFile(path, 'utf8').catch(() => undefined);
    const content = codec.encode(object, current);
    if (current === content) {
      result.unchanged.push(key);
      return;
    }
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, content);
    await rename(temporary, path);
    result.changed.push(key);
  });
  result.changed.sort();
  result.removed.sort();
  result.unchanged.sort();
  return result;
}
