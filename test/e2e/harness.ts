// End-to-end harness: starts a real `berth` process on a free port with its own data dir, and
// runs the real kubectl against it with its own cache dir. Each test file starts its own berth.

import { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(import.meta.url), '../../../..');
export const BERTH_BIN = join(REPO, 'bin', 'berth.js');

export interface Berth {
  url: string;
  kubeconfig: string;
  dataDir: string;
  proc: ChildProcess;
  output: () => string;
  kubectl(args: string[], opts?: { input?: string; env?: Record<string, string> }): Promise<KubectlResult>;
  /** Writes a manifest to a temp file and returns its path. */
  file(name: string, text: string): string;
  http(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Starts `berth <command>` (default `up`) on free ports. `berth up` gets `--runtime simulated`
 * unless the test names a runtime or asks for berth's own default (`defaultRuntime`): the API,
 * storage and workload tests need no processes.
 */
export async function startBerth(opts: { args?: string[]; dataDir?: string; command?: string; defaultRuntime?: boolean } = {}): Promise<Berth> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'berth-e2e-'));
  const cacheDir = mkdtempSync(join(tmpdir(), 'berth-kubectl-cache-'));
  const cmd = opts.command ?? 'up';
  // Tests run side by side: each berth takes a free DNS port unless the test names one.
  const args = opts.args ?? [];
  const dns = (cmd === 'up' || cmd === 'server') && !args.some((a) => a.startsWith('--dns-port')) ? ['--dns-port', '0'] : [];
  const runtime = cmd === 'up' && !opts.defaultRuntime && !args.some((a) => a.startsWith('--runtime')) ? ['--runtime', 'simulated'] : [];
  const proc = spawn(process.execPath, [BERTH_BIN, cmd, '--port', '0', '--data-dir', dataDir, ...dns, ...runtime, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const kubeconfig = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`berth did not start in 30s:\n${out}`)), 30_000);
    const check = () => {
      const m = out.match(/export KUBECONFIG=(\S+)/);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`berth exited with ${code}:\n${out}`));
    });
  });
  const url = out.match(/listening on (http:\/\/\S+)/)![1];
  const ready = await fetch(`${url}/readyz`);
  if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status}`);
  const files = mkdtempSync(join(tmpdir(), 'berth-manifests-'));

  const b: Berth = {
    url,
    kubeconfig,
    dataDir,
    proc,
    output: () => out,
    kubectl(args, o = {}) {
      return new Promise((res) => {
        const child = execFile(
          'kubectl',
          ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
          { env: { ...process.env, ...o.env }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
          (err, stdout, stderr) => {
            const code = err ? ((err as { code?: number }).code ?? 1) : 0;
            res({ code: typeof code === 'number' ? code : 1, stdout, stderr });
          },
        );
        if (o.input !== undefined) child.stdin!.end(o.input);
      });
    },
    file(name, text) {
      const p = join(files, name);
      writeFileSync(p, text);
      return p;
    },
    async http(method, path, body, headers = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: any;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async stop(signal = 'SIGTERM') {
      running.delete(b);
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
      proc.kill(signal);
      const code = await exited;
      rmSync(cacheDir, { recursive: true, force: true });
      rmSync(files, { recursive: true, force: true });
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
  running.add(b);
  return b;
}

/** The stdout of a kubectl run that must succeed; a failure fails the test with kubectl's output. */
export function ok(r: KubectlResult): string {
  assert.equal(r.code, 0, `kubectl failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/**
 * Every berth still running when a test file ends is stopped, even after a failed assertion:
 * gracefully first (its process pods end with it), killed if it does not stop within 20 s.
 */
const running = new Set<Berth>();
after(async () => {
  for (const b of [...running]) {
    const killer = setTimeout(() => b.proc.kill('SIGKILL'), 20_000);
    await b.stop('SIGTERM');
    clearTimeout(killer);
  }
});

/** Polls fn until it returns a truthy value or the timeout passes. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 10_000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs}ms${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
