import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWatchInterval, watch } from './watch.js';

/** A clock that sleeping advances, so the loop runs without waiting. */
function fakeTime() {
  let t = 0;
  return { now: () => t, sleep: (ms: number) => ((t += ms), Promise.resolve()) };
}

describe('watch (get -w)', () => {
  it('prints the first output, then only outputs that differ from the last one printed', async () => {
    const bodies = ['a', 'a', 'b', 'b', 'a'];
    let i = 0;
    const printed: string[] = [];
    const end = await watch({ ...fakeTime(), load: () => Promise.resolve(bodies[Math.min(i++, bodies.length - 1)]!), render: (b) => `[${b}]`, out: (t) => printed.push(t), intervalMs: 1000, timeoutMs: 10_000, signal: new AbortController().signal });
    assert.equal(end, 'timeout');
    assert.deepEqual(printed, ['[a]', '[b]', '[a]']);
  });

  it('ends once the body is finished (a deployment reaching a final status), after printing it', async () => {
    const statuses = ['pending', 'in progress', 'in progress', 'succeeded', 'never read'];
    let i = 0;
    const printed: string[] = [];
    const end = await watch({ ...fakeTime(), load: () => Promise.resolve(statuses[i++]!), render: (s) => s, finished: (s) => s === 'succeeded', out: (t) => printed.push(t), intervalMs: 500, timeoutMs: 3_600_000, signal: new AbortController().signal });
    assert.equal(end, 'finished');
    assert.deepEqual(printed, ['pending', 'in progress', 'succeeded']);
    assert.equal(i, 4);
  });

  it('ends at once when the signal aborts (Ctrl-C), without printing the result of a request in flight', async () => {
    const controller = new AbortController();
    let loads = 0;
    const printed: string[] = [];
    const end = await watch({
      ...fakeTime(),
      load: () => {
        loads++;
        if (loads === 3) controller.abort();
        return Promise.resolve(loads);
      },
      render: String,
      out: (t) => printed.push(t),
      intervalMs: 1000,
      timeoutMs: 3_600_000,
      signal: controller.signal,
    });
    assert.equal(end, 'interrupted');
    assert.deepEqual(printed, ['1', '2']);
  });

  it('is bounded by its timeout: polls every interval, then stops', async () => {
    let loads = 0;
    const end = await watch({ ...fakeTime(), load: () => Promise.resolve(++loads), render: () => 'same', out: () => undefined, intervalMs: 2000, timeoutMs: 10_000, signal: new AbortController().signal });
    assert.equal(end, 'timeout');
    assert.equal(loads, 6);
  });

  it('--interval is seconds, clamped to 0.5..60; not a number is undefined', () => {
    assert.equal(parseWatchInterval(undefined), 2000);
    assert.equal(parseWatchInterval('1.5'), 1500);
    assert.equal(parseWatchInterval('0'), 500);
    assert.equal(parseWatchInterval('3600'), 60_000);
    assert.equal(parseWatchInterval('soon'), undefined);
    assert.equal(parseWatchInterval('-1'), undefined);
  });
});
