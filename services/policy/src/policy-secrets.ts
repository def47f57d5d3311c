import { PolicySpec, redactedSource } from '@arca/contracts';

/**
 * A policy as the REST API returns it: a postgres source's password replaced by "***" (as job
 * events show sources). The stored policy keeps it, and so does policy.changed, from which the
 * scheduler takes the source it hands to the ingest worker that runs pg_dump.
 */
export function shownSpec(spec: PolicySpec): PolicySpec {
  const source = redactedSource(spec.source);
  return source === spec.source ? spec : { ...spec, source };
}

/**
 * A replacement that sends back the redacted source it was shown keeps the stored password, so a
 * policy read from the API, edited and put back still runs; any other source is taken as given.
 */
export function withStoredSecret(spec: PolicySpec, stored: PolicySpec): PolicySpec {
  if (spec.source.kind !== 'postgres' || stored.source.kind !== 'postgres') return spec;
  const shown = redactedSource(stored.source);
  if (shown === stored.source || spec.source.connection !== shown.connection) return spec;
  return { ...spec, source: { ...spec.source, connection: stored.source.connection } };
}
