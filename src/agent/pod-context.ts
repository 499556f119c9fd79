// What the agent's pod workers share: the per-pod record the agent keeps between syncs (by UID,
// like the kubelet's pod workers, so a StatefulSet pod recreated under the same name is a new
// record while the old one still terminates), and the context every sync step reads (client,
// runtime, volume set-up, IP allocator, event recorder, clock, timings).
// Deliberately absent: behaviour (pod-sync.ts, pod-containers.ts and pod-termination.ts).

import type { KObject } from '../api/resource.js';
import type { Client } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import type { AttachmentTracker } from './attachment-tracker.js';
import type { IPAllocator } from './ip-allocator.js';
import type { ProbeState } from './pod-status.js';
import type { PreparedVolume, Runtime } from './runtime.js';
import type { VolumeSetup } from './volume-setup.js';

export interface PodRecord {
  uid: string;
  key: string;
  /** Set once every volume is ready (never reset: mounted volumes stay for the pod's life). */
  volumes?: PreparedVolume[];
  /** Since when the pod waits for its volumes, and the next poll interval. */
  volumeWait?: { since: number; pollMs: number };
  /** Warning messages recorded, and when (each repeats at most once per interval). */
  warned: Map<string, number>;
  probes: Map<string, ProbeState>;
  /** Crash-loop back-off per container (the kubelet's flowcontrol.Backoff entries). */
  backOff: Map<string, { ms: number; lastUpdate: number }>;
  /** Containers waiting for their restart: reason and message for the status. */
  waiting: Map<string, { reason: string; message: string }>;
  /** Container instance ids whose Created/Started or Killing events were recorded. */
  announced: Set<string>;
  /** The newest pod object this agent wrote or read, ahead of the watch cache. */
  latest?: KObject;
  /** The last pod object seen, for a pod whose object is gone (its grace period). */
  lastPod?: KObject;
  /** Runtime pod removed, IP released, volumes torn down. */
  cleaned: boolean;
  /** Sandbox, IP, attachments and volumes given back (a finished pod's logs may still be kept). */
  released?: boolean;
}

export interface AgentTimings {
  /** The kubelet's podAttachAndMountTimeout (2m3s): when a wait for attachment is reported. */
  mountTimeoutMs: number;
  /** How often a persisting volume error is reported again. */
  mountEventIntervalMs: number;
  /** Crash-loop back-off: first delay and cap (10 s and 5 min in the kubelet). */
  backOffInitialMs: number;
  backOffMaxMs: number;
}

export interface PodContext {
  client: Client;
  runtime: Runtime;
  volumes: VolumeSetup;
  attachments?: AttachmentTracker;
  nodeName: string;
  nodeIP: string;
  ipam(): IPAllocator | undefined;
  /** An address was released: pods waiting for one can try again. */
  ipReleased(): void;
  recorder?: EventRecorder;
  now: () => Date;
  log?: (l: string) => void;
  timings: AgentTimings;
}

export function newRecord(pod: KObject, key: string): PodRecord {
  return {
    uid: pod.metadata?.uid ?? '',
    key,
    probes: new Map(),
    backOff: new Map(),
    waiting: new Map(),
    announced: new Set(),
    warned: new Map(),
    cleaned: false,
  };
}

/** The newer of the cached object and what this agent last wrote or read (resourceVersions are decimal). */
export function newestPod(pod: KObject, rec: PodRecord): KObject {
  const mine = rec.latest;
  if (!mine || mine.metadata?.uid !== pod.metadata?.uid) return pod;
  try {
    return BigInt(mine.metadata?.resourceVersion ?? '0') > BigInt(pod.metadata?.resourceVersion ?? '0') ? mine : pod;
  } catch {
    return pod;
  }
}

/** format.Pod: `name_namespace(uid)`, as kubelet messages name a pod. */
export function podDescription(pod: KObject): string {
  return `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
}
