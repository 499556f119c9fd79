// How a failed attempt is made visible, as kube-scheduler's handleSchedulingFailure does it: a
// Warning FailedScheduling event on the pod (message truncated to the 1024 characters an event
// note may hold) and the PodScheduled condition False with reason Unschedulable (or
// SchedulerError when the attempt failed for another reason) and the full message, written only
// when it changes (its lastTransitionTime moves only when the status does), as a status update
// guarded by the pod's resourceVersion.
// Also the Scheduled event of a pod that was bound.

import type { KObject } from '../api/resource.js';
import { isApiError } from '../api/errors.js';
import type { Client } from '../client/client.js';
import type { EventRecorder } from '../client/events.js';
import { PODS } from '../client/resources.js';
import { podCondition } from '../controllers/util/pods.js';

export const DEFAULT_SCHEDULER = 'default-scheduler';

export type FailureReason = 'Unschedulable' | 'SchedulerError';

const NOTE_LENGTH_LIMIT = 1024;

export function truncateMessage(message: string): string {
  if (message.length <= NOTE_LENGTH_LIMIT) return message;
  const suffix = ' ...';
  return message.slice(0, NOTE_LENGTH_LIMIT - suffix.length) + suffix;
}

/** The pod as an event's involved object (informer list items carry no kind). */
export const podRef = (pod: KObject): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata });

const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface FailureWriter {
  client: Client;
  events: EventRecorder;
  now: () => Date;
  log?: (l: string) => void;
}

export async function recordFailure(w: FailureWriter, pod: KObject, failure: { reason: FailureReason; message: string }): Promise<void> {
  const m = pod.metadata ?? {};
  w.events.event(podRef(pod), 'Warning', 'FailedScheduling', truncateMessage(failure.message));
  w.log?.(`${DEFAULT_SCHEDULER} SCHEDULE ${m.namespace}/${m.name} => ${failure.reason}: ${failure.message}`);
  const cur = podCondition(pod, 'PodScheduled');
  if (cur?.status === 'False' && cur.reason === failure.reason && cur.message === failure.message) return;
  const condition = {
    type: 'PodScheduled',
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: cur?.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : rfc3339(w.now()),
    reason: failure.reason,
    message: failure.message,
  };
  // Only serialized, so the informer's object is shared, not copied.
  const conditions = [...(pod.status?.conditions ?? []).filter((c: any) => c?.type !== 'PodScheduled'), condition];
  try {
    await w.client.writesOnly().update(PODS, { apiVersion: 'v1', kind: 'Pod', ...pod, status: { ...pod.status, conditions } }, 'status');
  } catch (e) {
    // Changed (it will be looked at again) or gone: nothing to report on.
    if (isApiError(e) && (e.code === 409 || e.code === 404)) return;
    w.log?.(`${DEFAULT_SCHEDULER} STATUS ${m.namespace}/${m.name} => ${(e as Error).message}`);
  }
}

export function recordScheduled(events: EventRecorder, opts: { pod: KObject; node: string }): void {
  const { pod, node } = opts;
  events.event(podRef(pod), 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata?.namespace}/${pod.metadata?.name} to ${node}`);
}
