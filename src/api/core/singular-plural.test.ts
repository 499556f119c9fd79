import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncPodStatusIPs, syncSingularPlural } from './singular-plural.js';

test('syncPodStatusIPs: a podIP alone becomes podIPs', () => {
  const s: Record<string, any> = { podIP: '10.244.1.5', hostIP: '192.168.0.2' };
  syncPodStatusIPs(s);
  assert.deepEqual(s, { podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }], hostIP: '192.168.0.2', hostIPs: [{ ip: '192.168.0.2' }] });
});

test('syncPodStatusIPs: podIPs alone fill podIP; both agreeing are left alone; dual-stack keeps its second entry', () => {
  const a: Record<string, any> = { podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }] };
  syncPodStatusIPs(a);
  assert.deepEqual(a, { podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }] });
  const b: Record<string, any> = { podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }] };
  syncPodStatusIPs(b);
  assert.deepEqual(b.podIPs, [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }]);
});

test('syncPodStatusIPs: a podIP that differs from podIPs[0] wins (older clients write only podIP)', () => {
  const s: Record<string, any> = { podIP: '10.244.2.9', podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }] };
  syncPodStatusIPs(s);
  assert.deepEqual(s, { podIP: '10.244.2.9', podIPs: [{ ip: '10.244.2.9' }] });
});

test('syncPodStatusIPs: nothing set stays unset; an empty podIP does not clear podIPs', () => {
  const none: Record<string, any> = { phase: 'Pending' };
  syncPodStatusIPs(none);
  assert.deepEqual(none, { phase: 'Pending' });
  const empty: Record<string, any> = { podIP: '', podIPs: [{ ip: '10.244.1.5' }] };
  syncPodStatusIPs(empty);
  assert.deepEqual(empty, { podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }] });
  syncPodStatusIPs(undefined);
});

test('syncSingularPlural: plain strings (a node spec podCIDR/podCIDRs)', () => {
  const spec: Record<string, any> = { podCIDR: '10.244.3.0/24' };
  syncSingularPlural<string>(spec, 'podCIDR', 'podCIDRs', (c) => c, (c) => c);
  assert.deepEqual(spec, { podCIDR: '10.244.3.0/24', podCIDRs: ['10.244.3.0/24'] });
  const plural: Record<string, any> = { podCIDRs: ['10.244.4.0/24', 'fd00:4::/64'] };
  syncSingularPlural<string>(plural, 'podCIDR', 'podCIDRs', (c) => c, (c) => c);
  assert.equal(plural.podCIDR, '10.244.4.0/24');
});
