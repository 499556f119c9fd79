import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import type { KObject } from '../api/resource.js';
import { NODES, PODS, SECRETS } from '../client/resources.js';
import { eventually, testCluster } from '../controllers/test-cluster.js';
import type { TestCluster } from '../controllers/test-cluster.js';
import { AGENT_CREDENTIALS_SECRET } from './agent-auth.js';
import { isRunningReady, podObject } from './agent-test-support.js';
import type { Agent } from './agent.js';
import { startAgent } from './agent.js';
import { createExecTestRuntime } from './exec-test-runtime.js';
import type { ExecTestRuntime } from './exec-test-runtime.js';
import type { ExecRequest, Runtime } from './runtime.js';
import { createSimulatedRuntime } from './simulated-runtime.js';

const TOKEN = 'test-token-0123456789';

interface World {
  tc: TestCluster;
  agent: Agent;
  base: string;
  runtime: Runtime;
  uid: string;
}

async function createSecret(tc: TestCluster): Promise<void> {
  const { namespace, name, key } = AGENT_CREDENTIALS_SECRET;
  await tc.client.create(SECRETS, namespace, { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, data: { [key]: Buffer.from(TOKEN).toString('base64') } });
}

async function withServer(opts: { runtime?: 'exec' | 'simulated'; secret?: boolean }, fn: (w: World) => Promise<void>): Promise<void> {
  const tc = await testCluster();
  const dataDir = await mkdtemp(join(tmpdir(), 'berth-agent-server-'));
  const runtime = opts.runtime === 'simulated' ? createSimulatedRuntime() : createExecTestRuntime({ logDir: join(dataDir, 'logs') });
  if (opts.secret !== false) await createSecret(tc);
  const agent = await startAgent({ client: tc.client, nodeName: 'node-1', runtime, dataDir, podCIDR: '10.244.1.0/24', nodeIP: '127.0.0.1', waitForAttach: false, server: { host: '127.0.0.1', logPollMs: 50 } });
  try {
    await tc.client.create(PODS, 'default', podObject('web-0'));
    let pod: KObject | undefined;
    await eventually(async () => isRunningReady((pod = await tc.client.get<KObject>(PODS, 'default', 'web-0'))), 'web-0 running');
    await fn({ tc, agent, base: `http://127.0.0.1:${agent.serverPort}`, runtime, uid: pod!.metadata!.uid! });
  } finally {
    await agent.stop();
    await runtime.close();
    await tc.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const auth = { authorization: `Bearer ${TOKEN}` };

test('the agent server publishes its port and refuses requests without the right bearer token', async () => {
  await withServer({ secret: false }, async (w) => {
    const node = await w.tc.client.get<KObject>(NODES, undefined, 'node-1');
    assert.equal(node.status.daemonEndpoints.kubeletEndpoint.Port, w.agent.serverPort);
    assert.ok(w.agent.serverPort! > 0);
    // Before the Secret exists the agent cannot check anything: 503, not a silent accept.
    const early = await fetch(`${w.base}/healthz`, { headers: auth });
    assert.equal(early.status, 503);
    await createSecret(w.tc);
    await eventually(async () => (await fetch(`${w.base}/healthz`, { headers: auth })).status === 200, 'token read', 10_000);
    assert.equal((await fetch(`${w.base}/healthz`)).status, 401);
    assert.equal((await fetch(`${w.base}/containerLogs/default/web-0/nginx`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(`${w.base}/containerLogs/default/web-0/nginx`, { headers: { authorization: TOKEN } })).status, 401);
    const ws = new WebSocket(`ws://127.0.0.1:${w.agent.serverPort}/exec/default/web-0/nginx?command=true&stdout=1`, ['v5.channel.k8s.io']);
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_q, res) => resolve(res.statusCode!)));
    assert.equal(status, 401);
  });
});

