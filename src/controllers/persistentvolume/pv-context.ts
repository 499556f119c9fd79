// What the PV controller's sync functions share: the writer (client + events), the volume index,
// the claim, class and pod caches, the set of volumes being bound right now, the queues, and the
// plugins that reclaim volumes berth manages itself.

import type { KObject } from '../../api/resource.js';
import type { Client } from '../../client/client.js';
import type { EventRecorder } from '../../client/events.js';
import type { Claim, Volume } from './volume-match.js';
import type { VolumeIndex } from './volume-index.js';

/** No plugin can reclaim this kind of volume (the message is the event's, as Kubernetes words it). */
export class NoPluginError extends Error {}

/** Recycles and deletes the storage of volumes no provisioner owns (static hostPath, local, nfs). */
export interface ReclaimPlugins {
  /** Scrubs the volume's contents; throws when it cannot (the message becomes the event). */
  recycle(volume: Volume): Promise<void>;
  /** Deletes the volume's storage; throws when no deleter applies. */
  delete(volume: Volume): Promise<void>;
}

export interface PvContext {
  client: Client;
  events: EventRecorder;
  index: VolumeIndex;
  claim(key: string): Claim | undefined;
  storageClass(name: string): KObject | undefined;
  storageClasses(): KObject[];
  /** Names of pods in the claim's namespace that use it and are not scheduled yet. */
  unscheduledPodsUsing(claim: Claim): string[];
  /** volume name → uid of the claim a worker is binding it to. */
  binding: Map<string, string>;
  enqueueClaim(key: string): void;
  enqueueVolume(name: string): void;
  /** The claim found no volume now: look at it again when a volume of its class frees up. */
  waiting(claim: Claim, waits: boolean): void;
  plugins: ReclaimPlugins;
  log?: (line: string) => void;
}
