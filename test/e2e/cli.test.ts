// The berth command's contract: flags, errors as one sentence with exit code 2, a data dir used by
// one berth at a time, and a clean exit on SIGTERM.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BERTH_BIN, startBerth } from './harness.js';

function berth(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BERTH_BIN, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

test('bad flags and commands exit 2 with one sentence saying what is wrong', async () => {
  const port = await berth(['up', '--port', 'abc']);
  assert.equal(port.code, 2);
  assert.match(port.out, /--port must be a port number from 0 to 65535, not "abc"/);
  const store = await berth(['server', '--store', 'etcd']);
  assert.equal(store.code, 2);
  assert.match(store.out, /--store etcd is not available yet/);
  const unknown = await berth(['launch']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.out, /unknown command "launch"/);
  const flag = await berth(['up', '--bogus']);
  assert.equal(flag.code, 2);
  const help = await berth(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /berth up/);
});

test('bin/berth.js runs as a program itself with its node flags, the same flags npm start passes', async () => {
  const direct = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(BERTH_BIN, ['--help'], { timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, out: stdout + stderr }));
  });
  assert.equal(direct.code, 0, direct.out);
  assert.match(direct.out, /berth up/);
  const shebang = readFileSync(BERTH_BIN, 'utf8').split('\n')[0]!;
  const flags = shebang.replace('#!/usr/bin/env -S node', '').trim();
  assert.match(flags, /^--max-semi-space-size=\d+$/);
  const pkg = JSON.parse(readFileSync(join(BERTH_BIN, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.equal(pkg.scripts.start, `node ${flags} bin/berth.js up`);
});

test('a second berth on the same data dir is refused; SIGTERM stops the first cleanly', async () => {
  const first = await startBerth({ args: ['--nodes', '3'] });
  try {
    assert.match(first.output(), /agents: node-1, node-2, node-3 \(runtime simulated\)/);
    const second = await berth(['up', '--port', '0', '--data-dir', first.dataDir]);
    assert.equal(second.code, 2);
    assert.match(second.out, /is in use by another berth process/);
  } finally {
    assert.equal(await first.stop('SIGTERM'), 0);
  }
  assert.match(first.output(), /SIGTERM received, shutting down\nberth: stopped/);
});

test('without privilege for namespaces, berth up says why and runs simulated pods', { skip: process.getuid?.() !== 0 ? 'needs root to drop to nobody' : undefined }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-nobody-'));
  chmodSync(dir, 0o777);
  const proc = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BERTH_BIN, 'up', '--port', '0', '--dns-port', '0', '--data-dir', join(dir, 'd')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`berth up as nobody did not get ready:\n${out}`)), 30_000);
      proc.stdout.on('data', () => /berth: ready/.test(out) && (clearTimeout(timer), resolve()));
      proc.once('exit', (c) => reject(new Error(`berth up as nobody exited (${c}):\n${out}`)));
    });
    assert.match(out, /runtime: process is not available here \(the process runtime needs root[^)]*\)\); using simulated/);
    assert.match(out, /agents: node-1 \(runtime simulated\)/);
  } finally {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('berth up with the default, relative data dir (./.berth) runs process pods with volumes', { skip: process.getuid?.() !== 0 ? 'the process runtime needs root' : undefined }, async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'berth-cwd-'));
  const proc = spawn(process.execPath, [BERTH_BIN, 'up', '--port', '0', '--dns-port', '0', '--cluster-cidr', '10.238.0.0/16'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const kubectl = (args: string[]) =>
    new Promise<string>((resolve, reject) =>
      execFile('kubectl', ['--kubeconfig', join(cwd, '.berth', 'kubeconfig'), ...args], { timeout: 30_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`berth up did not get ready:\n${out}`)), 30_000);
      proc.stdout.on('data', () => /export KUBECONFIG=.*\n/.test(out) && (clearTimeout(timer), resolve()));
      proc.once('exit', (c) => reject(new Error(`berth up exited (${c}):\n${out}`)));
    });
    assert.match(out, /export KUBECONFIG=\/.*\/\.berth\/kubeconfig/);
    await kubectl(['run', 'rel', '--image=busybox', '--overrides', JSON.stringify({ spec: { volumes: [{ name: 'd', emptyDir: {} }], containers: [{ name: 'rel', image: 'busybox', command: ['sh', '-c', 'echo ok > /d/f; exec sleep 600'], volumeMounts: [{ name: 'd', mountPath: '/d' }] }] } })]);
    await kubectl(['wait', '--for=condition=Ready', 'pod/rel', '--timeout=30s']);
    assert.equal(await kubectl(['exec', 'rel', '--', 'cat', '/d/f']), 'ok\n');
    await kubectl(['delete', 'pod', 'rel', '--grace-period=1']);
  } finally {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
    rmSync(cwd, { recursive: true, force: true });
  }
});
