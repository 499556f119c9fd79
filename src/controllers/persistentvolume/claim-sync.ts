// syncClaim of the PV controller, as pv_controller.go specifies it: an unbound claim gets the
// best matching volume (or the volume it names), is handed to a provisioner through
// `volume.kubernetes.io/storage-provisioner`, waits for its first consumer, or stays Pending with
// an event saying why; a bound claim is kept consistent with its volume or marked Lost.

import { claimHasClass, storageClassOf } from '../../api/core/volume-printing.js';
import { pickDefaultStorageClass } from '../../api/storage/storage-class.js';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_BIND_COMPLETED,
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
} from '../../api/storage/well-known.js';
import { PERSISTENT_VOLUME_CLAIMS } from '../../client/resources.js';
import type { PvContext } from './pv-context.js';
import type { Claim } from './volume-match.js';
import { claimKey, claimRefKey, isVolumeBoundToClaim, volumeSatisfyClaimError } from './volume-match.js';
import { bind, updateClaimStatus, updateClaimStatusWithEvent } from './binding-writes.js';

const asClaim = (o: Claim) => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...o });

export async function syncClaim(ctx: PvContext, claim: Claim): Promise<void> {
  if ((claim.metadata?.annotations ?? {})[ANN_BIND_COMPLETED] === undefined) return syncUnboundClaim(ctx, claim);
  return syncBoundClaim(ctx, claim);
}

/** IsDelayBindingMode: the class binds on first consumer and no node has been selected yet. */
function delayBinding(ctx: PvContext, claim: Claim): boolean {
  if ((claim.metadata?.annotations ?? {})[ANN_SELECTED_NODE] !== undefined) return false;
  const name = storageClassOf(claim);
  if (!name) return false;
  return ctx.storageClass(name)?.volumeBindingMode === 'WaitForFirstConsumer';
}

