// Subjects of RoleBindings and ClusterRoleBindings: defaulting of apiGroup by kind, validation
// (ValidateRoleBindingSubject: kinds User, Group, ServiceAccount; ServiceAccount names are DNS
// subdomains and need a namespace in ClusterRoleBindings) and the USERS/GROUPS/SERVICEACCOUNTS
// strings of the table printer (SubjectsStrings in pkg/apis/rbac/helpers.go).
// Deliberately absent: checking that users, groups or service accounts exist.

import type { Subject } from 'kubernetes-types/rbac/v1.js';
import type { FieldError } from '../errors.js';
import { fieldPath, invalid, notSupported, required } from '../errors.js';
import { isDNS1123Subdomain } from '../validation/names.js';
import { RBAC_GROUP } from './role-ref.js';

export interface SubjectOptions {
  /** RoleBinding subjects may omit a ServiceAccount's namespace (it defaults to the binding's). */
  namespaced: boolean;
}

/** SetDefaults_Subject: User and Group default to RBAC's group, ServiceAccount to the core group. */
export function defaultSubjects(subjects: Partial<Subject>[] | undefined): void {
  for (const s of subjects ?? []) {
    if (!s || typeof s !== 'object' || s.apiGroup) continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = RBAC_GROUP;
  }
}

export function validateSubject(subject: Partial<Subject>, path: string, opts: SubjectOptions): FieldError[] {
  const s = subject ?? {};
  const errs: FieldError[] = [];
  const name = s.name ?? '';
  const apiGroup = s.apiGroup ?? '';
  if (!name) errs.push(required(fieldPath(path, 'name')));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name) for (const m of isDNS1123Subdomain(name)) errs.push(invalid(fieldPath(path, 'name'), name, m));
      if (apiGroup) errs.push(notSupported(fieldPath(path, 'apiGroup'), apiGroup, ['']));
      if (!opts.namespaced && !s.namespace) errs.push(required(fieldPath(path, 'namespace')));
      break;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP) errs.push(notSupported(fieldPath(path, 'apiGroup'), apiGroup, [RBAC_GROUP]));
      break;
    default:
      errs.push(notSupported(fieldPath(path, 'kind'), s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

export function validateSubjects(subjects: Partial<Subject>[] | undefined, opts: SubjectOptions): FieldError[] {
  return (subjects ?? []).flatMap((s, i) => validateSubject(s, fieldPath('subjects', i), opts));
}

export interface SubjectStrings {
  users: string[];
  groups: string[];
  /** "namespace/name" */
  serviceAccounts: string[];
  /** "kind/namespace/name" for unknown kinds */
  others: string[];
}

export function subjectsStrings(subjects: Partial<Subject>[] | undefined): SubjectStrings {
  const out: SubjectStrings = { users: [], groups: [], serviceAccounts: [], others: [] };
  for (const s of subjects ?? []) {
    const name = s?.name ?? '';
    if (s?.kind === 'ServiceAccount') out.serviceAccounts.push(`${s.namespace ?? ''}/${name}`);
    else if (s?.kind === 'User') out.users.push(name);
    else if (s?.kind === 'Group') out.groups.push(name);
    else out.others.push(`${s?.kind ?? ''}/${s?.namespace ?? ''}/${name}`);
  }
  return out;
}
