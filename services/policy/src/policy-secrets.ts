import { PolicySpec, policySecretRef, redactedSource, splitSourceSecret } from '@arca/contracts';

/**
 * A policy as the REST API returns it: a postgres source's password shown as "***" (as job events
 * show sources). The stored spec never holds it: see separateSecret.
 */
export function shownSpec(spec: PolicySpec): PolicySpec {
  const source = redactedSource(spec.source);
  return source === spec.source ? spec : { ...spec, source };
}

/**
 * The spec as the policy service stores it and policy.changed carries it: the URL without its
 * password and, when it had one, `secretRef` naming where the password is kept; plus the password.
 */
export function separateSecret(spec: PolicySpec, policyId: string): { spec: PolicySpec; password?: string } {
  const { secretRef: _ignored, ...given } = spec.source; // only the platform sets a reference
  const { source, password } = splitSourceSecret(given);
  if (password === undefined) return { spec: { ...spec, source } };
  return { spec: { ...spec, source: { ...source, secretRef: policySecretRef(policyId) } }, password };
}

/**
 * A replacement that sends back the redacted source it was shown ("***" for the password) keeps the
 * stored source and its password, so a policy read from the API, edited and put back still runs;
 * any other source is taken as given.
 */
export function keepsStoredSecret(spec: PolicySpec, stored: PolicySpec): boolean {
  if (spec.source.kind !== 'postgres' || stored.source.kind !== 'postgres' || !stored.source.secretRef) return false;
  return spec.source.connection === redactedSource(stored.source).connection;
}
