// The service supervisor's restart policy, headless: a service that crashes at start is not
// restarted forever; it stops after repeated fast crashes and says why (vscode-eslint does the same).
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RestartPolicy } from '../../src/extension/restartPolicy';

/** Drives a policy through crashes `upMs` after each start; returns the verdicts. */
function crashLoop(policy: RestartPolicy, upMs: number, times: number, t0 = 0): { verdicts: ReturnType<RestartPolicy['crashed']>[]; now: number } {
  let now = t0;
  const verdicts = [];
  for (let i = 0; i < times; i++) {
    policy.started(now);
    now += upMs;
    const v = policy.crashed(now, 'exit code 1');
    verdicts.push(v);
    if (!v.restart) break;
    now += v.delayMs;
  }
  return { verdicts, now };
}

test('a service that crashes at start is restarted with growing delays, then given up on with the reason', () => {
  const { verdicts } = crashLoop(new RestartPolicy(), 500, 20);
  const restarts = verdicts.filter((v) => v.restart);
  assert.deepEqual(restarts.map((v) => v.restart && v.delayMs), [1000, 2000, 4000, 8000], 'four restarts with backoff');
  const last = verdicts.at(-1)!;
  assert.equal(last.restart, false, 'the fifth fast crash stops the restarts');
  assert.match(!last.restart ? last.reason : '', /5 times/);
  assert.match(!last.restart ? last.reason : '', /exit code 1/);
});

test('a crash after a healthy run restarts at once and starts a new count', () => {
  const policy = new RestartPolicy();
  const { now } = crashLoop(policy, 500, 4); // four fast crashes: still restarting
  policy.started(now);
  const v = policy.crashed(now + 5 * 60_000, 'SIGKILL'); // up five minutes, then killed
  assert.deepEqual(v, { restart: true, delayMs: 1000 });
  const again = crashLoop(policy, 500, 4, now + 5 * 60_000 + 1000).verdicts;
  assert.ok(again.every((x) => x.restart), 'the count starts again after a healthy run');
});

test('after giving up, the user\'s Restart (reset) gives the service a full set of attempts again', () => {
  const policy = new RestartPolicy();
  const { verdicts, now } = crashLoop(policy, 200, 20);
  assert.equal(verdicts.at(-1)!.restart, false);
  policy.reset();
  assert.equal(policy.restarting, false);
  const after = crashLoop(policy, 200, 5, now + 10_000).verdicts;
  assert.deepEqual(after.map((v) => v.restart), [true, true, true, true, false]);
});
