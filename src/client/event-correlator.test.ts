import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventCorrelator } from './event-correlator.js';

const ev = (message: string, object = 'sts-uid') => ({ object, type: 'Normal', reason: 'SuccessfulCreate', message });

test('EventCorrelator combines similar events after 10 distinct messages', () => {
  const c = new EventCorrelator();
  const keys = new Set<string>();
  for (let i = 0; i < 10; i++) {
    const r = c.correlate(ev(`create Pod web-${i}`), 0);
    assert.equal(r.skip, false);
    if (!r.skip) {
      assert.equal(r.message, `create Pod web-${i}`);
      keys.add(r.key);
    }
  }
  assert.equal(keys.size, 10);
  const a = c.correlate(ev('create Pod web-10'), 1);
  const b = c.correlate(ev('create Pod web-11'), 2);
  assert.ok(!a.skip && !b.skip);
  if (!a.skip && !b.skip) {
    assert.equal(a.message, '(combined from similar events): create Pod web-10');
    assert.equal(a.key, b.key, 'combined events share one key, so their count grows');
  }
});

test('EventCorrelator drops events beyond a burst of 25 per object and refills one per 5 minutes', () => {
  const c = new EventCorrelator();
  let kept = 0;
  for (let i = 0; i < 40; i++) if (!c.correlate(ev(`m${i % 3}`), 0).skip) kept++;
  assert.equal(kept, 25);
  assert.equal(c.correlate(ev('m0', 'other-object'), 0).skip, false, 'another object has its own bucket');
  assert.equal(c.correlate(ev('m0'), 299_999).skip, true);
  assert.equal(c.correlate(ev('m0'), 300_000).skip, false);
  assert.equal(c.correlate(ev('m0'), 300_001).skip, true);
});
