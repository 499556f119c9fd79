import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goBase64Error, goTimeError } from './decode-go.js';

test('goTimeError() accepts RFC3339 timestamps as time.Parse does', () => {
  for (const v of ['2024-02-29T23:59:59Z', '2024-01-01T00:00:00.123Z', '2024-01-01T01:02:03+05:30', '2024-01-01T1:02:03Z']) {
    assert.equal(goTimeError(v, false), undefined, v);
  }
});

test('goTimeError() reports time.Parse errors with Go wording', () => {
  assert.equal(goTimeError('yesterday', false), 'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"');
  assert.equal(goTimeError('2024-01-01', false), 'parsing time "2024-01-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"');
  assert.equal(goTimeError('2024-01-01 00:00:00Z', false), 'parsing time "2024-01-01 00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 00:00:00Z" as "T"');
  assert.equal(goTimeError('2023-02-29T00:00:00Z', false), 'parsing time "2023-02-29T00:00:00Z": day out of range');
  assert.equal(goTimeError('2024-01-01T25:00:00Z', false), 'parsing time "2024-01-01T25:00:00Z": hour out of range');
  assert.equal(goTimeError('2024-01-01T00:00:00Zjunk', false), 'parsing time "2024-01-01T00:00:00Zjunk": extra text: "junk"');
  assert.equal(goTimeError('2024-01-01T00:00:00', false), 'parsing time "2024-01-01T00:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"');
});

test('goTimeError() requires six fractional digits for MicroTime', () => {
  assert.equal(goTimeError('2024-01-01T00:00:00.123456Z', true), undefined);
  assert.equal(goTimeError('2024-01-01T00:00:00Z', true), 'parsing time "2024-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"');
});

test('goBase64Error() accepts standard base64 and locates bad input', () => {
  for (const v of ['', 'aGVsbG8=', 'aGVsbA==', 'aGVs', 'aGVs\nbG8=']) assert.equal(goBase64Error(v), undefined, v);
  assert.equal(goBase64Error('hello!'), 'illegal base64 data at input byte 5');
  assert.equal(goBase64Error('abc'), 'illegal base64 data at input byte 0');
  assert.equal(goBase64Error('abcdef'), 'illegal base64 data at input byte 4');
  assert.equal(goBase64Error('ab=c'), 'illegal base64 data at input byte 2');
  assert.equal(goBase64Error('ab='), 'illegal base64 data at input byte 3');
  assert.equal(goBase64Error('a==='), 'illegal base64 data at input byte 1');
  assert.equal(goBase64Error('aGVsbG8=x'), 'illegal base64 data at input byte 8');
});
