/**
 * `baton get -w`: kubectl's watch habit, by polling the API. The output is printed once, then again each time it
 * changes; the watch ends when the watched object is finished (a deployment that reached a final status), when
 * the caller's signal aborts (Ctrl-C), or when its time bound runs out. Nothing here touches `process`: the
 * command wires the signal and the output.
 */

export type WatchEnd = 'finished' | 'interrupted' | 'timeout';

export interface WatchOptions<T> {
  load(): Promise<T>;
  render(body: T): string;
  /** The watch ends after printing a body for which this is true (e.g. a deployment that succeeded or failed). */
  finished?(body: T): boolean;
  out(text: string): void;
  intervalMs: number;
  /** Upper bound of the whole watch. */
  timeoutMs: number;
  /** Aborted by Ctrl-C: the watch ends at once (a request in flight is left to finish, its result unprinted). */
  signal: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Bounds of `--interval` (seconds): often enough to feel live, rarely enough not to load the server. */
export const WATCH_INTERVAL = { defaultMs: 2_000, minMs: 500, maxMs: 60_000 } as const;
export const WATCH_TIMEOUT_DEFAULT = '1h';

/** Waits `ms`, or less if `signal` aborts first. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

export async function watch<T>(options: WatchOptions<T>): Promise<WatchEnd> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  const deadline = now() + options.timeoutMs;
  let last: string | undefined;
  for (;;) {
    const body = await options.load();
    if (options.signal.aborted) return 'interrupted';
    const text = options.render(body);
    if (text !== last) {
      options.out(text);
      last = text;
    }
    if (options.finished?.(body) === true) return 'finished';
    if (now() >= deadline) return 'timeout';
    await sleep(Math.min(options.intervalMs, Math.max(0, deadline - now())), options.signal);
    if (options.signal.aborted) return 'interrupted';
  }
}

/** `--interval` in seconds (decimals allowed) → milliseconds, within WATCH_INTERVAL; undefined when not a number. */
export function parseWatchInterval(text: string | undefined): number | undefined {
  if (text === undefined) return WATCH_INTERVAL.defaultMs;
  if (!/^\d+(\.\d+)?$/.test(text.trim())) return undefined;
  const ms = Math.round(Number(text) * 1000);
  return Math.min(WATCH_INTERVAL.maxMs, Math.max(WATCH_INTERVAL.minMs, ms));
}
