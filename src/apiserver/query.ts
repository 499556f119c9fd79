// Query parameter parsing shared by the handlers, with Kubernetes' own rules.

/** Go's strconv.ParseBool, which is how Kubernetes reads boolean query parameters. */
export function parseBool(v: string | null): boolean {
  return v !== null && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
}
