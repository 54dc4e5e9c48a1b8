import type { JsonObject } from './contract.js';

/**
 * A definition's own driver deadline: `driver_inputs.values.baton_timeout_seconds` (Baton's field; Humanitec
 * treats `values` as free-form, so its clients pass it through). It replaces the global deadline
 * (`BATON_DRIVER_TIMEOUT_MS`) for that definition's calls and is never sent to the driver.
 */
export const DEADLINE_VALUE = 'baton_timeout_seconds';
/** The longest per-definition deadline accepted: one day. */
export const MAX_DEADLINE_SECONDS = 86_400;

/** The definition's deadline problem, or undefined when `values` has none or a valid one. */
export function checkDeadlineValue(values: JsonObject): string | undefined {
  const raw = values[DEADLINE_VALUE];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1 || raw > MAX_DEADLINE_SECONDS) {
    return `driver_inputs.values.${DEADLINE_VALUE}: must be a whole number of seconds from 1 to ${MAX_DEADLINE_SECONDS} (got ${JSON.stringify(raw)})`;
  }
  return undefined;
}

/** The driver's values without Baton's deadline field, and the deadline that applies (the definition's, else `fallbackMs`). */
export function splitDeadline(values: JsonObject, fallbackMs: number): { values: JsonObject; timeoutMs: number } {
  if (!Object.hasOwn(values, DEADLINE_VALUE)) return { values, timeoutMs: fallbackMs };
  const { [DEADLINE_VALUE]: raw, ...rest } = values;
  const timeoutMs = typeof raw === 'number' && Number.isInteger(raw) && raw >= 1 && raw <= MAX_DEADLINE_SECONDS ? raw * 1000 : fallbackMs;
  return { values: rest, timeoutMs };
}
