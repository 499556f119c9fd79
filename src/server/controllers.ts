// The controllers and built-in provisioners of a berth control plane, started against one client
// (in process for `berth up` / `berth server`): they share one set of informers, so each resource
// is listed and watched once however many controllers read it.
// Deliberately absent: leader election (one control plane per store for now).

import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Client } from '../client/client.js';
import { SharedInformers } from '../client/shared-informers.js';
import { controllerDeps } from '../controllers/deps.js';
import { NamespaceController } from '../controllers/namespace.js';
import { PersistentVolumeController } from '../controllers/persistentvolume/pv-controller.js';
import { directoryReclaim } from '../controllers/persistentvolume/directory-reclaim.js';
import { PvcProtectionController } from '../controllers/pvc-protection.js';
import { PvProtectionController } from '../controllers/pv-protection.js';
import { VolumeExpansionController } from '../controllers/volume-expansion.js';
import { ProvisionController } from '../provisioners/provision-controller.js';
import { LocalPathProvisioner } from '../provisioners/local-path.js';
import { NfsSubdirProvisioner } from '../provisioners/nfs-subdir.js';
import { Resizer } from '../provisioners/resizer.js';
import { GarbageCollector } from '../controllers/garbage-collector/garbage-collector.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { AttachDetachController } from '../controllers/attach-detach.js';
import { NodeLifecycleController } from '../controllers/node-lifecycle.js';
import { TaintEvictionController } from '../controllers/taint-eviction.js';
import { PodGarbageCollector } from '../controllers/pod-gc.js';
import { NodeIpamController } from '../controllers/node-ipam.js';
import { StatefulSetController } from '../controllers/statefulset/statefulset-controller.js';
import { ReplicaSetController } from '../controllers/replicaset.js';
import { DeploymentController } from '../controllers/deployment/deployment-controller.js';
import { EndpointsController } from '../controllers/endpoints.js';
import { EndpointSliceController } from '../controllers/endpointslice.js';
import { LOCAL_PATH_PROVISIONER, NFS_SUBDIR_PROVISIONER } from '../api/storage/well-known.js';

/** The version in component user agents, e.g. `kubelet/v1.32.0 (berth)`: the program name before the slash becomes the managedFields manager. */
export const BERTH_COMPONENT_VERSION = 'v1.32.0 (berth)';

export interface Controllers {
  names: string[];
  stop(): Promise<void>;
}

interface Startable {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

export interface ControllerOptions {
  dataDir: string;
  /** A client with another program name, for the scheduler's writes (manager kube-scheduler). */
  clientAs?: (userAgent: string) => Client;
  /** kube-controller-manager's --controllers: `*` for all, `name` to add one, `-name` to leave one out. */
  enabled?: string[];
  /** --node-monitor-grace-period (Kubernetes' default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** --cluster-cidr: the range nodes' pod CIDRs (/24s) come from (default 10.244.0.0/14). */
  clusterCidr?: string;
  log?: (l: string) => void;
}

export async function startControllers(client: Client, opts: ControllerOptions): Promise<Controllers> {
  // Every controller looks at every object again every 5 minutes, a safety net for a lost event
  // (Kubernetes' --min-resync-period is 12 h); the PV binder asks for 15 s, its sync period.
  const informers = new SharedInformers(client, { log: opts.log, resyncMs: 300_000 });
  const deps = controllerDeps(client, informers, { log: opts.log, host: hostname() });
  const nfsServer = '127.0.0.1';
  // Only the enabled controllers are built: a built one registers informer handlers at once.
  const factories: [string, () => Startable | Promise<Startable>][] = [
    ['persistentvolume-binder', () => new PersistentVolumeController(deps, { plugins: directoryReclaim({ localNfsServers: [nfsServer, 'localhost', hostname()] }) })],
    ['pvc-protection', () => new PvcProtectionController(deps)],
    ['pv-protection', () => new PvProtectionController(deps)],
    ['volume-expansion', () => new VolumeExpansionController(deps)],
    [LOCAL_PATH_PROVISIONER, () => new ProvisionController(deps, new LocalPathProvisioner({ basePath: join(opts.dataDir, 'volumes', 'local') }))],
    [NFS_SUBDIR_PROVISIONER, () => new ProvisionController(deps, new NfsSubdirProvisioner({ exportPath: join(opts.dataDir, 'volumes', 'nfs-export'), server: nfsServer }))],
    ['resizer', () => new Resizer(deps, { provisioners: [LOCAL_PATH_PROVISIONER, NFS_SUBDIR_PROVISIONER] })],
    ['statefulset', () => new StatefulSetController(deps)],
    ['replicaset', () => new ReplicaSetController(deps)],
    ['deployment', () => new DeploymentController(deps)],
    ['endpoints', () => new EndpointsController(deps)],
    ['endpointslice', () => new EndpointSliceController(deps)],
    ['scheduler', () => new Scheduler(opts.clientAs ? { ...deps, client: opts.clientAs(`kube-scheduler/${BERTH_COMPONENT_VERSION}`) } : deps)],
    ['attach-detach', () => new AttachDetachController(deps)],
    ['node-ipam', () => new NodeIpamController(deps, { clusterCidr: opts.clusterCidr })],
    ['node-lifecycle', () => new NodeLifecycleController(deps, { nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs ?? 40_000 })],
    ['taint-eviction', () => new TaintEvictionController(deps)],
    ['pod-gc', () => new PodGarbageCollector(deps)],
    // Built before the informers start: it registers an informer for every discoverable resource.
    ['garbage-collector', () => GarbageCollector.create(deps)],
  ];
  const known = new Set(['namespace', ...factories.map(([n]) => n)]);
  for (const entry of opts.enabled ?? []) {
    const name = entry.replace(/^-/, '');
    if (name !== '*' && !known.has(name)) {
      throw new Error(`--controllers: "${name}" is not in the list of known controllers (${[...known].join(', ')})`);
    }
  }
  const wanted = (name: string) => isEnabled(name, opts.enabled ?? ['*']);
  const chosen: [string, Startable][] = [];
  for (const [name, make] of factories) if (wanted(name)) chosen.push([name, await make()]);
  await informers.start();
  for (const [, c] of chosen) await c.start();
  const namespaces = new NamespaceController(client, { log: opts.log });
  await namespaces.start();
  return {
    names: ['namespace', ...chosen.map(([n]) => n)],
    async stop() {
      await namespaces.stop();
      for (const [, c] of chosen) await c.stop();
      await informers.stop();
    },
  };
}

/** The --controllers rule: an explicit `-name` disables, `name` or `*` enables. */
export function isEnabled(name: string, list: string[]): boolean {
  if (list.includes(`-${name}`)) return false;
  return list.includes(name) || list.includes('*');
}
