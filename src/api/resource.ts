// The shape of a served resource: identity, discovery facts, strategy hooks, field selectors and
// table printer. Each resource's file under src/api/<group>/ exports one ResourceDef; the apiserver's
// generic registry does the rest. Pure: no I/O, no clock (time comes in as an argument).

import type { FieldError } from './errors.js';

/** Any Kubernetes object as decoded JSON. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMetaLike;
  spec?: any;
  status?: any;
  [k: string]: any;
}

export interface ObjectMetaLike {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: any[];
  managedFields?: any[];
  [k: string]: any;
}

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description: string;
  priority: number;
}

export type TableCell = string | number | boolean | null;

export interface PrintContext {
  /** Milliseconds since epoch, for AGE columns. */
  now: number;
}

export interface Printer<T extends KObject = KObject> {
  columns: TableColumn[];
  /** One row per object; cells in column order (all columns, including priority > 0). */
  row(obj: T, ctx: PrintContext): TableCell[];
  /** Optional row conditions (e.g. Completed for finished pods). */
  conditions?(obj: T): { type: string; status: string }[] | undefined;
}

export interface ScaleSubresource {
  /** Path (dotted) of the desired replicas in the object, e.g. spec.replicas */
  specReplicasPath: string;
  statusReplicasPath: string;
  /** Label selector string for Scale.status.selector. */
  selector(obj: KObject): string;
}

/**
 * How deleting an object of this kind differs from "remove it at once" (kube's graceful-deletion
 * strategy and the registries' delete options). Absent: removed at once, answered with a Status.
 */
export interface DeletionStrategy {
  /** Seconds to wait for whoever runs the object to confirm (0 removes it at once). */
  gracePeriod?(obj: KObject, requested: number | undefined): number;
  /** Marks a terminating object (e.g. a namespace's phase). */
  markTerminating?(obj: KObject): void;
  /** Whether something besides metadata.finalizers still holds a terminating object. */
  held?(obj: KObject): boolean;
  /** Answer a completed delete with the deleted object instead of a Status. */
  returnsObject?: boolean;
}

/** Options passed to strategy hooks. */
export interface StrategyContext {
  /** ISO timestamp of "now" from the injected clock. */
  now: string;
}

export interface ResourceDef<T extends KObject = KObject> {
  group: string; // "" for core
  version: string;
  kind: string;
  /** Lower-case plural: "pods" */
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Verbs this resource supports (discovery). Default: the full set. */
  verbs?: string[];
  /** OpenAPI definition name, e.g. io.k8s.api.core.v1.Pod */
  schemaName: string;
  /** Has a status subresource: main-resource writes keep the stored status; /status keeps the rest. */
  hasStatus?: boolean;
  scale?: ScaleSubresource;
  /** Other subresources served by special handlers (binding, eviction, exec, log, ...). */
  extraSubresources?: { name: string; kind: string; group?: string; version?: string; verbs: string[] }[];
  /** Fill defaults in place, as Kubernetes' defaulting functions do (called on create and update). */
  defaults?(obj: T): void;
  /** Adjust a new object before validation (e.g. reset status). */
  prepareForCreate?(obj: T, ctx: StrategyContext): void;
  /** Adjust an updated object before validation (e.g. carry over immutable/internal fields). */
  prepareForUpdate?(obj: T, old: T, ctx: StrategyContext): void;
  /** Adjust a /status write before validation (e.g. stamp a phase transition time). */
  prepareForStatusUpdate?(obj: T, old: T, ctx: StrategyContext): void;
  /** Validation of a new object (metadata included). */
  validate?(obj: T): FieldError[];
  /** Validation of an update (obj is the new object; includes immutability checks). */
  validateUpdate?(obj: T, old: T): FieldError[];
  /** Validation of a status update. Default: validateUpdate. */
  validateStatusUpdate?(obj: T, old: T): FieldError[];
  /**
   * Fields (besides metadata.name/namespace) usable in fieldSelector, each mapped to its string value.
   * e.g. { 'spec.nodeName': o => o.spec?.nodeName ?? '' }
   */
  fieldSelectors?: Record<string, (obj: T) => string>;
  printer: Printer<T>;
  deletion?: DeletionStrategy;
  /** Whether writes that change only this part bump metadata.generation (default: anything outside metadata and status). */
  generationIgnores?: string[];
  /**
   * metadata.generation for a kind without a spec, which by default has none: 'labels-too' keeps it
   * (1 on create, bumped by a change outside metadata and status) and also bumps it when
   * metadata.labels change, as Kubernetes' EndpointSlice strategy does.
   */
  generationWithoutSpec?: 'labels-too';
}
