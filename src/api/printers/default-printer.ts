// The fallback table printer: NAME and AGE, what kubectl shows for a resource that has no columns of
// its own (a plain list, or a CustomResourceDefinition without additionalPrinterColumns).
// Deliberately absent: kube-apiserver's own fallback for built-in types without a printer, which is
// NAME and CREATED AT; that one is createdAtPrinter (created-at-printer.ts).

import type { Printer } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell } from './age.js';

export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  row: (obj, ctx) => [obj.metadata?.name ?? '', ageCell(obj, ctx.now)],
};
