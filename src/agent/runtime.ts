// The container runtime contract of the node agent: the one part that differs between the
// `simulated` runtime (no processes, phases on timers) and the `process` runtime (real Linux
// processes in namespaces). It plays the role of the CRI plus the kubelet's probe workers: pod
// sandboxes (network identity), containers (start, stop, exit), a PLEG-like change feed, and the
// readiness/startup checks (exec, httpGet, tcpSocket, grpc are runtime business).
//
// The contract is level-based like the agent: commands only start something (a container comes
// up, a stop begins) and return at once; the runtime reports every later change of a pod through
// the `watch` listener, and the agent reads the state back with `pod(uid)`. A stop that takes the
// grace period therefore never blocks an agent worker.
// exec and logs are optional: a runtime that runs processes offers them (the agent's server
// answers for runtimes without them). Container logs are files in the CRI format, so every log
// reader (follow, tail, since, previous, timestamps) is one piece of code whatever the runtime.
// Deliberately absent: images (both runtimes treat every image as present), port-forward,
// resource enforcement.

import type { Readable, Writable } from 'node:stream';

import type { KObject } from '../api/resource.js';

export type ContainerKind = 'init' | 'regular';
export type ContainerPhase = 'created' | 'running' | 'exited';
export type ProbeKind = 'readiness' | 'startup' | 'liveness';

/** One container instance (an attempt); a restart is a new instance with attempt + 1. */
export interface RuntimeContainer {
  name: string;
  kind: ContainerKind;
  /** Runtime-local id, without the `<type>://` scheme. */
  id: string;
  image: string;
  imageID: string;
  /** How many times the container was restarted before this instance (restartCount). */
  attempt: number;
  phase: ContainerPhase;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
  exitCode?: number;
  /** Completed, Error, OOMKilled ... (the CRI's reason for an exit). */
  reason?: string;
  message?: string;
  /** A stop was asked for and the container has not exited yet. */
  stopping?: boolean;
}

export interface RuntimePod {
  uid: string;
  namespace: string;
  name: string;
  sandbox: { ready: boolean; ip?: string; createdAt: Date };
  /** Every instance the runtime still knows, oldest first. */
  containers: RuntimeContainer[];
}

/** A volume the agent prepared, by the pod's volume name. */
export interface PreparedVolume {
  name: string;
  /** The host directory (or file) a container mount binds. */
  hostPath: string;
  readOnly: boolean;
}

export interface SandboxSpec {
  /** The pod as the agent last saw it; runtimes must not mutate it. */
  pod: KObject;
  /** The pod IP; the node IP for hostNetwork pods. */
  ip: string;
  /** The node's pod range the IP comes from, e.g. 10.244.1.0/24 (its first address is the gateway). */
  podCIDR: string;
  hostname: string;
  volumes: PreparedVolume[];
}

export interface ContainerSpec {
  /** The pod as the agent last saw it; runtimes must not mutate it. */
  pod: KObject;
  kind: ContainerKind;
  /** spec.containers[i] / spec.initContainers[i], never mutated. */
  container: any;
  attempt: number;
}

export interface ProbeRequest {
  pod: KObject;
  container: RuntimeContainer;
  kind: ProbeKind;
  /**
   * The probe from the container spec (defaults applied by the API server); undefined for the
   * readiness of a container without a readiness probe, which a real runtime reports ready (the
   * kubelet's rule) and the simulated runtime may report unready.
   */
  probe: any;
  now: Date;
}

/** The probe's verdict now, and when the agent should ask again (undefined: only on a pod change). */
export interface ProbeOutcome {
  success: boolean;
  recheckAfterMs?: number;
}

/** kubectl exec: a command run in a running container's namespaces. */
export interface ExecRequest {
  podUid: string;
  container: string;
  command: string[];
  tty: boolean;
  stdin: boolean;
  /** The terminal's size at start (tty), as the client's first resize message gave it. */
  size?: { width: number; height: number };
}

export interface ExecSession {
  /** Present when stdin was asked for; ending it closes the command's stdin. */
  stdin?: Writable;
  stdout: Readable;
  /** Absent with a tty (the terminal carries both streams, as in Kubernetes). */
  stderr?: Readable;
  /** A terminal size change (tty only; ignored otherwise). */
  resize(size: { width: number; height: number }): void;
  /** The command's end: its exit code (128 + n after signal n). */
  exit: Promise<{ exitCode: number }>;
  /** Ends the command (the client went away). */
  kill(): void;
}

export interface LogRequest {
  podUid: string;
  container: string;
  /** The previous instance (kubectl logs --previous) instead of the current one. */
  previous: boolean;
}

export interface RuntimeNodeInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
}

export interface Runtime {
  /** The container ID scheme (`containerID: <type>://<id>`), e.g. `berth-simulated`. */
  readonly type: string;
  /** nodeInfo.containerRuntimeVersion, e.g. `berth-simulated://1`. */
  readonly version: string;
  nodeInfo(nodeName: string): RuntimeNodeInfo;
  /** Registers a listener for changes the runtime makes on its own (PLEG); returns an unsubscribe. */
  watch(listener: (podUid: string) => void): () => void;
  pod(uid: string): RuntimePod | undefined;
  pods(): RuntimePod[];
  /**
   * Agent restart: take over a pod the API says was running here. A runtime with durable state
   * answers from it; the simulated runtime rebuilds the containers from the pod's status, so a
   * running pod stays running with its container IDs, start times and restart counts.
   */
  adopt(pod: KObject): RuntimePod | undefined;
  /** Creates the sandbox (network identity, hostname); a no-op when it is ready. */
  runSandbox(spec: SandboxSpec): Promise<void>;
  startContainer(podUid: string, spec: ContainerSpec): Promise<RuntimeContainer>;
  /** Asks the container to stop (SIGTERM, then SIGKILL after the grace period). Returns at once. */
  stopContainer(podUid: string, name: string, opts: { gracePeriodSeconds: number }): Promise<void>;
  /**
   * Removes the sandbox and every container instance of a pod whose containers have exited. With
   * keepLogs (a finished pod not yet deleted) the exited instances and their logs stay until a
   * later removePod without it.
   */
  removePod(podUid: string, opts?: { keepLogs?: boolean }): Promise<void>;
  /**
   * The startup/readiness verdict for a running container, asked at every sync of its pod. A
   * runtime with real checks answers from its last result, runs them on its own schedule
   * (initialDelaySeconds, periodSeconds, thresholds) and reports a changed verdict through watch().
   */
  probe(req: ProbeRequest): Promise<ProbeOutcome>;
  /**
   * Runs a command in a running container. Rejects with an Error whose message is for the user
   * (e.g. `container web not found in pod web-0`, `container not running`) when it cannot.
   */
  exec?(req: ExecRequest): Promise<ExecSession>;
  /**
   * The container instance's log file, CRI format: one line per output line or part of one,
   * `<RFC 3339 time, nanoseconds> <stdout|stderr> <F|P> <text>` (P: a partial line continued on
   * the next). Undefined when there is no such instance (no previous one, say).
   */
  logPath?(req: LogRequest): string | undefined;
  close(): Promise<void>;
}
