import { Timeout } from '../../shared/errors.js';

/** Stops a driver between steps once the deployment is cancelled or out of time. */
export function throwIfAborted(signal: AbortSignal, doing: string): void {
  if (signal.aborted) {
    throw new Timeout(`cancelled while ${doing}`, { reason: String(signal.reason ?? 'aborted') });
  }
}
