// The berth command: `berth up`, `berth server`, `berth agent`. Parses flags, starts the
// components, prints one line per component and `export KUBECONFIG=...`, and shuts down cleanly
// on SIGINT/SIGTERM. Flags that no component uses yet are accepted and said to be ignored.

import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { startCluster } from '../server/cluster.js';

const USAGE = `usage:
  berth up     [--data-dir DIR] [--port P] [--dns-port P] [--nodes N] [--runtime process|simulated] [-v]
  berth server [--data-dir DIR] [--port P] [--dns-port P] [--store sqlite|memory|etcd] [--etcd-endpoints URL,...] [-v]
  berth agent  --kubeconfig FILE --node-name NAME [--runtime process|simulated]`;

const COMMON = {
  'data-dir': { type: 'string', default: './.berth' },
  port: { type: 'string', default: '6443' },
  'dns-port': { type: 'string' },
  runtime: { type: 'string' },
  'node-monitor-grace-period': { type: 'string' },
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
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const port = parsePort(values.port as string, 'port');
  if (values['dns-port'] !== undefined) parsePort(values['dns-port'] as string, 'dns-port');
  const store = (values.store as string | undefined) ?? 'sqlite';
  if (store === 'etcd') fail('--store etcd is not available yet: this berth serves sqlite and memory stores');
  if (store !== 'sqlite' && store !== 'memory') fail(`--store must be sqlite, memory or etcd, not ${JSON.stringify(store)}`);
  if (values.runtime !== undefined && values.runtime !== 'process' && values.runtime !== 'simulated') {
    fail(`--runtime must be process or simulated, not ${JSON.stringify(values.runtime)}`);
  }
  if (cmd === 'up') {
    const n = Number(values.nodes);
    if (!Number.isInteger(n) || n < 0) fail(`--nodes must be a non-negative integer, not ${JSON.stringify(values.nodes)}`);
  }
  for (const flag of ['dns-port', 'nodes', 'runtime', 'node-monitor-grace-period']) {
    if (process.argv.some((a) => a === `--${flag}` || a.startsWith(`--${flag}=`))) {
      say(`--${flag} is accepted but ignored: this berth has no node agents, DNS or node lifecycle yet`);
    }
  }

  const cluster = await startCluster({
    dataDir: values['data-dir'] as string,
    port,
    store: store as 'sqlite' | 'memory',
    log: say,
    verbose: !!values.verbose,
    standardStorageClass: cmd === 'up',
  }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE') fail(`cannot listen on port ${port}: it is already in use (choose another with --port, or --port 0 for a free one)`);
    if (/database is locked/.test(e.message)) {
      fail(`could not start: the data dir ${values['data-dir']} is in use by another berth process (${e.message})`);
    }
    fail(`could not start: ${e.message}`);
  });
  say('ready');
  process.stdout.write(`export KUBECONFIG=${cluster.kubeconfigPath}\n`);

  let stopping = false;
  const shutdown = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    say(`${sig} received, shutting down`);
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
      fail('berth agent is not available yet: node agents arrive with the node-agent work; use `berth up` for now');
    // eslint-disable-next-line no-fallthrough
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

await main();
