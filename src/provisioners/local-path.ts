// The `berth.dev/local-path` provisioner, after rancher/local-path-provisioner: each volume is a
// directory on its selected node, published as a `local` PV source with required node affinity on
// kubernetes.io/hostname (the node's label value, else its name, as upstream). The directory is
// `<basePath>/<node>/<dir>`: berth may run many nodes on one machine, so the node's name is always
// a path segment, also when a class sets `basePath` explicitly (the node segment is then added
// under the given directory). Parameters: basePath (absolute; default from the constructor) and
// pathPattern (default `${pvName}_${namespace}_${pvcName}`, upstream's folder name). Delete removes
// the directory. Upstream's checks kept: a node must be selected (WaitForFirstConsumer), only
// ReadWriteOnce / ReadWriteOncePod, no claim selector, no block volumes.
// Deliberately absent: upstream's nodePathMap / sharedFileSystemPath config, helper pods, setup and
// teardown scripts, nodeAffinityKey and the Go-template pathPattern syntax (berth's `${...}` syntax
// is the one path-pattern.ts expands). Unlike upstream, a missing node does not skip the cleanup:
// berth's node directories live on this machine, so they are removed either way.

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KObject } from '../api/resource.js';
import { LOCAL_PATH_PROVISIONER } from '../api/storage/well-known.js';
import { expandPathPattern } from './path-pattern.js';
import type { DeleteOptions, ProvisionedVolume, ProvisionRequest, Provisioner } from './provisioner.js';
import { absoluteParameter, assertInside, classParameters, makeVolumeDirectory, rejectSelector } from './volume-directories.js';

export const LOCAL_PATH_PARAMETERS = ['basePath', 'pathPattern'] as const;
export const LOCAL_PATH_DEFAULT_PATH_PATTERN = '${pvName}_${namespace}_${pvcName}';
export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
const NODE_ACCESS_MODES = ['ReadWriteOnce', 'ReadWriteOncePod'];

export interface LocalPathOptions {
  /** The base directory when a class names none, e.g. `<dataDir>/volumes/local`. */
  basePath: string;
}

export class LocalPathProvisioner implements Provisioner {
  readonly name = LOCAL_PATH_PROVISIONER;
  readonly supportsBlock = false;

  constructor(private readonly opts: LocalPathOptions) {}

  private basePath(storageClass: KObject | undefined): string {
    const p = storageClass ? classParameters(storageClass, this.name, LOCAL_PATH_PARAMETERS) : {};
    return absoluteParameter('basePath', p.basePath ?? this.opts.basePath);
  }

  async provision(req: ProvisionRequest): Promise<ProvisionedVolume> {
    const base = this.basePath(req.storageClass);
    const pattern: string = req.storageClass.parameters?.pathPattern ?? LOCAL_PATH_DEFAULT_PATH_PATTERN;
    rejectSelector(req.claim);
    for (const mode of req.claim.spec?.accessModes ?? []) {
      if (!NODE_ACCESS_MODES.includes(mode)) throw new Error('NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes');
    }
    const node = req.selectedNode;
    const nodeName = node?.metadata?.name;
    if (!nodeName) {
      throw new Error(
        `configuration error, no node was specified: ${this.name} creates a directory on the claim's node, so StorageClass "${req.storageClass.metadata?.name}" needs volumeBindingMode WaitForFirstConsumer`,
      );
    }
    // Node names are DNS subdomains, so this holds; checked because the result is a path segment.
    if (nodeName.includes('/') || nodeName === '.' || nodeName === '..') throw new Error(`node name "${nodeName}" cannot be a directory name`);
    const path = join(base, nodeName, expandPathPattern(pattern, { claim: req.claim, pvName: req.pvName }));
    await makeVolumeDirectory(path);
    const hostname: string = node.metadata?.labels?.[HOSTNAME_LABEL] ?? nodeName;
    return {
      source: { local: { path } },
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [hostname] }] }] },
      },
    };
  }

  async delete(pv: KObject, storageClass: KObject | undefined, _opts: DeleteOptions = {}): Promise<void> {
    const name = pv.metadata?.name ?? '';
    const path = assertInside(this.basePath(storageClass), pv.spec?.local?.path ?? pv.spec?.hostPath?.path, name);
    await rm(path, { recursive: true, force: true });
  }
}
