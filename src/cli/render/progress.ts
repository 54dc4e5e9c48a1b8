/**
 * Live progress of a slow operation (a deployment). On a terminal: an ora spinner whose text is the current
 * phase, with finished steps persisted above it (✔/✖). Elsewhere (CI logs, pipes): one plain line per event,
 * no escape codes. Both end with one final status line.
 */
import ora from 'ora';
import type { Ora } from 'ora';

export interface Progress {
  /** The current phase or activity (replaces the previous one on a terminal). */
  phase(text: string): void;
  /** A finished or failed step (a resource provisioned, a manifest written). */
  step(text: string, ok: boolean): void;
  /** Ends the display with the final status. */
  finish(text: string, ok: boolean): void;
}

/**
 * Whether a live display (spinner, cursor movement, redrawn lines) can be drawn on `stream`: a terminal whose
 * TERM is not `dumb`. A dumb terminal (Emacs' shell buffer, some CI log viewers that allocate a pseudo-terminal)
 * interprets no escape codes, so the spinner's redraws would pile up as garbage; it gets the plain lines instead.
 */
export function liveDisplay(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function createProgress(options: { tty: boolean; write: (text: string) => void; stream?: NodeJS.WritableStream }): Progress {
  if (!options.tty) return plainProgress(options.write);
  const stream = (options.stream ?? process.stderr) as NodeJS.WritableStream & { columns?: number };
  // A pseudo-terminal without a size (e.g. `script`, some CI runners) reports 0 columns; ora would then count
  // infinitely many wrapped lines to clear on every frame.
  if (!stream.columns) stream.columns = 80;
  const width = stream.columns;
  const fit = (text: string) => (text.length > width - 3 ? `${text.slice(0, width - 4)}…` : text);
  const spinner: Ora = ora({ text: 'starting', stream, isEnabled: true }).start();
  return {
    phase(text) {
      spinner.text = fit(text);
    },
    step(text, ok) {
      const current = spinner.text;
      if (ok) spinner.succeed(text);
      else spinner.fail(text);
      spinner.start(current);
    },
    finish(text, ok) {
      if (ok) spinner.succeed(text);
      else spinner.fail(text);
    },
  };
}

export function plainProgress(write: (text: string) => void): Progress {
  let last = '';
  return {
    phase(text) {
      if (text === last) return;
      last = text;
      write(`... ${text}\n`);
    },
    step(text, ok) {
      write(`${ok ? 'ok' : 'FAILED'}: ${text}\n`);
    },
    finish(text, ok) {
      write(`${ok ? 'done' : 'FAILED'}: ${text}\n`);
    },
  };
}
