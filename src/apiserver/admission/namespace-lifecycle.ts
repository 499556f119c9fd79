// Admission: namespaced objects may only be created in a namespace that exists and is not
// terminating, and the system namespaces can never be deleted (kube's NamespaceLifecycle plugin).

import { forbidden, notFound } from '../../api/errors.js';
import type { AdmissionPlugin } from '../registry/resource-store.js';
import type { ServerParts } from '../handlers/context.js';

export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

export function namespaceLifecycle(parts: () => ServerParts): AdmissionPlugin {
  return (ctx) => {
    const { def, obj } = ctx;
    if (ctx.operation === 'DELETE') {
      if (def.group === '' && def.plural === 'namespaces' && IMMORTAL_NAMESPACES.includes(obj.metadata?.name ?? '')) {
        throw forbidden({ group: '', resource: 'namespaces' }, obj.metadata!.name!, 'this namespace may not be deleted');
      }
      return;
    }
    if (ctx.operation !== 'CREATE' || !def.namespaced) return;
    const name = obj.metadata?.namespace ?? '';
    const ns = parts().registry('', 'namespaces')?.tryGet(undefined, name);
    if (!ns) throw notFound({ group: '', resource: 'namespaces' }, name);
    if (ns.obj.metadata?.deletionTimestamp || ns.obj.status?.phase === 'Terminating') {
      const e = forbidden({ group: def.group, resource: def.plural }, obj.metadata?.name ?? '', `unable to create new content in namespace ${name} because it is being terminated`);
      e.status.details = { ...e.status.details, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${name} is being terminated`, field: 'metadata.namespace' }] };
      throw e;
    }
  };
}
