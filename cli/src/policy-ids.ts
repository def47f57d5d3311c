import { CliError } from './gateway-client';

/**
 * Resolves what an operator typed for a policy — its id, a unique id prefix, or its name — to
 * the policy id, because names are what people remember and ids are what the API takes.
 */
export function resolvePolicyId(given: string, policies: Array<{ id: string; name: string }>): string {
  const exact = policies.find((p) => p.id === given) ?? policies.find((p) => p.name === given);
  if (exact) return exact.id;
  const byPrefix = policies.filter((p) => p.id.startsWith(given.toLowerCase()));
  if (byPrefix.length === 1) return byPrefix[0].id;
  if (byPrefix.length > 1) throw new CliError(`policy id prefix ${given} matches ${byPrefix.length} policies (${byPrefix.map((p) => p.name).join(', ')}); give more characters`);
  throw new CliError(`no policy named or with id ${given} (see "arca policies list")`);
}
