// The berth command: `berth up`, `berth server`, `berth agent`. Parses flags, starts the
// components, prints one line per component and `export KUBECONFIG=...`, and shuts down cleanly
// on SIGINT/SIGTERM. Flags that no component uses yet are accepted and said to be ignored.

import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { join, resolve } from 'node:path';
import { startCluster } from '../server/cluster.js';
import { BERTH_COMPONENT_VERSION } from '../server/controllers.js';
import { chooseRuntime, startNodeAgents } from '../server/agents.js';
import { startNodeAgentsOnThread } from '../server/agent-thread.js';
import type { NodeAgents, RuntimeKind } from '../server/agents.js';
import { loadKubeconfig } from '../client/kubeconfig.js';
import { POD_RANGE_RULE, parsePodRange } from '../util/ipv4.js';

const USAGE = `usage:
  berth up     [--data-dir DIR] [--port P] [--dns-port P] [--nodes N] [--runtime process|simulated] [-v]
  berth server [--data-dir DIR] [--port P] [--dns-port P] [--store sqlite|memory|etcd] [--etcd-endpoints URL,...] [-v]
  berth agent  --kubeconfig FILE --node-name NAME [--runtime process|simulated] [--data-dir DIR]
               [--node-lease-duration-seconds N]   (the kubelet's nodeLeaseDurationSeconds, default 40;
               the Lease is renewed every quarter of it: keep that below --node-monitor-grace-period)
               [--address IP] [--port P]   (where the agent serves exec and logs to the API server, as
               the kubelet's flags; default 0.0.0.0 and a free port, published in the Node's status)
               [--cluster-dns HOST[:PORT]]   (the cluster DNS pods use; default the server's host, 10053)

  --runtime (up, agent): process (the default where this machine allows it: root, namespaces,
      overlayfs; otherwise berth says why and uses simulated) or simulated

  --node-monitor-grace-period DURATION (up, server): how long a node may miss its lease before it
      is Unknown (Go duration, e.g. 40s, 1m30s; default 40s)
  --cluster-cidr CIDR (up, server): the range of the nodes' pod CIDRs, one /24 each
      (kube-controller-manager's flag; default: chosen at the data dir's first start as the first
      of 10.244.0.0/14, 10.248.0.0/14, ... that no route of this host overlaps, kept in DIR/cluster-cidr)
  --controllers LIST (up, server): which controllers run, as kube-controller-manager's flag:
      '*' for all (the default), a name to add one, -name to leave one out (e.g. '*,-scheduler')`;

const COMMON = {
  'data-dir': { type: 'string', default: './.berth' },
  port: { type: 'string', default: '6443' },
  'dns-port': { type: 'string', default: '10053' },
  runtime: { type: 'string' },
  'node-monitor-grace-period': { type: 'string' },
  'cluster-cidr': { type: 'string' },
  controllers: { type: 'string' },
  verbose: { type: 'boolean', short: 'v', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function fail(msg: string): never {
  process.stderr.write(`berth: ${msg}\n`);
  process.exit(2);
}

function say(line: string): void {
  process.stdout.write(`berth: ${line}\n`);
}

/** A Go duration (`40s`, `1m30s`, `500ms`) in milliseconds. */
export function parseDuration(v: string, flag: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let seen = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(v))) {
    total += Number(m[1]) * units[m[2]];
    seen = re.lastIndex;
  }
  if (!v || seen !== v.length) fail(`--${flag} must be a duration such as 40s or 1m30s, not ${JSON.stringify(v)}`);
  return total;
}

/** --cluster-cidr: an aligned IPv4 range of /8 to /23 (nodes get its /24s). */
function clusterCidrFlag(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!parsePodRange(v)) fail(`--cluster-cidr must be ${POD_RANGE_RULE}, not ${JSON.stringify(v)}`);
  return v;
}

/** --runtime, checked: process (the default where the machine allows it) or simulated. */
function runtimeFlag(asked: string | undefined): RuntimeKind | undefined {
  if (asked !== undefined && asked !== 'process' && asked !== 'simulated') fail(`--runtime must be process or simulated, not ${JSON.stringify(asked)}`);
  return asked;
}

function parsePort(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail(`--${flag} must be a port number from 0 to 65535, not ${JSON.stringify(v)}`);
  return n;
}

