// A `berth agent` process with the process runtime beside a `berth server`: kubectl exec and logs
// reach it over its authenticated connection, and when the agent is killed (-9) and started again
// on the same data dir it finds the pod it was running, same container, no restart. Its own pod
// range (--cluster-cidr) keeps its bridge apart from the other process-runtime test's.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BERTH_BIN, ok, startBerth } from './harness.js';
import type { Berth } from './harness.js';
import { NS, isReady, workloadClient } from './workload-support.js';
import { bridgeName } from '../../src/agent/process/pod-network.js';

const skip = process.getuid?.() !== 0 ? 'the process runtime needs root' : undefined;
const NODE = 'pa-1';

let b: Berth;
const agentDir = mkdtempSync(join(tmpdir(), 'berth-agent-e2e-'));
let agent: ChildProcess | undefined;
const w = workloadClient(() => b, { waitMs: 30_000 });

async function startAgent(): Promise<ChildProcess> {
  const dnsPort = /SERVE cluster\.local on 0\.0\.0\.0:(\d+)/.exec(b.output())?.[1];
  const proc = spawn(
    process.execPath,
    [BERTH_BIN, 'agent', '--kubeconfig', b.kubeconfig, '--node-name', NODE, '--runtime', 'process', '--data-dir', agentDir, '--cluster-dns', `127.0.0.1:${dnsPort}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`berth agent did not start:\n${out}`)), 30_000);
    proc.stdout!.on('data', () => {
      if (/berth: ready/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (c) => reject(new Error(`berth agent exited (${c}):\n${out}`)));
  });
  assert.match(out, /runtime process/);
  return proc;
}

async function stopAgent(signal: NodeJS.Signals): Promise<void> {
  const a = agent;
  agent = undefined;
  if (!a || a.exitCode !== null || a.signalCode !== null) return;
  const exited = new Promise((r) => a.once('exit', r));
  a.kill(signal);
  await exited;
}

before(async () => {
  if (skip) return;
  b = await startBerth({ command: 'server', args: ['--cluster-cidr', '10.248.0.0/16'] });
  agent = await startAgent();
});

after(async () => {
  await stopAgent('SIGTERM');
  await b?.stop();
  rmSync(agentDir, { recursive: true, force: true });
  // A stopped agent keeps its node's bridge (like a CNI bridge); this test's node is gone for good.
  if (!skip) spawnSync('ip', ['link', 'del', bridgeName(NODE, join(agentDir, NODE))], { stdio: 'ignore' });
});

test('exec and logs reach a pod on a separate agent process; the pod survives the agent being killed and restarted', { skip }, async () => {
  try {
    await podThroughAgentRestart();
  } finally {
    // Inside the test, while server and agent still run: a stopped agent leaves its pods running.
    await b.kubectl(['delete', 'pod', 'sleeper', '--grace-period=1', '--wait=false']);
    await w.waitFor('sleeper gone', async () => (await w.getObj(`${NS}/pods/sleeper`)) === undefined);
  }
});

async function podThroughAgentRestart(): Promise<void> {
  ok(
    await b.kubectl(['apply', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata:
  name: sleeper
spec:
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "echo started; exec sleep 3600"]
`,
    }),
  );
  const first = await w.waitFor('sleeper Ready on the agent', async () => {
    const p = await w.getObj(`${NS}/pods/sleeper`);
    return isReady(p) && p;
  });
  assert.equal(first.spec.nodeName, NODE);
  assert.match(first.status.podIP, /^10\.248\./);
  assert.equal(ok(await b.kubectl(['exec', 'sleeper', '--', 'hostname'])), 'sleeper\n');
  assert.equal(ok(await b.kubectl(['logs', 'sleeper'])), 'started\n');

  await stopAgent('SIGKILL');
  agent = await startAgent();
  const id = first.status.containerStatuses[0].containerID;
  await w.stays('the same container, Ready, never restarted', async () => {
    const p = await w.getObj(`${NS}/pods/sleeper`);
    const s = p.status.containerStatuses[0];
    return isReady(p) && s.containerID === id && s.restartCount === 0;
  }, 3000);
  assert.equal(ok(await b.kubectl(['exec', 'sleeper', '--', 'sh', '-c', 'echo $(( 6 * 7 ))'])), '42\n', 'exec through the restarted agent');
}
