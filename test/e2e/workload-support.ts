// Helpers shared by the workload e2e tests (StatefulSets, Deployments, node failure): kubectl and
// HTTP reads against one berth, polling with a description of what was awaited, and pod state.

import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { eventually, ok } from './harness.js';
import type { Berth } from './harness.js';

export const NS = '/api/v1/namespaces/default';
export const APPS = '/apis/apps/v1/namespaces/default';

export function conditionOf(obj: any, type: string): any | undefined {
  return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

/** Running, Ready and not being deleted. */
export const isReady = (p: any): boolean => p?.status?.phase === 'Running' && conditionOf(p, 'Ready')?.status === 'True' && !p.metadata.deletionTimestamp;

/** Helpers bound to the berth `get()` returns (it is set in before()); pollMs paces every wait. */
export function workloadClient(get: () => Berth, opts: { waitMs?: number; pollMs?: number } = {}) {
  const pollMs = opts.pollMs ?? 100;
  const getObj = async (path: string): Promise<any | undefined> => {
    const r = await get().http('GET', path);
    if (r.status === 404) return undefined;
    assert.equal(r.status, 200, r.text);
    return r.body;
  };
  return {
    kubectl: async (...args: string[]): Promise<string> => ok(await get().kubectl(args)),
    apply: async (...objects: object[]): Promise<string> =>
      ok(await get().kubectl(['apply', '-f', '-'], { input: objects.map((o) => stringify(o)).join('---\n') })),
    getObj,
    /** The items of a list; query is a raw query string or a label selector's parameters. */
    async list(path: string, query?: string | Record<string, string>): Promise<any[]> {
      const q = typeof query === 'string' ? query : query ? new URLSearchParams(query).toString() : '';
      const r = await get().http('GET', q ? `${path}?${q}` : path);
      assert.equal(r.status, 200, r.text);
      return r.body.items;
    },
    /** eventually(), saying what was awaited and what was last seen when it times out. */
    async waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = opts.waitMs ?? 20_000): Promise<T> {
      let last: unknown;
      try {
        return await eventually(async () => {
          const v = await fn();
          last = v;
          return v;
        }, ms, pollMs);
      } catch (e) {
        throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)}): ${e}`);
      }
    },
    /** Asserts that check() stays true for ms, polling (a negative observation has to last a while). */
    async stays(what: string, check: () => Promise<boolean>, ms = 1500): Promise<void> {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        assert.ok(await check(), `expected ${what} to hold throughout ${ms} ms`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
  };
}
