// syncVolume of the PV controller (pv_controller.go): a volume without a claim is Available; a
// volume whose claim is gone is Released and reclaimed by its policy (Retain keeps it, Recycle
// scrubs it and makes it Available, Delete removes it — or leaves that to the external
// provisioner named in `pv.kubernetes.io/provisioned-by`); a volume whose claim went elsewhere is
// unbound or, when it was provisioned for that claim, released.

import { isApiError } from '../../api/errors.js';
import { ANN_PROVISIONED_BY } from '../../api/storage/well-known.js';
import { PERSISTENT_VOLUMES, PERSISTENT_VOLUME_CLAIMS } from '../../client/resources.js';
import type { PvContext } from './pv-context.js';
import { NoPluginError } from './pv-context.js';
import type { Claim, Volume } from './volume-match.js';
import { claimRefKey, volumeModeMismatch } from './volume-match.js';
import { unbindVolume, updateVolumePhase, updateVolumePhaseWithEvent } from './binding-writes.js';

const asVolume = (o: Volume) => ({ apiVersion: 'v1', kind: 'PersistentVolume', ...o });
const asClaim = (o: Claim) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...o });

async function liveClaim(ctx: PvContext, namespace: string, name: string): Promise<Claim | undefined> {
  try {
    return await ctx.client.get(PERSISTENT_VOLUME_CLAIMS, namespace, name);
  } catch (e) {
    if (isApiError(e) && e.code === 404) return undefined;
    throw e;
  }
}

export async function syncVolume(ctx: PvContext, volume: Volume): Promise<void> {
  const ref = volume.spec?.claimRef;
  if (!ref || !ref.uid) {
    // Unused, or pre-bound by the user to a claim that has not bound yet (its sync does that).
    await updateVolumePhase(ctx, volume, 'Available');
    if (ref) ctx.enqueueClaim(claimRefKey(volume)!);
    return;
  }
  const key = claimRefKey(volume)!;
  let claim = ctx.claim(key);
  const phase = volume.status?.phase;
  // Under load the cache may not have a just-created claim yet: never release a volume on the
  // cache's word alone.
  if (!claim && phase !== 'Released' && phase !== 'Failed') claim = await liveClaim(ctx, ref.namespace, ref.name);
  if (claim && claim.metadata?.uid !== ref.uid) {
    claim = await liveClaim(ctx, ref.namespace, ref.name);
    if (claim && claim.metadata?.uid !== ref.uid) claim = undefined;
  }

  if (!claim) {
    if (phase !== 'Released' && phase !== 'Failed') volume = await updateVolumePhase(ctx, volume, 'Released');
    await reclaimVolume(ctx, volume);
    return;
  }
  if (!claim.spec?.volumeName) {
    if (volumeModeMismatch(claim, volume)) {
      ctx.events.event(asVolume(volume), 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata!.name}" due to incompatible volumeMode.`);
      ctx.events.event(asClaim(claim), 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume "${volume.metadata!.name}" to requested PersistentVolumeClaim due to incompatible volumeMode.`);
      return;
    }
    // The claim's sync finishes the binding (this is how a provisioned volume gets bound fast).
    ctx.enqueueClaim(key);
    return;
  }
  if (claim.spec.volumeName === volume.metadata!.name) {
    await updateVolumePhase(ctx, volume, 'Bound');
    return;
  }
  // The claim is bound to another volume.
  const ann = volume.metadata?.annotations ?? {};
  if (ann[ANN_PROVISIONED_BY] !== undefined && volume.spec?.persistentVolumeReclaimPolicy === 'Delete') {
    if (phase !== 'Released' && phase !== 'Failed') volume = await updateVolumePhase(ctx, volume, 'Released');
    await reclaimVolume(ctx, volume);
    return;
  }
  // Bound by the controller to a claim that went elsewhere: free it. Pre-bound by the user: keep
  // the pre-binding but drop the uid, waiting for the claim to come back.
  await unbindVolume(ctx, volume);
}

/** isVolumeReleased: the volume's claim is gone, or bound to another volume. */
function isVolumeReleased(ctx: PvContext, volume: Volume): boolean {
  const ref = volume.spec?.claimRef;
  if (!ref?.uid) return false;
  const claim = ctx.claim(claimRefKey(volume)!);
  if (claim && claim.metadata?.uid === ref.uid) return !!claim.spec?.volumeName && claim.spec.volumeName !== volume.metadata!.name;
  return true;
}

async function reclaimVolume(ctx: PvContext, volume: Volume): Promise<void> {
  switch (volume.spec?.persistentVolumeReclaimPolicy) {
    case 'Retain':
      return;
    case 'Recycle':
      return recycleVolume(ctx, volume);
    case 'Delete':
      return deleteVolume(ctx, volume);
    default:
      await updateVolumePhaseWithEvent(ctx, volume, 'Failed', 'Warning', 'VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy');
  }
}

/** The volume as the API has it now, if it still needs reclaiming. */
async function freshReleased(ctx: PvContext, volume: Volume): Promise<Volume | undefined> {
  let fresh: Volume;
  try {
    fresh = await ctx.client.get(PERSISTENT_VOLUMES, undefined, volume.metadata!.name!);
  } catch (e) {
    if (isApiError(e) && e.code === 404) return undefined;
    throw e;
  }
  if (fresh.metadata?.deletionTimestamp || !isVolumeReleased(ctx, fresh)) return undefined;
  return fresh;
}

async function recycleVolume(ctx: PvContext, volume: Volume): Promise<void> {
  const fresh = await freshReleased(ctx, volume);
  if (!fresh) return;
  try {
    await ctx.plugins.recycle(fresh);
  } catch (e) {
    const message = e instanceof NoPluginError ? e.message : `Recycle failed: ${(e as Error).message}`;
    await updateVolumePhaseWithEvent(ctx, fresh, 'Failed', 'Warning', 'VolumeFailedRecycle', message);
    return;
  }
  ctx.events.event(asVolume(fresh), 'Normal', 'VolumeRecycled', 'Volume recycled');
  await unbindVolume(ctx, fresh);
}

async function deleteVolume(ctx: PvContext, volume: Volume): Promise<void> {
  const provisioner = volume.metadata?.annotations?.[ANN_PROVISIONED_BY];
  // Volumes of external provisioners (berth's own included) are deleted by their provisioner.
  if (provisioner && !provisioner.startsWith('kubernetes.io/')) return;
  const fresh = await freshReleased(ctx, volume);
  if (!fresh) return;
  try {
    await ctx.plugins.delete(fresh);
  } catch (e) {
    await updateVolumePhaseWithEvent(ctx, fresh, 'Failed', 'Warning', 'VolumeFailedDelete', (e as Error).message);
    throw e;
  }
  await ctx.client.delete(PERSISTENT_VOLUMES, undefined, fresh.metadata!.name!).catch((e) => {
    if (!(isApiError(e) && e.code === 404)) throw e;
  });
}
