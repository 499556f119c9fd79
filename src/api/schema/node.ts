// SchemaNode: the read-only view of an OpenAPI schema that the decoder (unknown fields, types),
// the patchers (strategic merge keys, list types) and server-side apply (field sets) walk.
// Built from the generated definitions by schema/schemas.ts; tests may build small ones by hand.

export type ScalarType = 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'quantity' | 'any';

export interface SchemaNode {
  /** object: fixed properties; map: free keys with elem(); list: items via elem(); scalar: a leaf; any: free-form (RawExtension, JSON). */
  kind: 'object' | 'map' | 'list' | 'scalar' | 'any';
  /** Definition name when this node is a named definition, e.g. io.k8s.api.core.v1.PodSpec */
  name?: string;
  scalar?: ScalarType;
  /** For objects: the schema of a property, or undefined when the property is unknown. */
  field(name: string): SchemaNode | undefined;
  /** For objects: the known property names. */
  fieldNames(): string[];
  /** For maps and lists: the element schema. */
  elem(): SchemaNode | undefined;
  /** Lists: x-kubernetes-list-type (default atomic). */
  listType?: 'atomic' | 'set' | 'map';
  /** Lists with listType map: x-kubernetes-list-map-keys. */
  listMapKeys?: string[];
  /** Strategic merge: x-kubernetes-patch-strategy ("merge", "replace", "retainKeys", "merge,retainKeys"). */
  patchStrategy?: string;
  /** Strategic merge: x-kubernetes-patch-merge-key. */
  patchMergeKey?: string;
  /** Objects: x-kubernetes-map-type "atomic" means replace as a whole. */
  mapType?: 'atomic' | 'granular';
  description?: string;
}
