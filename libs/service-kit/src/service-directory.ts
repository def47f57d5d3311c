/**
 * The directory of Arca's eight services: their default HTTP ports (health, metrics, internal queries)
 * and the variables that override where each listens and where the others reach it.
 */
export const SERVICES = [
  { name: 'gateway', port: 3000 },
  { name: 'policy', port: 3001 },
  { name: 'scheduler', port: 3002 },
  { name: 'ingest', port: 3003 },
  { name: 'dedupe-index', port: 3004 },
  { name: 'storage', port: 3005 },
  { name: 'replication', port: 3006 },
  { name: 'reporting', port: 3007 },
] as const;

export type ServiceName = (typeof SERVICES)[number]['name'];

/** `dedupe-index` → `DEDUPE_INDEX_PORT`. */
export function portVariable(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_PORT`;
}

/** `dedupe-index` → `DEDUPE_INDEX_URL`: where other services (the gateway above all) reach it. */
export function urlVariable(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_URL`;
}

/** Where a service is reached: `<NAME>_URL` when set, else localhost on its port. */
export function serviceUrl(service: ServiceName, env: Record<string, string | undefined> = process.env): string {
  const explicit = env[urlVariable(service)];
  if (explicit) return explicit.replace(/\/$/, '');
  const entry = SERVICES.find((s) => s.name === service)!;
  return `http://127.0.0.1:${env[portVariable(service)] ?? entry.port}`;
}
