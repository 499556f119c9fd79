// Facts about the machine an agent runs on, as the kubelet reports them: the Go name of the CPU
// architecture (kubernetes.io/arch, nodeInfo.architecture), the OS image from /etc/os-release,
// the kernel release, and the address a node advertises when none is configured (the first
// non-internal IPv4 address, as the kubelet picks the default-route interface's address).
// Read once per process; every agent of `berth up --nodes N` shares them.
// Deliberately absent: cloud-provider addresses and machine IDs (each runtime reports its own).

import { readFileSync } from 'node:fs';
import { arch, networkInterfaces, release } from 'node:os';

/** Node's process.arch names → Go's GOARCH names. */
const GO_ARCH: Record<string, string> = {
  x64: 'amd64',
  ia32: '386',
  arm: 'arm',
  arm64: 'arm64',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

export function goArch(nodeArch: string = arch()): string {
  return GO_ARCH[nodeArch] ?? nodeArch;
}

let osImage: string | undefined;

/** PRETTY_NAME of /etc/os-release (the kubelet's osImage), or "Linux". */
export function hostOSImage(): string {
  if (osImage !== undefined) return osImage;
  osImage = 'Linux';
  try {
    const m = /^PRETTY_NAME=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) osImage = m[1].trim().replace(/^"(.*)"$/, '$1');
  } catch {
    // no os-release: keep the generic name
  }
  return osImage;
}

export function hostKernelVersion(): string {
  return release();
}

/** The first non-internal IPv4 address of this machine, or 127.0.0.1. */
export function defaultNodeIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
