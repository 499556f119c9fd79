import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computePodQOS } from './qos.js';

const pod = (...resources: any[]) => Object.freeze({ spec: { containers: resources.map((r, i) => ({ name: `c${i}`, image: 'x', resources: r })) } });

test('computePodQOS() is BestEffort without cpu or memory requests and limits', () => {
  assert.equal(computePodQOS(pod({})), 'BestEffort');
  assert.equal(computePodQOS(pod({ requests: { 'ephemeral-storage': '1Gi' } })), 'BestEffort');
  assert.equal(computePodQOS(pod({ requests: { cpu: '0' } })), 'BestEffort');
});

test('computePodQOS() is Guaranteed when every container limits cpu and memory at its requests', () => {
  const r = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '0.5', memory: '1024Mi' } };
  assert.equal(computePodQOS(pod(r, r)), 'Guaranteed');
});

test('computePodQOS() is Burstable when requests differ from limits or a limit is missing', () => {
  assert.equal(computePodQOS(pod({ requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '200m', memory: '1Gi' } })), 'Burstable');
  assert.equal(computePodQOS(pod({ requests: { cpu: '100m' }, limits: { cpu: '100m' } })), 'Burstable');
  const full = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } };
  assert.equal(computePodQOS(pod(full, {})), 'Burstable');
});

test('computePodQOS() counts init containers', () => {
  const p = {
    spec: {
      containers: [{ name: 'a', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }],
      initContainers: [{ name: 'i', resources: { requests: { cpu: '1' } } }],
    },
  };
  assert.equal(computePodQOS(p), 'Burstable');
});
