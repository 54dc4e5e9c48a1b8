/**
 * Prompts on the terminal. `promptHidden` reads a secret (token, password) with echo off: the terminal is put in
 * raw mode BEFORE the prompt is shown, so nothing typed after it is echoed by the terminal, and this reader echoes
 * nothing either. (Node's readline echoes every key itself, which is why `baton login` used to show the token.)
 */
import { UsageError } from './errors.js';

/** Longest secret accepted at a prompt (a token is 43 characters; a password manager's passphrase fits too). */
export const MAX_SECRET_LENGTH = 4096;

export interface PromptStreams {
  input: NodeJS.ReadStream;
  output: NodeJS.WritableStream;
}

const defaultStreams = (): PromptStreams => ({ input: process.stdin, output: process.stderr });

/** Reads one line without echo. Enter ends it; Backspace deletes; Ctrl-U clears; Ctrl-C cancels (UsageError). */
export function promptHidden(label: string, streams: PromptStreams = defaultStreams()): Promise<string> {
  const { input, output } = streams;
  if (input.isTTY !== true || typeof input.setRawMode !== 'function') {
    return Promise.reject(new UsageError(`${label.replace(/:\s*$/, '')}: standard input is not a terminal`));
  }
  input.setRawMode(true);
  output.write(label);
  input.setEncoding('utf8');
  return new Promise<string>((resolve, reject) => {
    let value: string[] = [];
    let escape: 'none' | 'esc' | 'csi' = 'none';
    const finish = (error?: Error) => {
      input.removeListener('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(value.join(''));
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        // Skip terminal escape sequences (arrow keys etc.): ESC [ params final-byte, or ESC + one character.
        if (escape === 'esc') {
          escape = ch === '[' ? 'csi' : 'none';
          continue;
        }
        if (escape === 'csi') {
          if (ch >= '@' && ch <= '~') escape = 'none';
          continue;
        }
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new UsageError('cancelled'));
        if (ch === '\u0004') return value.length === 0 ? finish(new UsageError('cancelled')) : finish();
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch === '\u0015') value = [];
        else if (ch === '\u001b') escape = 'esc';
        else if (ch >= ' ') {
          if (value.length >= MAX_SECRET_LENGTH) return finish(new UsageError(`input longer than ${MAX_SECRET_LENGTH} characters`));
          value.push(ch);
        }
      }
    };
    input.on('data', onData);
    input.resume();
  });
}

/** Reads one visible line (e.g. an e-mail address) from the terminal. */
export async function promptLine(label: string, streams: PromptStreams = defaultStreams()): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: streams.input, output: streams.output, terminal: streams.input.isTTY === true });
  try {
    return (await rl.question(label)).trim();
  } finally {
    rl.close();
  }
}
