// Who used the machine's CPU during a phase, from two /proc snapshots: the berth process's own
// threads; what berth started (its reaped children's cutime+cstime and its living descendants: the
// process runtime's shims, launchers, containers and `ip`/`mount` helpers, whose work the server's
// own figure would miss); the bench itself with the kubectl processes it ran and reaped; kernel
// threads (kthreadd's children: network namespace clean-up and writeback run there); and every other
// process, named, so a disturbed run says by whom. A process reaped between the snapshots moves into
// its parent's cutime, so deltas of (own + reaped) stay right.
// Deliberately absent: processes that started and ended between the snapshots under a parent that
// is not seen (init reaps them): they are in the machine's total only, reported as unattributed.

import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const CLOCK_TICKS = 100;
const KTHREADD = 2;

interface Stat {
  comm: string;
  ppid: number;
  /** utime + stime */
  own: number;
  /** cutime + cstime */
  reaped: number;
}

interface Snapshot {
  at: number;
  stats: Map<number, Stat>;
  /** Busy ticks of the whole machine (all cores; idle and iowait excluded). */
  machine: number;
}

function snapshot(): Snapshot {
  const stats = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { comm: s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')), ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) });
    } catch {
      // Exited between the listing and the read.
    }
  }
  const t = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const machine = t.slice(0, 8).reduce((a, b) => a + b, 0) - (t[3] ?? 0) - (t[4] ?? 0);
  return { at: performance.now(), stats, machine };
}

function descendants(stats: Map<number, Stat>, root: number): Set<number> {
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(pid);
    else children.set(s.ppid, [pid]);
  }
  const out = new Set<number>();
  const stack = [...(children.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop()!;
    out.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU of one phase, each as % of one core (200% = both cores of this machine). */
export interface PhaseCpuShares {
  wallSeconds: number;
  /** The berth process's own threads (API server, controllers, scheduler, agent). */
  serverPercent: number;
  /** What berth started: shims, launchers, containers, `ip`/`mount`/`nsenter` helpers. */
  childrenPercent: number;
  /** This process and the kubectl processes it ran. */
  benchPercent: number;
  kernelThreadsPercent: number;
  /** Every other process (the machine is shared): noise when large. */
  otherPercent: number;
  /** The busiest other processes, e.g. "node[1234] 45%". */
  topOthers: string[];
  /** Machine busy time nobody above accounts for (interrupts, processes gone unseen). */
  unattributedPercent: number;
}

/** Started at construction; `done()` reads the second snapshot and splits the time. */
export class CpuMeter {
  private readonly s0 = snapshot();

  constructor(private readonly serverPid: number) {}

  done(): PhaseCpuShares {
    const s1 = snapshot();
    const s0 = this.s0;
    const ms = s1.at - s0.at;
    const pct = (ticks: number) => Math.round((ticks * 100_000) / CLOCK_TICKS / ms);
    const self = process.pid;
    const berthTree = new Set([...descendants(s0.stats, this.serverPid), ...descendants(s1.stats, this.serverPid)]);
    const kernel = new Set([KTHREADD, ...descendants(s0.stats, KTHREADD), ...descendants(s1.stats, KTHREADD)]);
    const groupOf = (pid: number): 'berth' | 'self' | 'kernel' | 'other' =>
      pid === this.serverPid || berthTree.has(pid) ? 'berth' : pid === self ? 'self' : kernel.has(pid) ? 'kernel' : 'other';
    // Whole groups: a child's time moves into its parent's cutime when reaped, inside the same group,
    // so (sum now - sum before) over a group counts each tick once. The server's own threads are
    // split out of the berth group.
    const sums = { berth: 0, self: 0, kernel: 0, other: 0 };
    for (const [pid, st] of s1.stats) sums[groupOf(pid)] += st.own + st.reaped;
    for (const [pid, st] of s0.stats) sums[groupOf(pid)] -= st.own + st.reaped;
    const server = (s1.stats.get(this.serverPid)?.own ?? 0) - (s0.stats.get(this.serverPid)?.own ?? 0);
    const children = sums.berth - server;
    const bench = sums.self;
    // Kernel threads are not reaped into anyone's cutime: one that ended between the snapshots
    // would subtract its whole life, so only the living ones count.
    let kernelTicks = 0;
    for (const [pid, st] of s1.stats) if (groupOf(pid) === 'kernel') kernelTicks += st.own - (s0.stats.get(pid)?.own ?? 0);
    const otherTicks = Math.max(0, sums.other);
    // Named others by their own time only (a reaped child's whole life would land at once in cutime).
    const others: [string, number][] = [];
    for (const [pid, st] of s1.stats) {
      if (groupOf(pid) !== 'other') continue;
      const d = st.own - (s0.stats.get(pid)?.own ?? 0);
      if (d > 0) others.push([`${st.comm}[${pid}]`, d]);
    }
    const attributed = server + children + bench + kernelTicks + otherTicks;
    return {
      wallSeconds: Math.round(ms / 100) / 10,
      serverPercent: pct(server),
      childrenPercent: pct(children),
      benchPercent: pct(bench),
      kernelThreadsPercent: pct(kernelTicks),
      otherPercent: pct(otherTicks),
      topOthers: others
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([n, t]) => `${n} ${pct(t)}%`),
      unattributedPercent: pct(Math.max(0, s1.machine - this.s0.machine - attributed)),
    };
  }
}
