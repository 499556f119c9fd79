// Reclaim of volumes whose storage is a directory on this machine and that no provisioner owns:
// Recycle scrubs a hostPath, local or loopback-nfs directory (what Kubernetes' recycler pod does
// with `rm -rf /scrub/*`); Delete removes a hostPath directory under /tmp, the only one
// Kubernetes' hostPath deleter accepts, and reports every other volume type as having no deleter.
// The removal runs on libuv's thread pool (fs/promises): scrubbing a volume of many files never
// stalls the event loop that serves the API.
// Deliberately absent: volumes on other machines (their node agent would have to do it).

import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReclaimPlugins } from './pv-context.js';
import { NoPluginError } from './pv-context.js';
import type { Volume } from './volume-match.js';

export interface DirectoryReclaimOptions {
  /** nfs servers that are this machine (their export paths are local directories). */
  localNfsServers?: string[];
}

function localPath(volume: Volume, opts: DirectoryReclaimOptions): string | undefined {
  const spec = volume.spec ?? {};
  if (spec.hostPath?.path) return spec.hostPath.path;
  if (spec.local?.path) return spec.local.path;
  const servers = opts.localNfsServers ?? ['127.0.0.1', 'localhost'];
  if (spec.nfs?.path && servers.includes(spec.nfs.server)) return spec.nfs.path;
  return undefined;
}

export function directoryReclaim(opts: DirectoryReclaimOptions = {}): ReclaimPlugins {
  return {
    async recycle(volume) {
      const dir = localPath(volume, opts);
      if (!dir) throw new NoPluginError('No recycler plugin found for the volume!');
      const isDir = await stat(dir).then((st) => st.isDirectory(), () => false);
      if (dir === '/' || !isDir) throw new Error(`${dir} is not a directory that can be scrubbed`);
      for (const entry of await readdir(dir)) await rm(join(dir, entry), { recursive: true, force: true });
      if ((await readdir(dir)).length) throw new Error(`${dir} is not empty after scrubbing`);
    },
    async delete(volume) {
      const path: string | undefined = volume.spec?.hostPath?.path;
      if (path === undefined) {
        throw new Error(`error getting deleter volume plugin for volume "${volume.metadata?.name}": no deletable volume plugin matched`);
      }
      if (!/^\/tmp\/.+/.test(path)) throw new Error(`host_path deleter only supports /tmp/.+ but received provided ${path}`);
      await rm(path, { recursive: true, force: true });
    },
  };
}
