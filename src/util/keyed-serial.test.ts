import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedSerial } from './keyed-serial.js';

const later = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('work on one key runs in order, one at a time; other keys run beside it; a failure does not stop the next', async () => {
  const s = new KeyedSerial();
  const seen: string[] = [];
  const a1 = s.run('a', async () => {
    seen.push('a1 start');
    await later(30);
    seen.push('a1 end');
    throw new Error('a1 failed');
  });
  const a2 = s.run('a', async () => {
    seen.push('a2');
    return 2;
  });
  const b1 = s.run('b', async () => {
    seen.push('b1');
    return 1;
  });
  await assert.rejects(a1, /a1 failed/);
  assert.equal(await a2, 2);
  assert.equal(await b1, 1);
  assert.deepEqual(seen, ['a1 start', 'b1', 'a1 end', 'a2']);
});

test('work on a free key starts at once; the key is free again once its work has settled', async () => {
  const s = new KeyedSerial();
  let started = false;
  const p = s.run('k', async () => {
    started = true;
    await later(5);
    return 'done';
  });
  assert.equal(started, true, 'synchronously, like a plain call');
  assert.equal(s.busyKeys, 1);
  assert.equal(await p, 'done');
  await later(0);
  assert.equal(s.busyKeys, 0);
});
