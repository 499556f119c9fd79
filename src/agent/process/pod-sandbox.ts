// Pod sandboxes of the process runtime: the pod's network namespace (pod-network.ts), its files
// (/etc/hosts, /etc/resolv.conf, /etc/hostname, see pod-files.ts) and its pause process, which
// holds the UTS namespace (hostname = the pod's hostname) and the IPC namespace that the pod's
// containers share, as Kubernetes' sandbox container does. hostNetwork pods use the host's network
// and UTS namespaces (their hostname is the node's) and get an IPC namespace of their own.
// Deliberately absent: a PID namespace shared by the pod (shareProcessNamespace).

import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname as hostHostname } from 'node:os';
import { join } from 'node:path';
import type { SandboxSpec } from '../runtime.js';
import { isAlive, spawnDetached, startTimeOf, which } from './host.js';
import { formatResolvConf, parseResolvConf, podHostsFile, podResolvConf } from './pod-files.js';
import type { NodeNetwork } from './pod-network.js';
import { cidrGateway, podNetworkNames } from './pod-network.js';
import type { PodMeta, PodStore } from './pod-store.js';

const readOr = (path: string, fallback: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
};

export class Sandboxes {
  constructor(
    private readonly o: { store: PodStore; network: NodeNetwork; nsenter: string; unshare: string; sh: string; nodeName: string; clusterDomain: string; log?: (l: string) => void },
  ) {}

  etcFile(uid: string, name: 'hosts' | 'resolv.conf' | 'hostname'): string {
    return join(this.o.store.podDir(uid), 'etc', name);
  }

  /** Whether the pod's namespaces are still there (the pause process runs, the netns exists). */
  isReady(meta: PodMeta): boolean {
    return isAlive(meta.pausePid, meta.pauseStart) && (meta.hostNetwork || (!!meta.netns && existsSync(`/run/netns/${meta.netns}`)));
  }

  async create(spec: SandboxSpec, old?: PodMeta): Promise<PodMeta> {
    const pod = spec.pod;
    const uid = pod.metadata?.uid ?? '';
    const hostNetwork = pod.spec?.hostNetwork === true;
    const hostname = hostNetwork ? hostHostname() : spec.hostname;
    const meta: PodMeta = {
      uid,
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
      nodeName: this.o.nodeName,
      hostNetwork,
      ip: spec.ip,
      podCIDR: spec.podCIDR,
      hostname,
      volumes: spec.volumes,
      createdAt: old?.createdAt ?? new Date().toISOString(),
    };
    await this.o.store.savePod({ ...meta, removing: true });
    if (!hostNetwork) {
      // Running containers keep their network when only the pause process is replaced.
      const keep = old?.netns && old.ip === spec.ip && existsSync(`/run/netns/${old.netns}`);
      Object.assign(meta, keep ? { netns: old!.netns, veth: old!.veth } : await this.o.network.addPod({ uid, ip: spec.ip, podCIDR: spec.podCIDR }));
    }
    await this.writeFiles(spec, meta);
    if (old && isAlive(old.pausePid, old.pauseStart)) process.kill(old.pausePid!, 'SIGKILL');
    await this.startPause(meta);
    await this.o.store.savePod(meta);
    this.o.log?.(`SANDBOX ${meta.namespace}/${meta.name} ${hostNetwork ? 'hostNetwork' : `${meta.netns} ${spec.ip}`} => ready, pause ${meta.pausePid}`);
    return meta;
  }

  private async writeFiles(spec: SandboxSpec, meta: PodMeta): Promise<void> {
    const dir = join(this.o.store.podDir(meta.uid), 'etc');
    await mkdir(dir, { recursive: true });
    const domain = this.o.clusterDomain;
    const gateway = spec.podCIDR ? cidrGateway(spec.podCIDR).gateway : '127.0.0.1';
    const host = parseResolvConf(readOr('/etc/resolv.conf', ''));
    await writeFile(join(dir, 'hosts'), podHostsFile(spec.pod, { ip: spec.ip, hostname: meta.hostname, clusterDomain: domain, hostFile: readOr('/etc/hosts', '') }));
    await writeFile(join(dir, 'resolv.conf'), formatResolvConf(podResolvConf(spec.pod, { nameserver: gateway, clusterDomain: domain, host })));
    await writeFile(join(dir, 'hostname'), `${meta.hostname}\n`);
  }

  private async startPause(meta: PodMeta): Promise<void> {
    const sleep = which('sleep') ?? '/bin/sleep';
    // `exec` keeps one process: its PID is the one spawned, and it shows as `sleep` once set up.
    const script = meta.hostNetwork ? `exec ${sleep} infinity` : `echo "$0" > /proc/sys/kernel/hostname && exec ${sleep} infinity`;
    const ns = meta.hostNetwork ? [this.o.unshare, '--ipc', '--'] : [this.o.nsenter, `--net=/run/netns/${meta.netns}`, '--', this.o.unshare, '--uts', '--ipc', '--'];
    const pid = spawnDetached([...ns, this.o.sh, '-c', script, meta.hostname]);
    for (let i = 0; i < 1000; i++) {
      if (readOr(`/proc/${pid}/comm`, '').trim() === 'sleep') break;
      if (!existsSync(`/proc/${pid}`)) throw new Error(`the pause process of pod ${meta.namespace}/${meta.name} ended at start`);
      await new Promise((r) => setTimeout(r, i < 50 ? 1 : 10));
    }
    meta.pausePid = pid;
    meta.pauseStart = startTimeOf(pid);
  }

  /** Ends the pause process and deletes the pod's network namespace and veth. */
  async remove(meta: PodMeta): Promise<void> {
    if (isAlive(meta.pausePid, meta.pauseStart)) {
      try {
        process.kill(meta.pausePid!, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    // By the names the UID gives, not what the state file recorded: a removal that overtook a
    // half-made sandbox (no names written yet) must still find its network namespace.
    if (!meta.hostNetwork) await this.o.network.removePod(podNetworkNames(meta.uid));
  }
}
