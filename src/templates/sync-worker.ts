/**
 * Runs the few template functions that are slow or asynchronous in Node (RSA/DSA key generation, scrypt, bcrypt,
 * DNS) on a worker thread while the synchronous render waits for the answer, at most for the time its budget has
 * left (budget.ts). A call that is not answered in time fails with the render's time-limit error and the worker is
 * ended, so a 4096-bit key or a slow resolver cannot hold a render past BATON_TEMPLATE_TIMEOUT_MS.
 *
 * The wait is Atomics.wait on a shared buffer the worker sets when its answer is posted; receiveMessageOnPort then
 * reads the answer synchronously (the pattern libraries such as synckit use; done here in a few lines).
 */
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { remainingTimeMs, TemplateLimitError } from './budget.js';

export type WorkerOp =
  | { op: 'generateKeyPair'; type: 'rsa' | 'dsa' | 'ec' | 'ed25519'; modulusLength?: number; divisorLength?: number; namedCurve?: string }
  | { op: 'scrypt'; password: string; salt: string; keyLength: number; N: number; r: number; p: number }
  | { op: 'bcrypt'; password: string; cost: number }
  | { op: 'lookupHost'; name: string };

// The worker is plain CommonJS evaluated from this string, so it runs the same under tsx and compiled output.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const dns = require('node:dns');
const bcrypt = require(workerData.bcryptPath);
async function run(msg) {
  switch (msg.op) {
    case 'generateKeyPair': {
      const options = {};
      if (msg.modulusLength) options.modulusLength = msg.modulusLength;
      if (msg.divisorLength) options.divisorLength = msg.divisorLength;
      if (msg.namedCurve) options.namedCurve = msg.namedCurve;
      const { privateKey } = crypto.generateKeyPairSync(msg.type, options);
      return privateKey.export({ type: 'pkcs8', format: 'pem' });
    }
    case 'scrypt':
      return crypto.scryptSync(Buffer.from(msg.password, 'utf8'), Buffer.from(msg.salt, 'base64'), msg.keyLength,
        { N: msg.N, r: msg.r, p: msg.p, maxmem: 256 * msg.N * msg.r * msg.p + 1024 * 1024 }).toString('base64');
    case 'bcrypt':
      return bcrypt.hashSync(msg.password, msg.cost);
    case 'lookupHost': {
      const found = await dns.promises.lookup(msg.name, { all: true });
      return found.map((a) => a.address);
    }
    default:
      throw new Error('unknown operation ' + msg.op);
  }
}
parentPort.on('message', async ({ msg, port, flag }) => {
  let answer;
  try {
    answer = { ok: true, value: await run(msg) };
  } catch (error) {
    answer = { ok: false, error: error && error.message ? error.message : String(error) };
  }
  port.postMessage(answer);
  port.close();
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

let worker: Worker | undefined;

function getWorker(): Worker {
  if (worker === undefined) {
    const bcryptPath = createRequire(import.meta.url).resolve('bcryptjs');
    const w = new Worker(workerSource, { eval: true, workerData: { bcryptPath } });
    w.unref(); // never keeps the process alive
    w.on('error', () => {
      if (worker === w) worker = undefined;
    });
    w.on('exit', () => {
      if (worker === w) worker = undefined;
    });
    worker = w;
  }
  return worker;
}

/** Runs `msg` on the worker and waits for its answer, at most `maxMs` and at most the render's remaining time. */
export function runOnWorker(msg: WorkerOp, maxMs = Number.POSITIVE_INFINITY): unknown {
  const budgetMs = remainingTimeMs();
  const timeout = Math.max(0, Math.min(maxMs, budgetMs));
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 }: { port1: MessagePort; port2: MessagePort } = new MessageChannel();
  const w = getWorker();
  try {
    w.postMessage({ msg, port: port2, flag }, [port2]);
    const state = Atomics.wait(flag, 0, 0, timeout);
    const received: { message: { ok: boolean; value?: unknown; error?: string } } | undefined = receiveMessageOnPort(port1);
    if (state === 'timed-out' && received === undefined) {
      // the worker is busy with work nobody waits for: end it, the next call starts a fresh one
      worker = undefined;
      void w.terminate();
      if (budgetMs <= maxMs) {
        throw new TemplateLimitError('time', `render exceeded its time limit (BATON_TEMPLATE_TIMEOUT_MS) while running ${msg.op}`);
      }
      throw new Error(`${msg.op} did not answer within ${maxMs} ms`);
    }
    if (received === undefined) throw new Error(`${msg.op} gave no answer`);
    if (!received.message.ok) throw new Error(received.message.error ?? `${msg.op} failed`);
    return received.message.value;
  } finally {
    port1.close();
  }
}
