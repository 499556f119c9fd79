// The files the runtime writes for a pod and bind-mounts into each of its containers, with the
// kubelet's contents: /etc/hosts (pkg/kubelet/kubelet_pods.go managedHostsFileContent: the localhost
// lines, `<podIP>\t<hostname>.<subdomain>.<ns>.svc.<domain>\t<hostname>` or `<podIP>\t<hostname>`,
// then hostAliases; for hostNetwork pods the host's file under its own header) and /etc/resolv.conf
// (pkg/kubelet/network/dns: ClusterFirst searches `<ns>.svc.<domain> svc.<domain> <domain>` and the
// host's search domains with `options ndots:5`; Default is the host's configuration; None only the
// pod's dnsConfig, which is merged into the others), laid out as containerd writes it.
// Pure: the host's files and names come in as arguments.

import type { KObject } from '../../api/resource.js';

export interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: string[];
}

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

export function formatResolvConf(c: ResolvConf): string {
  let s = '';
  if (c.searches.length) s += `search ${c.searches.join(' ')}\n`;
  for (const n of c.nameservers) s += `nameserver ${n}\n`;
  if (c.options.length) s += `options ${c.options.join(' ')}\n`;
  return s;
}

const unique = (xs: string[]) => [...new Set(xs)];

/** Options merge by name (`ndots:2` replaces `ndots:5`), the pod's last. */
function mergeOptions(base: string[], extra: any[]): string[] {
  const byName = new Map<string, string>();
  for (const o of base) byName.set(o.split(':')[0], o);
  for (const o of extra) byName.set(o.name, o.value !== undefined && o.value !== null ? `${o.name}:${o.value}` : o.name);
  return [...byName.values()];
}

/** The pod's resolv.conf from its dnsPolicy and dnsConfig. */
export function podResolvConf(pod: KObject, o: { nameserver: string; clusterDomain: string; host: ResolvConf }): ResolvConf {
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const hostNet = pod.spec?.hostNetwork === true;
  let c: ResolvConf;
  if (policy === 'None') c = { nameservers: [], searches: [], options: [] };
  else if (policy === 'Default' || (policy === 'ClusterFirst' && hostNet)) c = { ...o.host, options: [...o.host.options] };
  else {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = o.clusterDomain;
    c = { nameservers: [o.nameserver], searches: unique([`${ns}.svc.${d}`, `svc.${d}`, d, ...o.host.searches]), options: ['ndots:5'] };
  }
  const cfg = pod.spec?.dnsConfig ?? {};
  return {
    nameservers: unique([...c.nameservers, ...(cfg.nameservers ?? [])]).slice(0, 3),
    searches: unique([...c.searches, ...(cfg.searches ?? [])]).slice(0, 32),
    options: mergeOptions(c.options, cfg.options ?? []),
  };
}

function hostAliasLines(pod: KObject): string {
  const aliases: any[] = pod.spec?.hostAliases ?? [];
  if (!aliases.length) return '';
  return `\n# Entries added by HostAliases.\n${aliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`).join('')}`;
}

/** The pod's /etc/hosts. */
export function podHostsFile(pod: KObject, o: { ip: string; hostname: string; clusterDomain: string; hostFile: string }): string {
  if (pod.spec?.hostNetwork) return `# Kubernetes-managed hosts file (host network).\n${o.hostFile}${hostAliasLines(pod)}`;
  let s = '# Kubernetes-managed hosts file.\n';
  s += '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
  const sub = pod.spec?.subdomain;
  if (sub) s += `${o.ip}\t${o.hostname}.${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${o.clusterDomain}\t${o.hostname}\n`;
  else s += `${o.ip}\t${o.hostname}\n`;
  return s + hostAliasLines(pod);
}
