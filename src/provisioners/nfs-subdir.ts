// The `berth.dev/nfs-subdir` provisioner, after kubernetes-sigs/nfs-subdir-external-provisioner:
// each volume is a sub-directory (mode 0777) of one shared export directory, published as an
// `nfs` PV source. StorageClass parameters: exportPath, server, pathPattern (default
// `${namespace}-${pvcName}-${pvName}`, upstream's name), onDelete (`delete` | `retain`; wins over
// archiveOnDelete, as upstream) and archiveOnDelete (strconv.ParseBool; when absent the directory
// is archived, upstream's default). Archiving renames `<dir>` to `<export>/archived-<basename>`,
// adding `-1`, `-2`, … when that name is taken instead of failing as upstream's os.Rename would.
// Deliberately unlike upstream: unknown parameters and unknown onDelete / archiveOnDelete values
// fail provisioning by name, and a delete only ever touches a path inside the export directory.
// Deliberately absent: serving NFS (the node agent mounts the export path locally), removing the
// emptied parents of a nested pathPattern (upstream leaves them too), and claim selectors.

import { lstat, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { KObject } from '../api/resource.js';
import { NFS_SUBDIR_PROVISIONER } from '../api/storage/well-known.js';
import { expandPathPattern } from './path-pattern.js';
import type { DeleteOptions, ProvisionedVolume, ProvisionRequest, Provisioner } from './provisioner.js';
import { absoluteParameter, assertInside, classParameters, makeVolumeDirectory, rejectSelector } from './volume-directories.js';

export const NFS_SUBDIR_PARAMETERS = ['exportPath', 'server', 'pathPattern', 'onDelete', 'archiveOnDelete'] as const;
export const NFS_SUBDIR_DEFAULT_PATH_PATTERN = '${namespace}-${pvcName}-${pvName}';

export interface NfsSubdirOptions {
  /** The export directory when a class names none, e.g. `<dataDir>/volumes/nfs-export`. */
  exportPath: string;
  /** nfs.server written to PVs when a class names none (the host's name or 127.0.0.1). */
  server: string;
}

type OnDelete = 'delete' | 'retain' | 'archive';

interface Settings {
  exportPath: string;
  server: string;
  pathPattern: string;
  onDelete: OnDelete;
}

/** Go's strconv.ParseBool: the spellings it accepts, and its error text. */
export function parseGoBool(value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new Error(`strconv.ParseBool: parsing "${value}": invalid syntax`);
}

export class NfsSubdirProvisioner implements Provisioner {
  readonly name = NFS_SUBDIR_PROVISIONER;
  readonly supportsBlock = false;

  constructor(private readonly opts: NfsSubdirOptions) {}

  private settings(storageClass: KObject): Settings {
    const p = classParameters(storageClass, this.name, NFS_SUBDIR_PARAMETERS);
    let onDelete: OnDelete;
    if (p.onDelete !== undefined) {
      if (p.onDelete !== 'delete' && p.onDelete !== 'retain') throw new Error(`parameter onDelete must be "delete" or "retain", not "${p.onDelete}"`);
      onDelete = p.onDelete;
    } else if (p.archiveOnDelete !== undefined) {
      let archive: boolean;
      try {
        archive = parseGoBool(p.archiveOnDelete);
      } catch (e) {
        throw new Error(`parameter archiveOnDelete: ${(e as Error).message}`);
      }
      onDelete = archive ? 'archive' : 'delete';
    } else {
      onDelete = 'archive';
    }
    return {
      exportPath: absoluteParameter('exportPath', p.exportPath ?? this.opts.exportPath),
      server: p.server ?? this.opts.server,
      pathPattern: p.pathPattern ?? NFS_SUBDIR_DEFAULT_PATH_PATTERN,
      onDelete,
    };
  }

  async provision(req: ProvisionRequest): Promise<ProvisionedVolume> {
    const s = this.settings(req.storageClass);
    rejectSelector(req.claim);
    if (!s.server) throw new Error('parameter server must not be empty');
    const path = join(s.exportPath, expandPathPattern(s.pathPattern, { claim: req.claim, pvName: req.pvName }));
    await makeVolumeDirectory(path);
    return { source: { nfs: { server: s.server, path } } };
  }

  async delete(pv: KObject, storageClass: KObject | undefined, opts: DeleteOptions = {}): Promise<void> {
    const name = pv.metadata?.name ?? '';
    const s = storageClass ? this.settings(storageClass) : undefined;
    const exportPath = s?.exportPath ?? absoluteParameter('exportPath', this.opts.exportPath);
    const path = assertInside(exportPath, pv.spec?.nfs?.path, name);
    if (!(await exists(path))) return; // upstream: "path ... does not exist, deletion skipped"
    if (opts.unused || s?.onDelete === 'delete') return rm(path, { recursive: true, force: true });
    // Upstream needs the class to know the policy and fails without it; so does berth.
    if (!s) throw new Error(`cannot reclaim ${path}: StorageClass "${pv.spec?.storageClassName ?? ''}" of volume ${name} not found`);
    if (s.onDelete === 'retain') return;
    await archive(exportPath, path);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Renames path to the first free `archived-<basename>[-n]` in the export directory. */
async function archive(exportPath: string, path: string): Promise<void> {
  const base = `archived-${basename(path)}`;
  for (let n = 0; n < 10_000; n++) {
    const target = join(exportPath, n === 0 ? base : `${base}-${n}`);
    if (await exists(target)) continue;
    try {
      await rename(path, target);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw new Error(`archiving ${path} to ${target}: ${(e as Error).message}`);
    }
  }
  throw new Error(`archiving ${path}: no free archived- name in ${exportPath}`);
}
