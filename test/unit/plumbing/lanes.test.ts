import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { inLanes } from '../../../src/plumbing/lanes.js';

test('runs at most `lanes` items at once and returns the results in the items’ order', async () => {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const results = await inLanes([30, 5, 5, 5, 1], 2, async (ms) => {
    started.push(ms);
    most = Math.max(most, ++running);
    await sleep(ms);
    running--;
    return ms * 10;
  });
  assert.deepEqual(results, [300, 50, 50, 50, 10]);
  assert.equal(most, 2);
  assert.deepEqual(started, [30, 5, 5, 5, 1], 'items start in order');
});

test('a failure rejects once the running items finish, and no further item starts', async () => {
  const finished: string[] = [];
  const run = inLanes(['slow', 'bad', 'never'], 2, async (item) => {
    if (item === 'bad') throw new Error('bad build');
    await sleep(20);
    finished.push(item);
  });
  await assert.rejects(run, /bad build/);
  assert.deepEqual(finished, ['slow']);
});

test('more lanes than items, and no items', async () => {
  assert.deepEqual(await inLanes([1], 4, async (n) => n + 1), [2]);
  assert.deepEqual(await inLanes([], 2, async (n: number) => n), []);
});
