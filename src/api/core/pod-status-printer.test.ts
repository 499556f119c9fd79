import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../resource.js';
import { podPrinter, summarizePod } from './pod-status-printer.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

function pod(status: any, spec: any = {}, meta: any = {}): KObject {
  return Object.freeze({
    metadata: { name: 'web-0', creationTimestamp: ago(600), ...meta },
    spec: { containers: [{ name: 'app', image: 'x' }], ...spec },
    status,
  });
}

const running = (ready = true) => ({ name: 'app', ready, restartCount: 0, state: { running: { startedAt: ago(60) } } });
const cells = (p: KObject) => podPrinter.row(p, { now: NOW });

test('podPrinter has Kubernetes\' columns', () => {
  assert.deepEqual(
    podPrinter.columns.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Ready', 'string', 0],
      ['Status', 'string', 0],
      ['Restarts', 'string', 0],
      ['Age', 'string', 0],
      ['IP', 'string', 1],
      ['Node', 'string', 1],
      ['Nominated Node', 'string', 1],
      ['Readiness Gates', 'string', 1],
    ],
  );
  assert.equal(podPrinter.columns[0].format, 'name');
});

test('podPrinter.row() prints a running pod', () => {
  const p = pod({ phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }], containerStatuses: [running()] }, { nodeName: 'node1' });
  assert.deepEqual(cells(p), ['web-0', '1/1', 'Running', '0', '10m', '10.0.0.5', 'node1', '<none>', '<none>']);
});

test('podPrinter.row() prints <none> for a pending pod without IP or node', () => {
  const p = pod({ phase: 'Pending' });
  assert.deepEqual(cells(p), ['web-0', '0/1', 'Pending', '0', '10m', '<none>', '<none>', '<none>', '<none>']);
});

test('summarizePod() shows a waiting container reason', () => {
  const p = pod({ phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] });
  assert.equal(summarizePod(p).reason, 'ContainerCreating');
});

test('summarizePod() shows CrashLoopBackOff with restarts and the last restart age', () => {
  const p = pod({
    phase: 'Running',
    containerStatuses: [
      {
        name: 'app',
        ready: false,
        restartCount: 4,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(300) } },
      },
    ],
  });
  const [, ready, status, restarts] = cells(p);
  assert.deepEqual([ready, status, restarts], ['0/1', 'CrashLoopBackOff', '4 (5m ago)']);
});

test('summarizePod() shows Completed for a succeeded pod and marks the row condition', () => {
  const p = pod({ phase: 'Succeeded', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] });
  assert.equal(summarizePod(p).reason, 'Completed');
  assert.deepEqual(podPrinter.conditions!(p), [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  assert.equal(podPrinter.conditions!(pod({ phase: 'Running' })), undefined);
  assert.equal((podPrinter.conditions!(pod({ phase: 'Failed' }))?.[0] as { reason?: string }).reason, 'Failed');
});

test('summarizePod() shows ExitCode and Signal for terminated containers without a reason', () => {
  const term = (t: any) => pod({ phase: 'Failed', containerStatuses: [{ name: 'app', restartCount: 0, state: { terminated: t } }] });
  assert.equal(summarizePod(term({ exitCode: 2 })).reason, 'ExitCode:2');
  assert.equal(summarizePod(term({ exitCode: 137, signal: 9 })).reason, 'Signal:9');
});

test('summarizePod() turns Completed back into Running or NotReady while a container still runs', () => {
  const statuses = [running(), { name: 'job', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }];
  const spec = { containers: [{ name: 'app' }, { name: 'job' }] };
  assert.equal(summarizePod(pod({ phase: 'Running', containerStatuses: statuses, conditions: [{ type: 'Ready', status: 'True' }] }, spec)).reason, 'Running');
  assert.equal(summarizePod(pod({ phase: 'Running', containerStatuses: statuses }, spec)).reason, 'NotReady');
});

test('summarizePod() shows Init:x/y while init containers run', () => {
  const spec = { initContainers: [{ name: 'a' }, { name: 'b' }] };
  const p = pod(
    {
      phase: 'Pending',
      initContainerStatuses: [
        { name: 'a', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        { name: 'b', restartCount: 0, state: { running: {} } },
      ],
      containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
    },
    spec,
  );
  assert.equal(summarizePod(p).reason, 'Init:1/2');
});

test('summarizePod() shows Init:<reason> for failing init containers', () => {
  const spec = { initContainers: [{ name: 'a' }] };
  const waiting = pod({ phase: 'Pending', initContainerStatuses: [{ name: 'a', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, spec);
  assert.equal(summarizePod(waiting).reason, 'Init:CrashLoopBackOff');
  assert.equal(summarizePod(waiting).restarts, 3);
  const failed = pod({ phase: 'Failed', initContainerStatuses: [{ name: 'a', restartCount: 0, state: { terminated: { exitCode: 1, reason: 'Error' } } }] }, spec);
  assert.equal(summarizePod(failed).reason, 'Init:Error');
  const code = pod({ phase: 'Failed', initContainerStatuses: [{ name: 'a', restartCount: 0, state: { terminated: { exitCode: 3 } } }] }, spec);
  assert.equal(summarizePod(code).reason, 'Init:ExitCode:3');
});

test('summarizePod() counts started sidecars in READY', () => {
  const spec = { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] };
  const p = pod(
    {
      phase: 'Running',
      initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 1, state: { running: {} } }],
      containerStatuses: [running()],
      conditions: [{ type: 'Initialized', status: 'True' }],
    },
    spec,
  );
  const s = summarizePod(p);
  assert.deepEqual([s.ready, s.total, s.reason, s.restarts], [2, 2, 'Running', 1]);
});

test('summarizePod() shows Terminating for a deleted pod that has not finished', () => {
  const meta = { deletionTimestamp: ago(5) };
  assert.equal(summarizePod(pod({ phase: 'Running', containerStatuses: [running()] }, {}, meta)).reason, 'Terminating');
  assert.equal(summarizePod(pod({ phase: 'Succeeded' }, {}, meta)).reason, 'Succeeded');
  assert.equal(summarizePod(pod({ phase: 'Running', reason: 'NodeLost' }, {}, meta)).reason, 'Unknown');
});

test('summarizePod() shows SchedulingGated and status.reason', () => {
  assert.equal(summarizePod(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] })).reason, 'SchedulingGated');
  assert.equal(summarizePod(pod({ phase: 'Failed', reason: 'Evicted' })).reason, 'Evicted');
});

test('podPrinter.row() prints readiness gates and the nominated node', () => {
  const p = pod(
    { phase: 'Running', nominatedNodeName: 'node2', conditions: [{ type: 'example.com/a', status: 'True' }, { type: 'example.com/b', status: 'False' }] },
    { readinessGates: [{ conditionType: 'example.com/a' }, { conditionType: 'example.com/b' }] },
  );
  const c = cells(p);
  assert.deepEqual([c[7], c[8]], ['node2', '1/2']);
});
