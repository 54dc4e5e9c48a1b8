/**
 * Failed-authentication rate limit per source address (RBAC contract): after `maxFailures` failed attempts within
 * `windowMs`, an address gets `TooManyAttempts` (429 with `Retry-After`) until that window ends, even with a valid
 * credential: answering a valid guess differently from an invalid one while blocked would keep the guessing oracle
 * open. The bearer-token hook (src/api/auth.ts) and `POST /baton/login` share one limiter per server.
 *
 * - Successful authentications are never counted, so a busy client with a good token is never throttled.
 * - A success does NOT erase earlier failures: otherwise whoever holds one valid credential could interleave it
 *   with guesses at another and never reach the limit.
 * - Memory is bounded: at most `maxTrackedAddresses` addresses are tracked; when full, finished windows are dropped
 *   first, then the oldest entry (Map insertion order).
 * - In memory, per process: each replica limits on its own (an attacker spread over N replicas gets N × the limit).
 *
 * The address is Fastify's `request.ip` (the peer address; Baton does not trust `X-Forwarded-For`). Behind a
 * reverse proxy every client shares the proxy's address, so one client's failures delay everyone's: set the limit
 * accordingly (`BATON_AUTH_FAILURE_LIMIT`, 0 turns it off).
 */
import { TooManyAttempts, Unauthenticated } from '../shared/errors.js';

export interface AuthFailureLimiterOptions {
  /** Failed attempts allowed per address and window (default 10); 0 turns the limiter off. */
  maxFailures?: number;
  /** Window length in milliseconds (default 60 000). */
  windowMs?: number;
  /** Addresses tracked at once (default 10 000). */
  maxTrackedAddresses?: number;
  /** Clock (tests). */
  now?: () => number;
}

export interface AuthFailureLimiter {
  /** Throws `TooManyAttempts` when `ip` has used up its failures in the current window. */
  assertAllowed(ip: string): void;
  recordFailure(ip: string): void;
  recordSuccess(ip: string): void;
  /** Addresses currently tracked (tests, metrics). */
  readonly trackedAddresses: number;
}

export const AUTH_FAILURE_DEFAULTS = { maxFailures: 10, windowMs: 60_000, maxTrackedAddresses: 10_000 } as const;

interface Window {
  startedAt: number;
  failures: number;
}

export function createAuthFailureLimiter(options: AuthFailureLimiterOptions = {}): AuthFailureLimiter {
  const maxFailures = options.maxFailures ?? AUTH_FAILURE_DEFAULTS.maxFailures;
  const windowMs = options.windowMs ?? AUTH_FAILURE_DEFAULTS.windowMs;
  const maxTracked = Math.max(1, options.maxTrackedAddresses ?? AUTH_FAILURE_DEFAULTS.maxTrackedAddresses);
  const now = options.now ?? Date.now;
  const windows = new Map<string, Window>();
  const off = maxFailures <= 0;

  const expired = (w: Window, at: number) => at - w.startedAt >= windowMs;

  function makeRoom(at: number): void {
    if (windows.size < maxTracked) return;
    for (const [ip, w] of windows) if (expired(w, at)) windows.delete(ip);
    while (windows.size >= maxTracked) {
      const oldest = windows.keys().next();
      if (oldest.done === true) break;
      windows.delete(oldest.value);
    }
  }

  return {
    assertAllowed(ip) {
      if (off) return;
      const w = windows.get(ip);
      if (w === undefined) return;
      const at = now();
      if (expired(w, at)) {
        windows.delete(ip);
        return;
      }
      if (w.failures >= maxFailures) {
        const retryAfterSeconds = Math.max(1, Math.ceil((w.startedAt + windowMs - at) / 1000));
        throw new TooManyAttempts(`too many failed authentication attempts from this address; retry in ${retryAfterSeconds} s`, retryAfterSeconds);
      }
    },
    recordFailure(ip) {
      if (off) return;
      const at = now();
      const w = windows.get(ip);
      if (w !== undefined && !expired(w, at)) {
        w.failures += 1;
        return;
      }
      windows.delete(ip);
      makeRoom(at);
      windows.set(ip, { startedAt: at, failures: 1 });
    },
    recordSuccess(ip) {
      // Failures are kept (see above); only an entry whose window is over is forgotten.
      const w = windows.get(ip);
      if (w !== undefined && expired(w, now())) windows.delete(ip);
    },
    get trackedAddresses() {
      return windows.size;
    },
  };
}

/**
 * One authentication attempt from `ip` under the limit: refused with 429 once the address has used up its failures,
 * counted as a failure when `attempt` throws `Unauthenticated`, as a success otherwise. The bearer-token hook, password
 * login and invitation acceptance all go through it.
 */
export async function limitedAuthAttempt<T>(limiter: AuthFailureLimiter, ip: string, attempt: () => Promise<T>): Promise<T> {
  limiter.assertAllowed(ip);
  try {
    const result = await attempt();
    limiter.recordSuccess(ip);
    return result;
  } catch (error) {
    if (error instanceof Unauthenticated) limiter.recordFailure(ip);
    throw error;
  }
}
