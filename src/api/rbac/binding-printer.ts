// Table printer shared by RoleBindings and ClusterRoleBindings (printRoleBinding and
// printClusterRoleBinding in pkg/printers/internalversion/printers.go): NAME, ROLE ("Kind/name"), AGE,
// and with -o wide USERS, GROUPS, SERVICEACCOUNTS ("namespace/name"), each joined with ", ".
// Deliberately absent: subjects of unknown kinds, which Kubernetes does not print either.

import type { KObject, Printer } from '../resource.js';
import { AGE_COLUMN, NAME_COLUMN, ageCell, column } from '../printers/age.js';
import { subjectsStrings } from './subjects.js';

export interface BindingPrinterOptions {
  /** Which binding the column descriptions talk about. */
  kind: 'RoleBinding' | 'ClusterRoleBinding';
}

const ROLE_REF_DESCRIPTION: Record<BindingPrinterOptions['kind'], string> = {
  RoleBinding:
    'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
  ClusterRoleBinding:
    'RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.',
};

export function bindingPrinter(opts: BindingPrinterOptions): Printer {
  const noun = opts.kind === 'RoleBinding' ? 'roleBinding' : 'clusterRoleBinding';
  return {
    columns: [
      NAME_COLUMN,
      column('Role', 'string', ROLE_REF_DESCRIPTION[opts.kind]),
      AGE_COLUMN,
      column('Users', 'string', `Users in the ${noun}`, 1),
      column('Groups', 'string', `Groups in the ${noun}`, 1),
      column('ServiceAccounts', 'string', `ServiceAccounts in the ${noun}`, 1),
    ],
    row(obj: KObject, ctx) {
      const ref = obj.roleRef ?? {};
      const s = subjectsStrings(obj.subjects);
      return [
        obj.metadata?.name ?? '',
        `${ref.kind ?? ''}/${ref.name ?? ''}`,
        ageCell(obj, ctx.now),
        s.users.join(', '),
        s.groups.join(', '),
        s.serviceAccounts.join(', '),
      ];
    },
  };
}