async function runControlPlane(cmd: 'up' | 'server', argv: string[]): Promise<void> {
  const extra: ParseArgsConfig['options'] =
    cmd === 'up'
      ? { nodes: { type: 'string', default: '1' } }
      : { store: { type: 'string', default: 'sqlite' }, 'etcd-endpoints': { type: 'string' } };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options: { ...COMMON, ...extra }, allowPositionals: false }).values as typeof values;
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  // Absolute from here on: components (container launchers) change directory.
  values['data-dir'] = resolve(values['data-dir'] as string);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = parsePort(values.port as string, 'port');
  const dnsPort = parsePort(values['dns-port'] as string, 'dns-port');
  const store = (values.store as string | undefined) ?? 'sqlite';
  if (store === 'etcd') fail('--store etcd is not available yet: this berth serves sqlite and memory stores');
  if (store !== 'sqlite' && store !== 'memory') fail(`--store must be sqlite, memory or etcd, not ${JSON.stringify(store)}`);
  const asked = runtimeFlag(values.runtime as string | undefined);
  let nodes = 0;
  if (cmd === 'up') {
    nodes = Number(values.nodes);
    if (!Number.isInteger(nodes) || nodes < 0) fail(`--nodes must be a non-negative integer, not ${JSON.stringify(values.nodes)}`);
  }
  const grace = values['node-monitor-grace-period'] as string | undefined;
  const nodeMonitorGracePeriodMs = grace === undefined ? undefined : parseDuration(grace, 'node-monitor-grace-period');
  if (cmd === 'server' && process.argv.some((a) => a === '--runtime' || a.startsWith('--runtime='))) {
    say('--runtime is accepted but ignored: `berth server` runs no node agents (start them with `berth agent`)');
  }

  const cluster = await startCluster({
    dataDir: values['data-dir'] as string,
    port,
    store: store as 'sqlite' | 'memory',
    log: say,
    verbose: !!values.verbose,
    standardStorageClass: cmd === 'up',
    nodeMonitorGracePeriodMs,
    controllers: values.controllers === undefined ? undefined : String(values.controllers).split(',').map((x) => x.trim()).filter(Boolean),
    dnsPort,
    clusterCidr: clusterCidrFlag(values['cluster-cidr'] as string | undefined),
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE') fail(`cannot listen on port ${port}: it is already in use (choose another with --port, or --port 0 for a free one)`);
    if (/^cluster DNS cannot listen/.test(e.message)) fail(`${e.message} (choose another with --dns-port, or --dns-port 0 for a free one)`);
    if (/database is locked/.test(e.message)) {
      fail(`could not start: the data dir ${values['data-dir']} is in use by another berth process (${e.message})`);
    }
    fail(`could not start: ${e.message}`);
  });
  let agents: NodeAgents | undefined;
  if (nodes > 0) {
    const runtime = await chooseRuntime(asked, say);
    const setup = { kind: runtime, dns: cluster.dns, imageMapFile: join(values['data-dir'] as string, 'images.yaml'), killPodsOnClose: true };
    const agentOpts = { count: nodes, runtime: setup, dataDir: join(values['data-dir'] as string, 'agents'), log: values.verbose ? say : undefined };
    const kubelet = cluster.clientAs(`kubelet/${BERTH_COMPONENT_VERSION}`, { objectWatches: false });
    agents = runtime === 'simulated' ? await startNodeAgentsOnThread(kubelet.transport, agentOpts) : await startNodeAgents(cluster.clientAs(`kubelet/${BERTH_COMPONENT_VERSION}`), agentOpts);
    say(`agents: ${agents.names.join(', ')} (runtime ${runtime})`);
  }
  say('ready');
  process.stdout.write(`export KUBECONFIG=${cluster.kubeconfigPath}\n`);

  let stopping = false;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    say(`${sig} received, shutting down`);
    await agents?.stop();
    await cluster.stop();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  switch (cmd) {
    case 'up':
    case 'server':
      return runControlPlane(cmd, rest);
    case 'agent':
      return runAgent(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      fail(`unknown command ${JSON.stringify(cmd)}\n${USAGE}`);
  }
}

/** --cluster-dns HOST[:PORT]: where pods' DNS queries go (default: the API server's host, port 10053). */
function clusterDns(v: string | undefined, kubeconfig: string): { host: string; port: number } {
  if (v) {
    const m = /^(.+?)(?::(\d+))?$/.exec(v)!;
    return { host: m[1], port: m[2] ? parsePort(m[2], 'cluster-dns') : 10053 };
  }
  return { host: new URL(loadKubeconfig(kubeconfig).server).hostname, port: 10053 };
}

async function runAgent(argv: string[]): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        kubeconfig: { type: 'string' },
        'node-name': { type: 'string' },
        runtime: { type: 'string' },
        'data-dir': { type: 'string', default: './.berth-agent' },
        'node-lease-duration-seconds': { type: 'string', default: '40' },
        'cluster-dns': { type: 'string' },
        address: { type: 'string', default: '0.0.0.0' },
        port: { type: 'string', default: '0' },
        verbose: { type: 'boolean', short: 'v', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
    }).values as typeof values;
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  values['data-dir'] = resolve(values['data-dir'] as string);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.kubeconfig) fail('berth agent needs --kubeconfig FILE (the kubeconfig `berth server` wrote)');
  if (!values['node-name']) fail('berth agent needs --node-name NAME');
  const runtime = await chooseRuntime(runtimeFlag(values.runtime as string | undefined), say);
  const leaseSeconds = Number(values['node-lease-duration-seconds']);
  if (!Number.isInteger(leaseSeconds) || leaseSeconds < 1) {
    fail(`--node-lease-duration-seconds must be a positive integer, not ${JSON.stringify(values['node-lease-duration-seconds'])}`);
  }
  const { startRemoteAgent } = await import('../server/agents.js');
  const agent = await startRemoteAgent({
    kubeconfig: values.kubeconfig as string,
    nodeName: values['node-name'] as string,
    runtime: { kind: runtime, dns: clusterDns(values['cluster-dns'] as string | undefined, values.kubeconfig as string), imageMapFile: join(values['data-dir'] as string, 'images.yaml') },
    dataDir: values['data-dir'] as string,
    leaseSeconds,
    serverAddress: values.address as string,
    serverPort: parsePort(values.port as string, 'port'),
    log: values.verbose ? say : undefined,
  }).catch((e: Error) => fail(`could not start the agent: ${e.message}`));
  say(`agent: node ${values['node-name']} joined ${agent.server} (runtime ${runtime})`);
  say('ready');
  let stopping = false;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    say(`${sig} received, shutting down`);
    await agent.stop();
    say('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

await main();
