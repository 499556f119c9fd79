// The scheduler's plugin contract, after kube-scheduler's framework: a Status (Unschedulable, or
// UnschedulableAndUnresolvable when preemption cannot help) with its reasons; a filter plugin's
// PreFilter (per pod: compute state, reject the pod outright, or narrow the candidate nodes) and
// Filter (per node); the read-only view of the cluster a plugin may consult. Plugins are pure
// functions of that view: no I/O, no clock.

import type { KObject } from '../api/resource.js';
import type { NodeInfo, PodFootprint } from './node-info.js';
import type { SchedulerCache } from './scheduler-cache.js';

export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface Status {
  code: Code;
  reasons: string[];
  plugin: string;
}

export const unschedulable = (plugin: string, ...reasons: string[]): Status => ({ code: 'Unschedulable', reasons, plugin });
export const unresolvable = (plugin: string, ...reasons: string[]): Status => ({ code: 'UnschedulableAndUnresolvable', reasons, plugin });

/** A plugin failed for a reason other than the pod not fitting (Kubernetes' Error status). */
export class PluginError extends Error {}

/** What a binding cycle in flight has claimed for a claim: its node, and the volume if static. */
export interface ClaimAssumption {
  node: string;
  volume?: string;
}

/** Claims, volumes and classes as the volume plugins read them (informer caches plus assumptions). */
export interface VolumeView {
  claim(namespace: string, name: string): KObject | undefined;
  volume(name: string): KObject | undefined;
  storageClass(name: string): KObject | undefined;
  /** Volumes of a class whose claimRef is unset. */
  unboundVolumes(className: string): Iterable<KObject>;
  /** Volumes whose claimRef names the claim `namespace/name`. */
  volumesReferencing(claimKey: string): KObject[];
  /** The claim key an in-flight binding assumed this volume for. */
  volumeAssumedFor(volumeName: string): string | undefined;
  claimAssumption(claimKey: string): ClaimAssumption | undefined;
}

/** Everything one scheduling attempt of one pod may read. */
export interface CycleContext {
  pod: KObject;
  footprint: PodFootprint;
  cache: SchedulerCache;
  volumes: VolumeView;
  /** A namespace's labels (undefined when it is not known), for namespaceSelector terms. */
  namespaceLabels(name: string): Record<string, string> | undefined;
}

export interface PreFilterOutcome<S> {
  /** Undefined state and no status: the plugin has nothing to check for this pod (Skip). */
  state?: S;
  /** The pod cannot be scheduled on any node. */
  status?: Status;
  /** Only these nodes can pass this plugin (PreFilterResult.NodeNames). */
  nodeNames?: Set<string>;
}

export interface FilterPlugin<S = any> {
  readonly name: string;
  preFilter(ctx: CycleContext): PreFilterOutcome<S>;
  filter(state: S, node: NodeInfo): Status | undefined;
}
