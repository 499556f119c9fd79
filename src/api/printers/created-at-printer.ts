// kube-apiserver's default table convertor (k8s.io/apiserver/pkg/registry/rest/table.go): NAME and
// CREATED AT, the creation time as an RFC 3339 UTC date string. Built-in resources that register no
// printer use it: roles, clusterroles, the access reviews.
// Deliberately absent: relative ages (that is defaultPrinter) and any per-resource columns.

import type { KObject, Printer, TableColumn } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN } from './age.js';

export const CREATED_AT_COLUMN: TableColumn = {
  name: 'Created At',
  type: 'date',
  description: AGE_COLUMN.description,
  priority: 0,
};

/** Go's time.Time{}.UTC().Format(time.RFC3339) for a missing or unparsable timestamp. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** metadata.creationTimestamp as RFC 3339 in UTC with whole seconds: 2024-01-01T00:00:00Z. */
export function createdAtCell(obj: KObject): string {
  const ts = obj.metadata?.creationTimestamp;
  if (!ts) return ZERO_TIME;
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return ZERO_TIME;
  return new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');
}

export const createdAtPrinter: Printer = {
  columns: [NAME_COLUMN, CREATED_AT_COLUMN],
  row: (obj) => [obj.metadata?.name ?? '', createdAtCell(obj)],
};
