// Admission: allocates Services' cluster IPs (from the service CIDR) and node ports, and keeps the
// allocated values across updates that omit them, as kube-apiserver's service REST does.
// Deliberately absent: dual-stack (IPv4 only) and a persistent allocation bitmap (the watch cache
// of Services is the allocation table).

import { invalidObject } from '../../api/errors.js';
import type { KObject } from '../../api/resource.js';
import type { AdmissionPlugin } from '../registry/resource-store.js';
import type { ServerParts } from '../handlers/context.js';
import { intToIp, ipToInt } from '../../util/ipv4.js';

export interface ServiceIpOptions {
  /** Base of a /12 range, like kube's default 10.96.0.0/12. */
  cidrBase?: string;
  nodePortRange?: [number, number];
}


export function serviceIpAllocator(parts: () => ServerParts, opts: ServiceIpOptions = {}): AdmissionPlugin {
  const base = ipToInt(opts.cidrBase ?? '10.96.0.0');
  const size = 1 << 20;
  const [npLo, npHi] = opts.nodePortRange ?? [30000, 32767];
  const services = () => parts().registry('', 'services')!.list();

  const usedIps = () => new Set(services().flatMap((s) => s.obj.spec?.clusterIPs ?? [s.obj.spec?.clusterIP]).filter(Boolean));
  const usedPorts = () => new Set(services().flatMap((s) => (s.obj.spec?.ports ?? []).map((p: any) => p.nodePort)).filter(Boolean));

  function allocateIp(svc: KObject): void {
    const used = usedIps();
    for (let i = 0; i < 64; i++) {
      const ip = intToIp(base + 10 + Math.floor(Math.random() * (size - 20)));
      if (!used.has(ip)) {
        svc.spec.clusterIP = ip;
        svc.spec.clusterIPs = [ip];
        return;
      }
    }
    throw invalidObject('Service', '', svc.metadata?.name ?? '', [{ type: 'InternalError', field: 'spec.clusterIPs', detail: 'failed to allocate a serviceIP: range is full' }]);
  }

  function allocatePorts(svc: KObject): void {
    const used = usedPorts();
    for (const p of svc.spec.ports ?? []) {
      if (p.nodePort) continue;
      for (let i = 0; i < 1000; i++) {
        const n = npLo + Math.floor(Math.random() * (npHi - npLo + 1));
        if (!used.has(n)) {
          p.nodePort = n;
          used.add(n);
          break;
        }
      }
    }
  }

  return (ctx) => {
    const { def, obj, old } = ctx;
    if (def.group !== '' || def.plural !== 'services' || ctx.subresource === 'status') return;
    if (ctx.operation !== 'CREATE' && ctx.operation !== 'UPDATE') return;
    const spec = (obj.spec ??= {});
    const type = spec.type ?? 'ClusterIP';
    if (old && !spec.clusterIP && old.spec?.clusterIP && type !== 'ExternalName') {
      spec.clusterIP = old.spec.clusterIP;
      spec.clusterIPs = old.spec.clusterIPs ?? [old.spec.clusterIP];
    }
    if (type === 'ExternalName') return;
    if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
    } else if (!spec.clusterIP) {
      allocateIp(obj);
    } else if (!spec.clusterIPs) {
      spec.clusterIPs = [spec.clusterIP];
    }
    if (type === 'NodePort' || type === 'LoadBalancer') {
      if (old) {
        for (const p of spec.ports ?? []) {
          if (p.nodePort) continue;
          const prev = (old.spec?.ports ?? []).find((q: any) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
          if (prev?.nodePort) p.nodePort = prev.nodePort;
        }
      }
      allocatePorts(obj);
    }
  };
}
