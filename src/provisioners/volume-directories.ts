// File-system and parameter helpers shared by the directory provisioners (nfs-subdir, local-path):
// StorageClass parameters checked by name, creating a volume's directory with upstream's 0777 mode,
// and the containment check that keeps a delete inside the provisioner's base directory.
// Deliberately absent: which directory a volume gets (each provisioner's pathPattern) and the
// reclaim policy (archive / retain / delete), which are provisioner-specific.

import { chmod, mkdir } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { KObject } from '../api/resource.js';

/** The class's parameters, rejecting any name the provisioner does not know (berth rejects unsupported input by name). */
export function classParameters(storageClass: KObject, provisioner: string, supported: readonly string[]): Record<string, string> {
  const params: Record<string, string> = { ...(storageClass.parameters ?? {}) };
  const unknown = Object.keys(params).filter((k) => !supported.includes(k)).sort();
  if (unknown.length > 0) {
    const names = unknown.map((k) => `"${k}"`).join(', ');
    throw new Error(
      `StorageClass "${storageClass.metadata?.name}": parameter${unknown.length > 1 ? 's' : ''} ${names} ${unknown.length > 1 ? 'are' : 'is'} not supported by ${provisioner} (supported: ${[...supported].sort().join(', ')})`,
    );
  }
  return params;
}

/** An absolute directory parameter (exportPath, basePath), normalized. */
export function absoluteParameter(name: string, value: string): string {
  if (!value || !isAbsolute(value)) throw new Error(`parameter ${name} must be an absolute path, not "${value}"`);
  return resolve(value);
}

/** Both upstream provisioners refuse claims with a selector: dynamic volumes have no labels to match. */
export function rejectSelector(claim: KObject): void {
  if (claim.spec?.selector) throw new Error('claim Selector is not supported');
}

/** mkdir -p, then chmod 0777 on the volume directory itself (os.MkdirAll + os.Chmod upstream, past the umask). */
export async function makeVolumeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: 0o777 });
    await chmod(path, 0o777);
  } catch (e) {
    throw new Error(`unable to create directory to provision new pv: ${(e as Error).message}`);
  }
}

/** Whether path lies strictly inside base (not base itself), after normalizing both. */
export function isInside(base: string, path: string): boolean {
  const rel = relative(resolve(base), resolve(path));
  return rel !== '' && !isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`);
}

/** Guards a delete: the PV's path must be inside the base directory its class (or the default) names. */
export function assertInside(base: string, path: unknown, pvName: string): string {
  if (typeof path !== 'string' || !path) throw new Error(`volume ${pvName} has no path to delete`);
  if (!isInside(base, path)) throw new Error(`refusing to delete ${path} of volume ${pvName}: it is not inside ${base}`);
  return resolve(path);
}
