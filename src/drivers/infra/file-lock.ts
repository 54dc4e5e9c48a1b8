import { open, readFile, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Timeout } from '../../shared/errors.js';

export interface FileLockOptions {
  signal?: AbortSignal;
  /** Give up waiting after this long. Default 15 minutes. */
  timeoutMs?: number;
  /** A lock whose file has not been touched for this long is considered abandoned. Default 5 minutes. */
  staleMs?: number;
  pollMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  acquiredAt: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(path: string, staleMs: number): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    let owner: Partial<LockOwner> = {};
    try {
      owner = JSON.parse(text) as Partial<LockOwner>;
    } catch {
      // A half-written lock file: judge by age alone.
    }
    if (owner.host === hostname() && typeof owner.pid === 'number' && !processAlive(owner.pid)) return true;
    return Date.now() - info.mtimeMs > staleMs;
  } catch (error) {
    // Gone between our failed create and this check: not stale, just retry the create.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * An exclusive lock shared by every process on this machine (and on a shared volume), held by
 * creating `path` with O_EXCL. A lock left behind by a dead process (same host, pid gone) or not
 * refreshed for `staleMs` is broken. While held, the file's mtime is refreshed so long runs are not
 * mistaken for abandoned ones. Returns the release function.
 *
 * Hand-written because no installed package provides it; the O_EXCL create is the whole mechanism.
 */
export async function acquireFileLock(path: string, options: FileLockOptions = {}): Promise<() => Promise<void>> {
  const timeoutMs = options.timeoutMs ?? 15 * 60_000;
  const staleMs = options.staleMs ?? 5 * 60_000;
  const pollMs = options.pollMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (options.signal?.aborted) throw new Timeout(`cancelled while waiting for lock ${path}`);
    try {
      const handle = await open(path, 'wx', 0o600);
      const owner: LockOwner = { pid: process.pid, host: hostname(), acquiredAt: new Date().toISOString() };
      await handle.writeFile(JSON.stringify(owner));
      await handle.close();
      const heartbeat = setInterval(() => {
        const now = new Date();
        utimes(path, now, now).catch(() => undefined);
      }, Math.max(1000, Math.floor(staleMs / 3)));
      heartbeat.unref();
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        clearInterval(heartbeat);
        await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(path, staleMs)) {
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new Timeout(`timed out after ${timeoutMs} ms waiting for lock ${path}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
