import { test } from 'node:test';
import assert from 'node:assert/strict';
import { milliValue, podRequests, value } from './resources.js';

test('milliValue() and value() round up exactly', () => {
  assert.equal(milliValue('0.1'), 100);
  assert.equal(milliValue('1.0001'), 1001);
  assert.equal(milliValue('250m'), 250);
  assert.equal(value('1Gi'), 1024 ** 3);
  assert.equal(value('1.5'), 2);
  assert.equal(value('bogus'), 0);
});

test('podRequests(): containers summed, sidecars alongside, init steps as a maximum, overhead added', () => {
  const pod = {
    spec: {
      containers: [{ resources: { requests: { cpu: '100m', memory: '1Gi' } } }, { resources: { requests: { cpu: '200m' } } }],
      initContainers: [
        { restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } },
        { resources: { requests: { cpu: '1', 'example.com/gpu': '1' } } },
      ],
      overhead: { cpu: '10m' },
    },
  };
  const r = podRequests(pod);
  // max(100+200+50 sidecar, 1000 + 50 sidecar) + 10 overhead
  assert.equal(r.milliCPU, 1060);
  assert.equal(r.memory, 1024 ** 3);
  assert.equal(r.scalar.get('example.com/gpu'), 1);
  const nonZero = podRequests({ spec: { containers: [{}] } }, { nonZero: true });
  assert.deepEqual([nonZero.milliCPU, nonZero.memory], [100, 200 * 1024 * 1024]);
});