test('containerLogs serves the CRI file with the kubelet options and texts', async () => {
  await withServer({}, async (w) => {
    const rt = w.runtime as ExecTestRuntime;
    rt.writeLog(w.uid, 'nginx', [
      { time: '2024-05-01T10:00:00.5Z', text: 'one' },
      { time: '2024-05-01T10:00:01Z', text: 'tw', partial: true },
      { time: '2024-05-01T10:00:01.1Z', text: 'o', stream: 'stderr' },
      { time: '2024-05-01T10:00:02Z', text: 'three' },
    ]);
    const get = async (q: string) => {
      const r = await fetch(`${w.base}/containerLogs/default/web-0/nginx?${q}`, { headers: auth });
      return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
    };
    assert.deepEqual(await get(''), { status: 200, type: 'text/plain', text: 'one\ntwo\nthree\n' });
    assert.equal((await get('tailLines=1&timestamps=true')).text, '2024-05-01T10:00:02Z three\n');
    assert.equal((await get('sinceTime=2024-05-01T10:00:01Z')).text, 'two\nthree\n');
    assert.equal((await get('limitBytes=6')).text, 'one\ntw');
    assert.deepEqual(await get('previous=true'), { status: 400, type: 'text/plain; charset=utf-8', text: 'previous terminated container "nginx" in pod "web-0" not found' });
    assert.equal((await get('')).status, 200);
    const missing = await fetch(`${w.base}/containerLogs/default/nope/nginx`, { headers: auth });
    assert.equal(missing.status, 404);
  });
});

test('a runtime without processes says so for logs and exec', async () => {
  await withServer({ runtime: 'simulated' }, async (w) => {
    const r = await fetch(`${w.base}/containerLogs/default/web-0/nginx`, { headers: auth });
    assert.equal(r.status, 400);
    assert.equal(await r.text(), 'the berth-simulated runtime runs no processes: logs are not available for pod "web-0"');
    const ws = new WebSocket(`ws://127.0.0.1:${w.agent.serverPort}/exec/default/web-0/nginx?command=true&stdout=1`, ['v5.channel.k8s.io'], { headers: auth });
    const text = await new Promise<string>((resolve) =>
      ws.once('unexpected-response', (_q, res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(`${res.statusCode} ${b}`));
      }),
    );
    assert.equal(text, '400 the berth-simulated runtime runs no processes: exec is not available for pod "web-0"');
  });
});

/** Runs one exec over the agent's WebSocket; `input` goes to stdin, then the v5 close signal. */
async function execFrames(w: World, query: string, input?: string): Promise<{ stdout: string; stderr: string; status: any; close: number }> {
  const ws = new WebSocket(`ws://127.0.0.1:${w.agent.serverPort}/exec/default/web-0/nginx?${query}`, ['v5.channel.k8s.io'], { headers: auth });
  const out = { stdout: '', stderr: '', status: undefined as any, close: 0 };
  ws.on('message', (d: Buffer) => {
    if (d[0] === 1) out.stdout += d.subarray(1).toString();
    if (d[0] === 2) out.stderr += d.subarray(1).toString();
    if (d[0] === 3) out.status = JSON.parse(d.subarray(1).toString());
  });
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  assert.equal(ws.protocol, 'v5.channel.k8s.io');
  if (input !== undefined) {
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from(input)]));
    ws.send(Buffer.from([255, 0]));
  }
  out.close = await new Promise<number>((resolve) => ws.once('close', resolve));
  return out;
}

