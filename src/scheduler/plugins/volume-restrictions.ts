// VolumeRestrictions (pkg/scheduler/framework/plugins/volumerestrictions), the ReadWriteOncePod
// part: a claim with that access mode used by any other pod (assigned or assumed, on any node)
// makes every node unschedulable for the pod. A claim that does not exist rejects the pod outright.
// Deliberately absent: the in-tree disk conflicts (GCE PD, AWS EBS, RBD, iSCSI inline volumes),
// which berth's node agent does not mount.

import type { FilterPlugin } from '../framework.js';
import { unresolvable, unschedulable } from '../framework.js';

export const ERR_REASON_RWOP_CONFLICT = 'node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode';

export const volumeRestrictions: FilterPlugin<{ conflicting: number }> = {
  name: 'VolumeRestrictions',
  preFilter(ctx) {
    const ns = ctx.pod.metadata?.namespace ?? '';
    let conflicting = 0;
    let rwop = false;
    for (const v of ctx.pod.spec?.volumes ?? []) {
      const name: string | undefined = v?.persistentVolumeClaim?.claimName;
      if (!name) continue;
      const claim = ctx.volumes.claim(ns, name);
      if (!claim) return { status: unresolvable('VolumeRestrictions', `persistentvolumeclaim "${name}" not found`) };
      if (!(claim.spec?.accessModes ?? []).includes('ReadWriteOncePod')) continue;
      rwop = true;
      conflicting += ctx.cache.usersOfClaim(`${ns}/${name}`);
    }
    return rwop && conflicting > 0 ? { state: { conflicting } } : {};
  },
  filter() {
    return unschedulable('VolumeRestrictions', ERR_REASON_RWOP_CONFLICT);
  },
};
