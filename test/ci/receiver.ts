/** A webhook receiver for tests: a real HTTP server that records every request and answers what `answer` says. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Status to answer request number `n` (1-based); default 200. */
  answer: (n: number) => number;
  /** Resolves when `count` requests matching `predicate` arrived. */
  waitFor(predicate: (r: Received) => boolean, count?: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(answer: (n: number) => number = () => 200): Promise<Receiver> {
  const received: Received[] = [];
  const receiver: Receiver = {
    url: '',
    received,
    answer,
    async waitFor(predicate, count = 1, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.filter(predicate);
        if (found.length >= count) return found;
        if (Date.now() > deadline) throw new Error(`the receiver got ${found.length} of ${count} expected requests (all: ${received.map((r) => r.body).join(' | ')})`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      res.writeHead(receiver.answer(received.length), { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/baton`;
  return receiver;
}

/** Checks `Baton-Signature: t=…,v1=…` the way docs/ci.md tells receivers to. */
export function signatureIsValid(secret: string, received: Received): boolean {
  const header = String(received.headers['baton-signature'] ?? '');
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${received.body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}
