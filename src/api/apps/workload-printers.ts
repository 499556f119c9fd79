// Table pieces shared by the apps workloads (StatefulSet, Deployment, ReplicaSet): the `-o wide`
// CONTAINERS and IMAGES cells (comma-joined, in template order, as layoutContainerCells does) and
// their column definitions.
// Deliberately absent: each workload's own columns and cells (READY, DESIRED, ...).

import type { KObject, TableColumn } from '../resource.js';
import { column } from '../printers/age.js';

export const CONTAINERS_COLUMN: TableColumn = column('Containers', 'string', 'Names of each container in the template.', 1);
export const IMAGES_COLUMN: TableColumn = column('Images', 'string', 'Images referenced by each container in the template.', 1);

/** [names, images] of spec.template.spec.containers, each comma-joined. */
export function containerCells(obj: KObject): [string, string] {
  const containers: any[] = Array.isArray(obj.spec?.template?.spec?.containers) ? obj.spec.template.spec.containers : [];
  return [containers.map((c) => c?.name ?? '').join(','), containers.map((c) => c?.image ?? '').join(',')];
}
