import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { IdleCollector, collectGarbage } from './idle-gc.js';

// Start-up (module loading) keeps the event loop busy for a moment: these tests need it idle.
before(() => sleep(100));

function fake(used: number) {
  const calls = { collected: 0 };
  const space = { used, capacity: 100 };
  const c = new IdleCollector({ idleMs: 5, fraction: 0.5, collect: () => calls.collected++, newSpace: () => space });
  return { c, calls, space };
}

/** Requests until one is followed by a collection (the test runner's own work can fill a window). */
async function untilCollected(c: IdleCollector, calls: { collected: number }): Promise<number> {
  for (let attempt = 1; attempt <= 20; attempt++) {
    c.begin();
    c.end();
    assert.equal(calls.collected, 0, 'never at once: only after the loop has been idle');
    await sleep(30);
    if (calls.collected) return attempt;
  }
  return 0;
}

test('collects after a quiet spell once new space is past the fraction', async () => {
  const { c, calls } = fake(60);
  const attempts = await untilCollected(c, calls);
  assert.ok(attempts > 0, 'collected after some quiet spell');
  assert.deepEqual(c.stats, { collections: 1, skipped: attempts - 1 });
  c.stop();
});

test('leaves a new space under the fraction alone', async () => {
  const { c, calls } = fake(40);
  c.begin();
  c.end();
  await sleep(30);
  assert.equal(calls.collected, 0);
  assert.deepEqual(c.stats, { collections: 0, skipped: 0 });
});

test('a request in flight when the quiet spell ends means no collection', async () => {
  const { c, calls } = fake(90);
  c.begin();
  c.begin();
  c.end(); // one still in flight: nothing armed
  await sleep(30);
  assert.equal(calls.collected, 0);
  c.end(); // now none: armed
  c.begin(); // and a new request arrives within the window
  await sleep(30);
  assert.equal(calls.collected, 0);
  assert.equal(c.stats.skipped, 1);
  c.end();
  assert.ok((await untilCollected(c, calls)) > 0, 'a later quiet spell collects');
});

test('a busy event loop through the window means no collection', async () => {
  const { c, calls } = fake(90);
  c.begin();
  c.end();
  const until = performance.now() + 15; // other work (controllers, agents) keeps the loop busy
  while (performance.now() < until);
  await sleep(30);
  assert.equal(calls.collected, 0);
  assert.equal(c.stats.skipped, 1);
});

test('stop cancels an armed collection', async () => {
  const { c, calls } = fake(90);
  c.begin();
  c.end();
  c.stop();
  await sleep(30);
  assert.equal(calls.collected, 0);
});

test('the default collector runs a real young-generation collection', async () => {
  const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;
  await sleep(20);
  for (let attempt = 0; attempt < 20; attempt++) {
    let keep: unknown[] = [];
    for (let i = 0; i < 20_000; i++) keep.push({ i, s: `garbage ${i}` });
    keep = [];
    const before = newSpace();
    const c = new IdleCollector({ idleMs: 5, fraction: 0 });
    c.begin();
    c.end();
    await sleep(50);
    if (!c.stats.collections) continue; // the window was not idle: try again
    assert.ok(newSpace() < before, `new space ${newSpace()} bytes after, ${before} before`);
    assert.equal(keep.length, 0);
    return;
  }
  assert.fail('no idle window in 20 attempts');
});

test('collectGarbage: minor empties the young generation, major also frees the old one', () => {
  const space = (name: string) => getHeapSpaceStatistics().find((s) => s.space_name === name)!.space_used_size;
  let keep: unknown[] = [];
  for (let i = 0; i < 200_000; i++) keep.push({ i, s: `old garbage ${i}` });
  collectGarbage('minor');
  collectGarbage('minor'); // survivors of two scavenges are promoted: the array is old now
  const oldBefore = space('old_space');
  keep = [];
  collectGarbage('major');
  assert.ok(space('old_space') < oldBefore, `old space ${space('old_space')} after, ${oldBefore} before`);
  assert.equal(keep.length, 0);
});
