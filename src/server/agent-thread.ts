// The simulated node agents of `berth up --nodes N --runtime simulated` on a thread of their own:
// a thousand simulated kubelets are there to load the control plane as a thousand machines would,
// and on the API server's event loop their own work (pod syncs, status, events, lease renewals)
// took a sixth of it. On this thread they reach the API server through a PortTransport, as a
// kubelet reaches kube-apiserver over the network: the same requests, the same user agent
// (`kubelet/...`, their managedFields manager), watches as JSON text. The process runtime's agents
// stay on the main thread (their pods are processes; the per-pod work is spawning them).
// Deliberately absent: more than one agent thread (the machine has two cores; the main thread
// needs the other).

import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Client } from '../client/client.js';
import { PortTransport, servePort } from '../client/port-transport.js';
import type { Transport } from '../client/transport.js';
import { startWorker } from '../util/worker-entry.js';
import { startNodeAgents } from './agents.js';
import type { NodeAgents, RuntimeSetup } from './agents.js';

const ROLE = 'berth-node-agents';

interface ThreadData {
  role: typeof ROLE;
  count: number;
  runtime: RuntimeSetup;
  dataDir: string;
  verbose: boolean;
}

type FromThread = { t: 'log'; line: string } | { t: 'started'; names: string[] } | { t: 'failed'; error: string } | { t: 'stopped' };

/** Starts the agents on a new thread, answering their API requests through `transport`. */
export async function startNodeAgentsOnThread(
  transport: Transport,
  opts: { count: number; runtime: RuntimeSetup; dataDir: string; log?: (l: string) => void },
): Promise<NodeAgents> {
  const data: ThreadData = { role: ROLE, count: opts.count, runtime: opts.runtime, dataDir: opts.dataDir, verbose: !!opts.log };
  const worker = startWorker(new URL('./agent-thread.js', import.meta.url), data);
  servePort(worker, transport);
  let stopped: (() => void) | undefined;
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const names = await new Promise<string[]>((resolve, reject) => {
    worker.on('message', (m: FromThread) => {
      if (m.t === 'log') opts.log?.(m.line);
      else if (m.t === 'started') resolve(m.names);
      else if (m.t === 'failed') reject(new Error(`node agents: ${m.error}`));
      else if (m.t === 'stopped') stopped?.();
    });
    worker.once('error', reject);
    void exited.then((code) => reject(new Error(`node agents' thread exited with code ${code} while starting`)));
  });
  return {
    names,
    async stop() {
      const done = new Promise<void>((resolve) => (stopped = resolve));
      worker.postMessage({ t: 'stop' });
      await Promise.race([done, exited]);
      await worker.terminate();
    },
  };
}

async function runThread(data: ThreadData): Promise<void> {
  const port = parentPort!;
  const post = (m: FromThread) => port.postMessage(m);
  try {
    const client = new Client(new PortTransport(port));
    const log = data.verbose ? (line: string) => post({ t: 'log', line }) : undefined;
    const agents = await startNodeAgents(client, { count: data.count, runtime: data.runtime, dataDir: data.dataDir, log });
    port.on('message', (m: { t?: string }) => {
      if (m.t === 'stop') void agents.stop().finally(() => post({ t: 'stopped' }));
    });
    post({ t: 'started', names: agents.names });
  } catch (e) {
    post({ t: 'failed', error: (e as Error).stack ?? String(e) });
  }
}

if (!isMainThread && (workerData as ThreadData | undefined)?.role === ROLE) void runThread(workerData as ThreadData);
