// Pod networking of one node: a Linux bridge per node (its name from the node name, at most 15
// characters) holding the first address of the node's podCIDR as the pods' gateway, and per pod a
// network namespace (`ip netns add berth-<uid prefix>`) joined to the bridge by a veth pair whose
// inner end is eth0 with the pod IP, lo up, and a default route via the gateway. The host forwards
// between bridges (net.ipv4.ip_forward=1), so pods of the several nodes of one machine reach each
// other and the host reaches every pod; if an iptables FORWARD policy drops packets, the bridge's
// traffic is accepted explicitly. The DNS relay for the node listens on the gateway.
// The bridge outlives the agent (pods keep running across an agent restart); close() removes it
// only when asked.
// Deliberately absent: NAT to the outside world, network policies, IPv6.

import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { DnsTarget } from './dns-relay.js';
import { DnsRelay } from './dns-relay.js';
import { run, which } from './host.js';

export interface PodNetworkNames {
  netns: string;
  veth: string;
}

/** The netns and host-side veth names of a pod (veth names are at most 15 characters). */
export function podNetworkNames(uid: string): PodNetworkNames {
  const hex = uid.replace(/-/g, '');
  return { netns: `berth-${hex.slice(0, 12)}`, veth: `vb${hex.slice(0, 13)}` };
}

/**
 * The node's bridge: `b<5 hex>-<node>` when that fits in 15 characters, else `berth-<hash>`. The
 * hash covers the runtime's directory too, so two berth clusters on one machine (each with a
 * node-1) never share a bridge, while a restarted agent finds its own again.
 */
export function bridgeName(nodeName: string, scope: string): string {
  const hash = (s: string) => createHash('sha256').update(s).digest('hex');
  const plain = `b${hash(scope).slice(0, 5)}-${nodeName}`;
  if (plain.length <= 15 && /^[a-z0-9][a-z0-9-]*$/.test(nodeName)) return plain;
  return `berth-${hash(`${scope}\n${nodeName}`).slice(0, 9)}`;
}

/** 10.244.1.0/24 → { gateway: 10.244.1.1, prefix: 24 }. */
export function cidrGateway(cidr: string): { gateway: string; prefix: number } {
  const [addr, bits] = cidr.split('/');
  const n = addr.split('.').reduce((a, o) => a * 256 + Number(o), 0) + 1;
  const gateway = [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  return { gateway, prefix: Number(bits) };
}

export class NodeNetwork {
  readonly bridge: string;
  private ready?: Promise<string>;
  private relay?: DnsRelay;

  constructor(private readonly opts: { nodeName: string; scope: string; dns?: DnsTarget; log?: (l: string) => void }) {
    this.bridge = bridgeName(opts.nodeName, opts.scope);
  }

  /** Creates the bridge for the podCIDR (once) and starts the DNS relay; answers the gateway. */
  ensureBridge(podCIDR: string): Promise<string> {
    this.ready ??= this.createBridge(podCIDR).catch((e) => {
      this.ready = undefined;
      throw e;
    });
    return this.ready;
  }

  /** After an agent restart: the existing bridge's gateway (and its relay), if the bridge exists. */
  async adoptBridge(): Promise<string | undefined> {
    const res = await run(['ip', '-j', '-4', 'addr', 'show', 'dev', this.bridge], { allowFail: true });
    if (res.code !== 0) return undefined;
    const info = JSON.parse(res.stdout || '[]')[0]?.addr_info?.[0];
    if (!info) return undefined;
    const cidr = `${info.local}/${info.prefixlen}`;
    return this.ensureBridge(cidr);
  }

  private async createBridge(podCIDR: string): Promise<string> {
    const { gateway, prefix } = cidrGateway(podCIDR);
    const exists = (await run(['ip', 'link', 'show', 'dev', this.bridge], { allowFail: true })).code === 0;
    if (!exists) await run(['ip', 'link', 'add', this.bridge, 'type', 'bridge']);
    await run(['ip', 'addr', 'replace', `${gateway}/${prefix}`, 'dev', this.bridge]);
    await run(['ip', 'link', 'set', this.bridge, 'up']);
    await writeFile('/proc/sys/net/ipv4/ip_forward', '1');
    await this.acceptForwarding();
    this.opts.log?.(`BRIDGE ${this.bridge} ${gateway}/${prefix} => ${exists ? 'adopted' : 'created'}, ip_forward=1`);
    if (this.opts.dns && !this.relay) {
      const relay = new DnsRelay({ bind: gateway, target: this.opts.dns, log: this.opts.log });
      try {
        await relay.start();
        this.relay = relay;
      } catch (e) {
        this.opts.log?.(`DNS relay ${gateway}:53 => not started (${(e as Error).message})`);
      }
    }
    return gateway;
  }

  /** An iptables FORWARD policy of DROP (Docker sets one) would cut pods off: accept the bridge. */
  private async acceptForwarding(): Promise<void> {
    const iptables = which('iptables');
    if (!iptables || !existsSync('/proc/net/ip_tables_names')) return;
    const rules = await run([iptables, '-S', 'FORWARD'], { allowFail: true });
    if (!/^-P FORWARD (DROP|REJECT)/m.test(rules.stdout)) return;
    for (const dir of ['-i', '-o']) {
      const rule = ['FORWARD', dir, this.bridge, '-j', 'ACCEPT'];
      if ((await run([iptables, '-C', ...rule], { allowFail: true })).code !== 0) await run([iptables, '-I', ...rule]);
    }
    this.opts.log?.(`IPTABLES FORWARD policy drops => accept -i/-o ${this.bridge}`);
  }

  /** The pod's namespace and veth, with its address and default route. */
  async addPod(o: { uid: string; ip: string; podCIDR: string }): Promise<PodNetworkNames> {
    const gateway = await this.ensureBridge(o.podCIDR);
    const { prefix } = cidrGateway(o.podCIDR);
    const names = podNetworkNames(o.uid);
    // A half-made namespace of an earlier attempt goes first.
    await this.removePod(names);
    await run(['ip', '-batch', '-'], {
      input: [`netns add ${names.netns}`, `link add ${names.veth} type veth peer name eth0 netns ${names.netns}`, `link set ${names.veth} master ${this.bridge} up`].join('\n') + '\n',
    });
    await run(['ip', '-n', names.netns, '-batch', '-'], {
      input: [`addr add ${o.ip}/${prefix} dev eth0`, 'link set eth0 up', 'link set lo up', `route add default via ${gateway}`].join('\n') + '\n',
    });
    return names;
  }

  /** Deletes the pod's namespace (its eth0 and the veth peer go with it) and a leftover veth. */
  async removePod(names: PodNetworkNames): Promise<void> {
    if (existsSync(`/run/netns/${names.netns}`)) await run(['ip', 'netns', 'del', names.netns], { allowFail: true });
    if (existsSync(`/sys/class/net/${names.veth}`)) await run(['ip', 'link', 'del', names.veth], { allowFail: true });
  }

  async close(o: { removeBridge: boolean }): Promise<void> {
    await this.relay?.close();
    this.relay = undefined;
    if (o.removeBridge && existsSync(`/sys/class/net/${this.bridge}`)) await run(['ip', 'link', 'del', this.bridge], { allowFail: true });
    this.ready = undefined;
  }
}