test('exec runs the command: stdout, stderr, exit code as a NonZeroExitCode Status, stdin with the close signal, tty', async () => {
  await withServer({}, async (w) => {
    const cmd = (...c: string[]) => c.map((x) => `command=${encodeURIComponent(x)}`).join('&');
    const r1 = await execFrames(w, `${cmd('sh', '-c', 'echo out; echo err >&2; exit 3')}&stdout=1&stderr=1`);
    assert.deepEqual(r1, {
      stdout: 'out\n',
      stderr: 'err\n',
      close: 1000,
      status: {
        metadata: {},
        status: 'Failure',
        message: 'command terminated with non-zero exit code: exit status 3',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      },
    });
    const r2 = await execFrames(w, `${cmd('cat')}&stdin=1&stdout=1&stderr=1`, 'piped input\n');
    assert.equal(r2.stdout, 'piped input\n');
    assert.deepEqual(r2.status, { metadata: {}, status: 'Success' });
    const r3 = await execFrames(w, `${cmd('sh', '-c', 'test -t 1 && echo terminal')}&stdout=1&stderr=1&tty=1`);
    assert.match(r3.stdout, /terminal/);
    assert.equal(r3.stderr, '');
    assert.equal((w.runtime as ExecTestRuntime).running.size, 0);
  });
});

test('a tty exec starts its command at the terminal size of the first resize message, or without one after a moment', async () => {
  await withServer({}, async (w) => {
    const asked: (ExecRequest['size'] | 'none')[] = [];
    const exec = w.runtime.exec!.bind(w.runtime);
    w.runtime.exec = (req) => {
      asked.push(req.size ?? 'none');
      return exec(req);
    };
    const query = 'command=true&stdin=1&stdout=1&tty=1';
    const ws = new WebSocket(`ws://127.0.0.1:${w.agent.serverPort}/exec/default/web-0/nginx?${query}`, ['v5.channel.k8s.io'], { headers: auth });
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    assert.deepEqual(asked, [], 'nothing starts before the terminal size is known');
    ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":100,"Height":30}')]));
    ws.send(Buffer.from([255, 0]));
    assert.equal(await new Promise<number>((resolve) => ws.once('close', resolve)), 1000);
    assert.deepEqual(asked, [{ width: 100, height: 30 }]);
    const r = await execFrames(w, query, '');
    assert.deepEqual(r.status, { metadata: {}, status: 'Success' });
    assert.deepEqual(asked, [{ width: 100, height: 30 }, 'none']);
  });
});

test('a tty exec keeps what the client sends while its command is being started', async () => {
  await withServer({}, async (w) => {
    const exec = w.runtime.exec!.bind(w.runtime);
    let starting = () => undefined as void;
    const started = new Promise<void>((resolve) => (starting = resolve));
    w.runtime.exec = async (req) => {
      starting();
      await new Promise((resolve) => setTimeout(resolve, 200)); // a slow start (node-pty loading, nsenter)
      return exec(req);
    };
    const query = `${['sh', '-c', 'read line; echo "got $line"'].map((c) => `command=${encodeURIComponent(c)}`).join('&')}&stdin=1&stdout=1&tty=1`;
    const ws = new WebSocket(`ws://127.0.0.1:${w.agent.serverPort}/exec/default/web-0/nginx?${query}`, ['v5.channel.k8s.io'], { headers: auth });
    let stdout = '';
    ws.on('message', (d: Buffer) => d[0] === 1 && (stdout += d.subarray(1).toString()));
    await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
    ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":100,"Height":30}')]));
    await started;
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('typed\n')]));
    ws.send(Buffer.from([255, 0]));
    const lost = setTimeout(() => ws.terminate(), 10_000); // lost input would leave `read` waiting
    assert.equal(await new Promise<number>((resolve) => ws.once('close', resolve)), 1000);
    clearTimeout(lost);
    assert.match(stdout, /got typed/);
  });
});

test('exec into a container that is not running answers as the kubelet does', async () => {
  await withServer({}, async (w) => {
    const ws = new WebSocket(`ws://127.0.0.1:${w.agent.serverPort}/exec/default/web-0/sidecar?command=true&stdout=1`, ['v5.channel.k8s.io'], { headers: auth });
    const text = await new Promise<string>((resolve) =>
      ws.once('unexpected-response', (_q, res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(`${res.statusCode} ${b}`));
      }),
    );
    assert.equal(text, '404 container not found ("sidecar")');
  });
});
