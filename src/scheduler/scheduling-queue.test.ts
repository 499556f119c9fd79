import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulingQueue } from './scheduling-queue.js';

const info = (priority = 0, signature = 's', usesVolumes = false) => ({ priority, signature, usesVolumes });

test('SchedulingQueue pops by priority, then in arrival order', () => {
  const q = new SchedulingQueue({ initialBackoffMs: 10, maxBackoffMs: 100 });
  q.add('a', info());
  q.add('b', info(10));
  q.add('c', info());
  q.add('a', info()); // no duplicate
  assert.deepEqual([q.pop(), q.pop(), q.pop(), q.pop()], ['b', 'a', 'c', undefined]);
});

test('SchedulingQueue keeps an unschedulable pod until a change, then applies its back-off', () => {
  let now = 0;
  const q = new SchedulingQueue({ initialBackoffMs: 1000, maxBackoffMs: 4000, clock: () => now });
  q.add('p', info(0, 's', true));
  assert.equal(q.pop(), 'p');
  q.unschedulable('p', info(0, 's', true));
  q.add('p', info(0, 's', true)); // same pod: stays put
  assert.equal(q.pop(), undefined);
  now = 1500;
  q.moveAll(true);
  assert.equal(q.pop(), 'p');
  q.unschedulable('p', info(0, 's', true));
  now = 4000;
  q.moveAll(false); // 2 s back-off after the second failure has passed
  assert.equal(q.pop(), 'p');
  q.unschedulable('p', info(0, 's', false));
  now = 20_000;
  q.moveAll(true); // a volume change does not concern it
  assert.equal(q.pop(), undefined);
  q.flush(10_000);
  assert.equal(q.pop(), 'p');
  q.stop();
});

test('SchedulingQueue: a changed pod is tried again; removed and in-flight pods are not queued twice', () => {
  let now = 0;
  const q = new SchedulingQueue({ initialBackoffMs: 10, maxBackoffMs: 10, clock: () => now });
  q.add('p', info());
  q.add('gone', info());
  q.remove('gone');
  assert.equal(q.pop(), 'p');
  assert.ok(q.isInFlight('p'));
  q.add('p', info(0, 'changed'));
  assert.equal(q.pop(), undefined);
  q.unschedulable('p', info(0, 'changed'));
  now = 100;
  q.add('p', info(0, 'changed again'));
  assert.equal(q.pop(), 'p');
  q.done('p');
  assert.equal(q.size, 0);
  q.stop();
});