async function syncUnboundClaim(ctx: PvContext, claim: Claim): Promise<void> {
  const w = ctx;
  if (!claim.spec?.volumeName) {
    const delay = delayBinding(ctx, claim);
    const uid = claim.metadata?.uid ?? '';
    const volume = ctx.index.findBestMatch(claim, {
      delayBinding: delay,
      taken: (name) => {
        const by = ctx.binding.get(name);
        return by !== undefined && by !== uid;
      },
    });
    if (volume) {
      const name = volume.metadata!.name!;
      ctx.binding.set(name, uid);
      try {
        await bind(w, volume, claim);
      } finally {
        if (ctx.binding.get(name) === uid) ctx.binding.delete(name);
      }
      ctx.waiting(claim, false);
      return;
    }
    if (await assignDefaultStorageClass(ctx, claim)) return;
    ctx.waiting(claim, !delay);
    const cls = storageClassOf(claim);
    if (delay) {
      emitWaitForFirstConsumer(ctx, claim);
    } else if (cls !== '') {
      await provisionClaim(ctx, claim, cls);
      return;
    } else {
      ctx.events.event(asClaim(claim), 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    }
    await updateClaimStatus(w, claim, 'Pending');
    return;
  }

  // The user asked for a specific volume.
  const volume = ctx.index.get(claim.spec.volumeName);
  if (!volume) {
    await updateClaimStatus(w, claim, 'Pending');
    return;
  }
  if (!volume.spec?.claimRef) {
    const why = volumeSatisfyClaimError(volume, claim);
    if (why) {
      ctx.events.event(asClaim(claim), 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volume.metadata!.name}": ${why}`);
      await updateClaimStatus(w, claim, 'Pending');
      return;
    }
    await bind(w, volume, claim);
    return;
  }
  if (isVolumeBoundToClaim(volume, claim)) {
    await bind(w, volume, claim);
    return;
  }
  ctx.events.event(asClaim(claim), 'Warning', 'FailedBinding', `volume "${volume.metadata!.name}" already bound to a different claim.`);
  if ((claim.metadata?.annotations ?? {})[ANN_BOUND_BY_CONTROLLER] !== undefined) {
    throw new Error(`invalid binding of claim "${claimKey(claim)}" to volume "${volume.metadata!.name}": volume already claimed by "${claimRefKey(volume)}"`);
  }
  await updateClaimStatus(w, claim, 'Pending');
}

async function syncBoundClaim(ctx: PvContext, claim: Claim): Promise<void> {
  const w = ctx;
  if (!claim.spec?.volumeName) {
    await updateClaimStatusWithEvent(w, claim, 'Lost', 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
    return;
  }
  const volume = ctx.index.get(claim.spec.volumeName);
  if (!volume) {
    await updateClaimStatusWithEvent(w, claim, 'Lost', 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
    return;
  }
  const ref = volume.spec?.claimRef;
  if (!ref || ref.uid === claim.metadata?.uid) {
    // Unbound volume (or a cache that has not seen the claimRef yet), or all is well: bind() writes only what is missing.
    await bind(w, volume, claim);
    return;
  }
  await updateClaimStatusWithEvent(w, claim, 'Lost', 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
}

/** Retroactive default StorageClass: a claim that never asked for a class gets today's default. */
async function assignDefaultStorageClass(ctx: PvContext, claim: Claim): Promise<boolean> {
  if (claimHasClass(claim)) return false;
  const cls = pickDefaultStorageClass(ctx.storageClasses());
  if (!cls) return false;
  const next = structuredClone(claim);
  next.spec.storageClassName = cls.metadata!.name;
  await ctx.client.update(PERSISTENT_VOLUME_CLAIMS, asClaim(next));
  ctx.log?.(`persistentvolume-controller claim ${claim.metadata?.namespace}/${claim.metadata?.name} => default class ${cls.metadata!.name}`);
  return true;
}

function emitWaitForFirstConsumer(ctx: PvContext, claim: Claim): void {
  const pods = ctx.unscheduledPodsUsing(claim);
  if (pods.length === 0) {
    ctx.events.event(asClaim(claim), 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
  } else {
    const which = pods.length > 1 ? `pods ${pods.join(',')}` : `pod ${pods[0]}`;
    ctx.events.event(asClaim(claim), 'Normal', 'WaitForPodScheduled', `waiting for ${which} to be scheduled`);
  }
}

/** provisionClaimOperationExternal: name the class's provisioner on the claim and wait for it. */
async function provisionClaim(ctx: PvContext, claim: Claim, className: string): Promise<void> {
  const cls = ctx.storageClass(className);
  if (!cls) {
    ctx.events.event(asClaim(claim), 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
    await updateClaimStatus(ctx, claim, 'Pending');
    return;
  }
  const provisioner: string = cls.provisioner;
  const ann = claim.metadata?.annotations ?? {};
  if (ann[ANN_STORAGE_PROVISIONER] === provisioner && ann[ANN_BETA_STORAGE_PROVISIONER] === provisioner) {
    // Already handed over: the ExternalProvisioning event was recorded then (Kubernetes repeats it
    // on every sync; once is enough to tell the user who is expected to act).
    return;
  }
  let current = claim;
  {
    const next = structuredClone(claim);
    const a = (next.metadata!.annotations ??= {});
    a[ANN_STORAGE_PROVISIONER] = provisioner;
    a[ANN_BETA_STORAGE_PROVISIONER] = provisioner;
    try {
      current = await ctx.client.update(PERSISTENT_VOLUME_CLAIMS, asClaim(next));
    } catch (e) {
      ctx.events.event(asClaim(claim), 'Warning', 'ProvisioningFailed', `Error saving claim: ${(e as Error).message}`);
      throw e;
    }
  }
  ctx.events.event(
    asClaim(current),
    'Normal',
    'ExternalProvisioning',
    `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
  );
  await updateClaimStatus(ctx, current, 'Pending');
}
