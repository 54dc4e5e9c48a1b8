/**
 * Stable host ports for published service ports: the same app/env/workload/port gets the same 127.0.0.1 port on
 * every deployment (bookmarks, `.env` files and other workloads keep working), kept in a small JSON file in the
 * data folder. A new key starts from a port derived from its hash and moves on while the port is taken.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';

export const PORT_RANGE = { first: 20_000, count: 20_000 } as const;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export class PortAllocator {
  /** Serialises allocations in this process (the file is this process's own, see docs/local-runtime.md). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  private async read(): Promise<Record<string, number>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
      const result: Record<string, number> = Object.create(null) as Record<string, number>;
      for (const [key, value] of Object.entries(parsed)) if (typeof value === 'number' && Number.isInteger(value)) result[key] = value;
      return result;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return Object.create(null) as Record<string, number>;
      throw error;
    }
  }

  private async write(ports: Record<string, number>): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(ports, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, this.file);
  }

  /** The host port of each key; new keys get a free port. `owned` ports may be busy (our own running pod holds them). */
  allocate(keys: readonly string[]): Promise<Map<string, number>> {
    const run = this.queue.then(async () => {
      const ports = await this.read();
      const taken = new Set(Object.values(ports));
      const result = new Map<string, number>();
      let changed = false;
      for (const key of keys) {
        const known = ports[key];
        if (known !== undefined) {
          result.set(key, known);
          continue;
        }
        const start = createHash('sha256').update(key).digest().readUInt32BE(0) % PORT_RANGE.count;
        let chosen: number | undefined;
        for (let i = 0; i < PORT_RANGE.count && chosen === undefined; i++) {
          const candidate = PORT_RANGE.first + ((start + i) % PORT_RANGE.count);
          if (!taken.has(candidate) && (await portFree(candidate))) chosen = candidate;
        }
        if (chosen === undefined) throw new Error('no free local port left for the local runtime');
        ports[key] = chosen;
        taken.add(chosen);
        result.set(key, chosen);
        changed = true;
      }
      if (changed) await this.write(ports);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Forgets the ports of keys starting with `prefix` (an environment is deleted). */
  release(prefix: string): Promise<void> {
    const run = this.queue.then(async () => {
      const ports = await this.read();
      let changed = false;
      for (const key of Object.keys(ports)) {
        if (key.startsWith(prefix)) {
          delete ports[key];
          changed = true;
        }
      }
      if (changed) await this.write(ports);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }
}
