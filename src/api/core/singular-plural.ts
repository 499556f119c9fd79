// The legacy singular fields of core/v1 and their plural successors (pod status podIP/podIPs and
// hostIP/hostIPs, node spec podCIDR/podCIDRs) kept in step on every write, as Kubernetes' v1
// conversion functions keep them: a singular value with no plural, or one that differs from the
// plural's first entry, becomes the only entry (the singular wins, for older clients); the
// singular then always shows the first entry. berth stores the v1 form, so both are stored.

/** Brings `o[singular]` and `o[plural]` into step; `value` reads an entry of the plural, `entry` makes one. */
export function syncSingularPlural<E>(o: Record<string, any> | undefined, singular: string, plural: string, value: (e: E) => string, entry: (v: string) => E): void {
  if (!o) return;
  const one: string | undefined = o[singular] || undefined;
  const many: E[] = Array.isArray(o[plural]) ? o[plural] : [];
  if (one !== undefined && (many.length === 0 || value(many[0]!) !== one)) o[plural] = [entry(one)];
  const first = Array.isArray(o[plural]) && o[plural].length ? value(o[plural][0]) : undefined;
  if (first) o[singular] = first;
}

/** podIP/podIPs and hostIP/hostIPs of a pod's status. */
export function syncPodStatusIPs(status: Record<string, any> | undefined): void {
  const ipOf = (e: { ip?: string }) => e?.ip ?? '';
  const ip = (v: string) => ({ ip: v });
  syncSingularPlural(status, 'podIP', 'podIPs', ipOf, ip);
  syncSingularPlural(status, 'hostIP', 'hostIPs', ipOf, ip);
}
