// The PV controller's writes, each one idempotent (nothing is written when the object already
// says it) and each returning the object as stored, so the next step builds on it: the four writes
// of a bind (volume claimRef, volume phase, claim volumeName + annotations, claim phase/capacity)
// and the phase and unbind writes. Objects passed in may be informer copies: they are cloned
// before any change. Like pv_controller.go's bindVolumeToClaim / updateVolumePhase /
// bindClaimToVolume / updateClaimStatus / unbindVolume.

import type { Client } from '../../client/client.js';
import type { EventRecorder, EventType } from '../../client/events.js';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS } from '../../client/resources.js';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER } from '../../api/storage/well-known.js';
import type { Claim, Volume } from './volume-match.js';
import { isVolumeBoundToClaim } from './volume-match.js';

export interface Writer {
  client: Client;
  events: EventRecorder;
}

const asClaim = (o: Claim) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...o });
const asVolume = (o: Volume) => ({ apiVersion: 'v1', kind: 'PersistentVolume', ...o });

function sameList(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Sets the volume's claimRef to the claim (and bound-by-controller when the user did not pre-bind it). */
export async function bindVolumeToClaim(w: Writer, volume: Volume, claim: Claim): Promise<Volume> {
  const ref = volume.spec?.claimRef;
  const m = claim.metadata!;
  const refOk = ref && ref.name === m.name && ref.namespace === m.namespace && ref.uid === m.uid;
  const markController = !isVolumeBoundToClaim(volume, claim) && !(volume.metadata?.annotations ?? {})[ANN_BOUND_BY_CONTROLLER];
  if (refOk && !markController) return volume;
  const next = structuredClone(volume);
  if (!refOk) {
    next.spec.claimRef = {
      kind: 'PersistentVolumeClaim',
      namespace: m.namespace,
      name: m.name,
      uid: m.uid,
      apiVersion: 'v1',
      resourceVersion: m.resourceVersion,
    };
  }
  if (markController) (next.metadata!.annotations ??= {})[ANN_BOUND_BY_CONTROLLER] = 'yes';
  return w.client.update(PERSISTENT_VOLUMES, asVolume(next));
}

export async function updateVolumePhase(w: Writer, volume: Volume, phase: string, message = ''): Promise<Volume> {
  if (volume.status?.phase === phase && (volume.status?.message ?? '') === message) return volume;
  const next = structuredClone(volume);
  next.status = { ...next.status, phase };
  if (message) next.status.message = message;
  else delete next.status.message;
  return w.client.update(PERSISTENT_VOLUMES, asVolume(next), 'status');
}

/** updateVolumePhaseWithEvent: the event is recorded only when the phase changes. */
export async function updateVolumePhaseWithEvent(w: Writer, volume: Volume, phase: string, type: EventType, reason: string, message: string): Promise<Volume> {
  if (volume.status?.phase === phase) return volume;
  const next = await updateVolumePhase(w, volume, phase, message);
  w.events.event(asVolume(next), type, reason, message);
  return next;
}

export async function bindClaimToVolume(w: Writer, claim: Claim, volume: Volume): Promise<Claim> {
  const ann = claim.metadata?.annotations ?? {};
  const rebind = claim.spec?.volumeName !== volume.metadata!.name;
  if (!rebind && ann[ANN_BIND_COMPLETED] !== undefined) return claim;
  const next = structuredClone(claim);
  const annotations = (next.metadata!.annotations ??= {});
  if (rebind) {
    next.spec.volumeName = volume.metadata!.name;
    annotations[ANN_BOUND_BY_CONTROLLER] ??= 'yes';
  }
  annotations[ANN_BIND_COMPLETED] ??= 'yes';
  return w.client.update(PERSISTENT_VOLUME_CLAIMS, asClaim(next));
}

/** The claim's phase; with a volume also its access modes and (when becoming Bound) capacity. */
export async function updateClaimStatus(w: Writer, claim: Claim, phase: string, volume?: Volume): Promise<Claim> {
  const status = claim.status ?? {};
  const next = structuredClone(claim);
  const ns = (next.status ??= {});
  let dirty = false;
  if (status.phase !== phase) {
    ns.phase = phase;
    dirty = true;
  }
  if (!volume) {
    if (status.accessModes !== undefined || status.capacity !== undefined) {
      delete ns.accessModes;
      delete ns.capacity;
      dirty = true;
    }
  } else {
    if (!sameList(status.accessModes, volume.spec?.accessModes)) {
      ns.accessModes = volume.spec?.accessModes;
      dirty = true;
    }
    // Capacity is copied only when the claim becomes Bound: later differences are deliberate
    // (a filesystem smaller than its block device, an expansion in progress).
    if (status.phase !== phase && status.capacity?.storage !== volume.spec?.capacity?.storage) {
      ns.capacity = volume.spec?.capacity;
      dirty = true;
    }
  }
  if (!dirty) return claim;
  return w.client.update(PERSISTENT_VOLUME_CLAIMS, asClaim(next), 'status');
}

/** updateClaimStatusWithEvent: the event is recorded only when the phase changes. */
export async function updateClaimStatusWithEvent(w: Writer, claim: Claim, phase: string, type: EventType, reason: string, message: string): Promise<Claim> {
  if (claim.status?.phase === phase) return claim;
  const next = await updateClaimStatus(w, claim, phase);
  w.events.event(asClaim(next), type, reason, message);
  return next;
}

/** The four writes of a bind, in Kubernetes' order; a retry resumes where a failure stopped. */
export async function bind(w: Writer, volume: Volume, claim: Claim): Promise<{ volume: Volume; claim: Claim }> {
  volume = await bindVolumeToClaim(w, volume, claim);
  volume = await updateVolumePhase(w, volume, 'Bound');
  claim = await bindClaimToVolume(w, claim, volume);
  claim = await updateClaimStatus(w, claim, 'Bound', volume);
  return { volume, claim };
}

/** Frees a volume: a controller-made binding loses its claimRef, a user's pre-binding only its uid. */
export async function unbindVolume(w: Writer, volume: Volume): Promise<Volume> {
  const next = structuredClone(volume);
  const ann = next.metadata?.annotations ?? {};
  if (ann[ANN_BOUND_BY_CONTROLLER] !== undefined) {
    delete next.spec.claimRef;
    delete ann[ANN_BOUND_BY_CONTROLLER];
    if (Object.keys(ann).length === 0) delete next.metadata!.annotations;
  } else if (next.spec?.claimRef) {
    delete next.spec.claimRef.uid;
  }
  const stored = await w.client.update<Volume>(PERSISTENT_VOLUMES, asVolume(next));
  return updateVolumePhase(w, stored, 'Available');
}
