// Adapter between the registry's FieldManager hook and the managed-fields engine: every
// non-apply write records which fields its manager changed (metadata.managedFields).

import type { FieldManager } from './resource-store.js';
import { updateManagedFields } from '../patch/managed-fields.js';
import { hasDefinition, schemaNode } from '../../api/schema/schemas.js';

export const fieldManager: FieldManager = {
  update({ old, obj, manager, subresource, def, time }) {
    if (!hasDefinition(def.schemaName)) return undefined;
    const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    return updateManagedFields({
      oldObj: old,
      newObj: obj,
      manager,
      operation: 'Update',
      subresource: subresource || undefined,
      time,
      apiVersion,
      schema: schemaNode(def.schemaName),
    });
  },
};
