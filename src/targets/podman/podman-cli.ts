/**
 * Runs the `podman` command: arguments as an array (no shell), a deadline, bounded output, Baton's own settings
 * kept out of the child's environment. Values that are secret (environment variables of a container) travel in
 * the child's environment and are named by `--env NAME` only, so they never appear on a command line.
 */
import { spawn } from 'node:child_process';
import { childProcessEnv } from '../../shared/child-env.js';
import { DriverFailed, Timeout } from '../../shared/errors.js';

/** Podman prints little; anything beyond this is cut (the error message keeps the tail). */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

export interface PodmanOptions {
  /** The podman binary (default `podman` on PATH). */
  bin?: string;
  /** A containers.conf for this machine (`CONTAINERS_CONF`), e.g. runc and explicit ulimits. */
  containersConf?: string;
  /** Deadline per call, milliseconds (default 120 s: `podman run` may unpack an image). */
  timeoutMs?: number;
}

export interface PodmanResult {
  stdout: string;
  stderr: string;
  code: number;
}

export class PodmanCli {
  readonly bin: string;
  private readonly containersConf: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: PodmanOptions = {}) {
    this.bin = options.bin ?? 'podman';
    this.containersConf = options.containersConf ?? process.env.CONTAINERS_CONF;
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  /** Runs podman; resolves with the exit code (callers decide what a non-zero code means). */
  run(args: readonly string[], options: { env?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<PodmanResult> {
    const env = childProcessEnv({ ...(this.containersConf ? { CONTAINERS_CONF: this.containersConf } : {}), ...options.env });
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      child.stdout.on('data', (chunk: Buffer) => {
        if (outBytes < MAX_OUTPUT_BYTES) out.push(chunk);
        outBytes += chunk.length;
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (errBytes < MAX_OUTPUT_BYTES) err.push(chunk);
        errBytes += chunk.length;
      });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, options.timeoutMs ?? this.timeoutMs);
      const onAbort = (): void => {
        child.kill('SIGKILL');
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        reject(
          new DriverFailed(
            error.code === 'ENOENT' ? `podman is not installed (no "${this.bin}" on PATH)` : `podman could not be started: ${error.message}`,
            { target: 'baton/podman' },
          ),
        );
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (timedOut) {
          reject(new Timeout(`podman ${args[0] ?? ''} did not finish in time`, { target: 'baton/podman' }));
          return;
        }
        if (options.signal?.aborted) {
          reject(new DriverFailed(`podman ${args[0] ?? ''} was cancelled`, { target: 'baton/podman' }));
          return;
        }
        resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code: code ?? -1 });
      });
    });
  }

  /** Runs podman and fails with its stderr (last lines) on a non-zero exit. */
  async check(args: readonly string[], options: { env?: Record<string, string>; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0) {
      const tail = result.stderr.trim().split('\n').slice(-5).join('\n');
      throw new DriverFailed(`podman ${args.slice(0, 2).join(' ')} failed (exit ${result.code}): ${tail}`, { target: 'baton/podman' });
    }
    return result.stdout;
  }
}

/** Whether podman can run here: the binary exists and answers `podman version`. */
export async function podmanAvailable(options: PodmanOptions = {}): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const result = await new PodmanCli({ ...options, timeoutMs: 15_000 }).run(['version', '--format', '{{.Client.Version}}']);
    return result.code === 0 ? { ok: true } : { ok: false, reason: `podman version failed: ${result.stderr.trim()}` };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
