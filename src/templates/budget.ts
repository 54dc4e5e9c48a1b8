/**
 * Resource limits of one render: a step budget, an output-size limit and a time limit, enforced inside the
 * executor (every node and command costs a step, the clock is read every CLOCK_EVERY steps, the output length is
 * checked as it grows) and by the allocating functions (`repeat`, `until`, `untilStep`, `seq`, `indent`, `rand*`,
 * printf widths), which ask before they allocate. Rendering is synchronous, so the budget of the render in progress
 * is module state; `tpl` renders inside the same budget.
 */

export interface TemplateLimits {
  /** Steps (nodes, commands, range iterations, elements allocated) one render may take. */
  maxSteps: number;
  /** Characters one render may produce (the output, and any single string a function builds). */
  maxOutput: number;
  /** Wall-clock milliseconds one render may take. */
  timeoutMs: number;
}

export const DEFAULT_TEMPLATE_LIMITS: Readonly<TemplateLimits> = Object.freeze({ maxSteps: 1_000_000, maxOutput: 4 * 1024 * 1024, timeoutMs: 2_000 });

export type TemplateLimitName = 'steps' | 'output' | 'time';

/** A render went over one of its limits; `limit` names which. Not catchable by template code. */
export class TemplateLimitError extends Error {
  constructor(
    readonly limit: TemplateLimitName,
    message: string,
  ) {
    super(message);
  }
}

const CLOCK_EVERY = 1024;

export class RenderBudget {
  private steps = 0;
  private nextClockCheck = CLOCK_EVERY;
  private readonly deadline: number;

  constructor(readonly limits: TemplateLimits) {
    this.deadline = performance.now() + limits.timeoutMs;
  }

  /** Spends `n` steps; throws once the budget or the time is spent. */
  step(n = 1): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps) {
      throw new TemplateLimitError('steps', `render exceeded its step budget of ${this.limits.maxSteps} steps (BATON_TEMPLATE_MAX_STEPS)`);
    }
    if (this.steps >= this.nextClockCheck) {
      this.nextClockCheck = this.steps + CLOCK_EVERY;
      if (performance.now() > this.deadline) {
        throw new TemplateLimitError('time', `render exceeded its time limit of ${this.limits.timeoutMs} ms (BATON_TEMPLATE_TIMEOUT_MS)`);
      }
    }
  }

  /** Milliseconds left before the time limit. */
  remainingMs(): number {
    return this.deadline - performance.now();
  }

  /** Reads the clock now (before a slow function), throwing when the time is spent. */
  checkTime(): void {
    if (performance.now() > this.deadline) {
      throw new TemplateLimitError('time', `render exceeded its time limit of ${this.limits.timeoutMs} ms (BATON_TEMPLATE_TIMEOUT_MS)`);
    }
  }

  /** Throws when a string of `length` characters would exceed the output limit. */
  output(length: number): void {
    if (length > this.limits.maxOutput) {
      throw new TemplateLimitError('output', `render exceeded its output limit of ${this.limits.maxOutput} characters (BATON_TEMPLATE_MAX_OUTPUT)`);
    }
  }
}

let active: RenderBudget | undefined;

/** Runs `render` under `limits`, or inside the budget of the render already in progress (`tpl`). */
export function withBudget<T>(limits: TemplateLimits, render: (budget: RenderBudget) => T): T {
  if (active !== undefined) return render(active);
  const budget = new RenderBudget(limits);
  active = budget;
  try {
    return render(budget);
  } finally {
    active = undefined;
  }
}

/** True while a render is in progress (so a `tpl` render is nested in another). */
export function renderInProgress(): boolean {
  return active !== undefined;
}

/** For allocating functions: `elements` items are about to be built. */
export function allocate(elements: number): void {
  if (!Number.isFinite(elements) || elements <= 0) return;
  active?.step(elements);
}

/** For string-building functions: a string of `length` characters is about to be built. */
export function allocateString(length: number): void {
  if (!Number.isFinite(length) || length <= 0) return;
  active?.output(length);
  active?.step(Math.ceil(length / 1024));
}

/** Milliseconds the render in progress has left (the default limit outside a render). */
export function remainingTimeMs(): number {
  if (active === undefined) return DEFAULT_TEMPLATE_LIMITS.timeoutMs;
  active.checkTime();
  return Math.max(0, active.remainingMs());
}

/** For slow functions (hashing, key generation): reads the clock before they start. */
export function checkTime(): void {
  active?.checkTime();
}
