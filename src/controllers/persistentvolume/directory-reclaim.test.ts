import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, existsSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directoryReclaim } from './directory-reclaim.js';

const hostPathVolume = (path: string) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: { hostPath: { path } } });

test('recycle empties the directory without following links out of it, and keeps the event loop turning', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'berth-reclaim-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const vol = join(root, 'vol');
  const outside = join(root, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'keep'), 'x');
  for (let d = 0; d < 40; d++) {
    mkdirSync(join(vol, `d${d}`, 'deeper'), { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(join(vol, `d${d}`, 'deeper', `f${f}`), 'data');
  }
  writeFileSync(join(vol, '.hidden'), 'x');
  symlinkSync(outside, join(vol, 'link'));
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  await directoryReclaim().recycle!(hostPathVolume(vol) as any);
  clearInterval(timer);
  assert.deepEqual(readdirSync(vol), []);
  assert.ok(existsSync(join(outside, 'keep')), 'a link is removed, not followed');
  assert.ok(ticks > 0, 'the event loop ran timers while 4,000 files were removed');
});

test('recycle refuses what is not a directory; delete removes only hostPath directories under /tmp', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'berth-reclaim-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const reclaim = directoryReclaim();
  await assert.rejects(reclaim.recycle!(hostPathVolume('/') as any), /is not a directory that can be scrubbed/);
  await assert.rejects(reclaim.recycle!(hostPathVolume(join(root, 'missing')) as any), /is not a directory that can be scrubbed/);
  await assert.rejects(reclaim.recycle!({ spec: { csi: { driver: 'x' } } } as any), /No recycler plugin found/);
  await assert.rejects(reclaim.delete!(hostPathVolume('/var/lib/data') as any), /host_path deleter only supports \/tmp\/\.\+/);
  await assert.rejects(reclaim.delete!({ metadata: { name: 'n' }, spec: { local: { path: '/tmp/x' } } } as any), /no deletable volume plugin matched/);
  const gone = join(root, 'gone');
  mkdirSync(join(gone, 'a'), { recursive: true });
  await reclaim.delete!(hostPathVolume(gone) as any);
  assert.equal(existsSync(gone), false);
});
