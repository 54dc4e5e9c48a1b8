import { UsageError } from './errors.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
/** Longest duration accepted (10 years): a bound, not a policy. */
const MAX_MS = 3_650 * UNIT_MS.d;

/** `90m`, `12h`, `30d`, `2w` (also combined: `1d12h`) → milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  if (!/^(\d+[mhdw])+$/.test(trimmed)) {
    throw new UsageError(`"${text}" is not a duration: use a number with m, h, d or w, e.g. 90m, 12h, 30d, 2w, 1d12h`);
  }
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)([mhdw])/g)) total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  if (total <= 0) throw new UsageError(`duration "${text}" must be longer than zero`);
  if (total > MAX_MS) throw new UsageError(`duration "${text}" is longer than 10 years`);
  return total;
}
