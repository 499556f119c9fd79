// Expands a StorageClass `pathPattern` into the directory of one provisioned volume, relative to
// the provisioner's base directory. The syntax is nfs-subdir-external-provisioner's
// (`${.PVC.namespace}`, `${.PVC.name}`, `${.PVC.annotations.<key>}`, `${.PVC.labels.<key>}`; a
// missing label or annotation expands to "", as upstream documents) plus the short names
// `${namespace}`, `${pvcName}` and `${pvName}` used by berth's default patterns.
// Deliberately unlike upstream, which silently substitutes "" for any other `${.PVC.x}` and falls
// back to its default name when the result is empty: berth rejects an unknown variable by name,
// and rejects a result that is empty, absolute, contains `..` or NUL, so a volume's directory can
// never be the base directory itself or lie outside it.
// Deliberately absent: local-path-provisioner's Go-template syntax (`{{ .PVC.Namespace }}`) and
// any file-system access (the provisioners create and remove directories).

import type { KObject } from '../api/resource.js';

export interface PathPatternInput {
  claim: KObject;
  pvName: string;
}

const VARIABLE = /\$\{([^}]*)\}/g;
const SUPPORTED = '${.PVC.namespace}, ${.PVC.name}, ${.PVC.annotations.<key>}, ${.PVC.labels.<key>}, ${namespace}, ${pvcName}, ${pvName}';

/** Thrown for a pattern that cannot be expanded or whose result would escape the base directory. */
export class PathPatternError extends Error {}

function lookup(variable: string, input: PathPatternInput, pattern: string): string {
  const m = input.claim.metadata ?? {};
  switch (variable) {
    case '.PVC.namespace':
    case 'namespace':
      return m.namespace ?? '';
    case '.PVC.name':
    case 'pvcName':
      return m.name ?? '';
    case 'pvName':
      return input.pvName;
  }
  if (variable.startsWith('.PVC.annotations.')) return m.annotations?.[variable.slice('.PVC.annotations.'.length)] ?? '';
  if (variable.startsWith('.PVC.labels.')) return m.labels?.[variable.slice('.PVC.labels.'.length)] ?? '';
  throw new PathPatternError(`pathPattern "${pattern}": unknown variable "\${${variable}}" (supported: ${SUPPORTED})`);
}

/**
 * The directory for one volume, relative to the base directory, with empty and `.` segments
 * dropped (as filepath.Join cleans them upstream). Throws PathPatternError when the result is
 * empty, absolute, or contains a `..` segment or a NUL byte.
 */
export function expandPathPattern(pattern: string, input: PathPatternInput): string {
  const unclosed = pattern.replace(VARIABLE, '').indexOf('${');
  if (unclosed >= 0) throw new PathPatternError(`pathPattern "${pattern}": "\${" is not closed by "}"`);
  const expanded = pattern.replace(VARIABLE, (_, variable: string) => lookup(variable, input, pattern));
  const shown = `pathPattern "${pattern}" expands to "${expanded}"`;
  if (expanded.includes('\0')) throw new PathPatternError(`${shown}, which contains a NUL byte`);
  if (expanded.startsWith('/')) throw new PathPatternError(`${shown}, an absolute path; it must be relative to the base directory`);
  const segments = expanded.split('/');
  if (segments.includes('..')) throw new PathPatternError(`${shown}, which contains ".." and would escape the base directory`);
  const kept = segments.filter((s) => s !== '' && s !== '.');
  if (kept.length === 0) throw new PathPatternError(`${shown}, which names no directory inside the base directory`);
  return kept.join('/');
}
