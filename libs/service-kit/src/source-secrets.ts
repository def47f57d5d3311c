import { serviceUrl } from './service-directory';

async function call(method: 'GET' | 'PUT', ref: string, body?: unknown): Promise<Response> {
  const url = `${serviceUrl('policy')}/secrets/${encodeURIComponent(ref)}`;
  try {
    return await fetch(url, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new Error(`the policy service, which holds the secret ${ref}, is unreachable at ${url}: ${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`, { cause: error });
  }
}

/** Where a message about a failed secret call may not lead: the answer's text, never a password. */
async function failure(response: Response, what: string): Promise<Error> {
  const message = ((await response.json().catch(() => ({}))) as { message?: unknown }).message;
  return new Error(`${what}: the policy service answered ${response.status}${message ? ` (${Array.isArray(message) ? message.join('; ') : String(message)})` : ''}`);
}

/**
 * The password a source's `secretRef` names, read from the policy service at job time (only the
 * ingest worker running the job asks). The caller hands it to the program that needs it and drops it.
 */
export async function fetchSourceSecret(ref: string): Promise<string> {
  const response = await call('GET', ref);
  if (!response.ok) throw await failure(response, `the secret ${ref} could not be read`);
  return ((await response.json()) as { password: string }).password // SourceSecret in @arca/contracts;
}

/** Keeps a one-off job's source password in the policy service, under `job:<jobId>:source`. */
export async function keepSourceSecret(ref: string, password: string): Promise<void> {
  const response = await call('PUT', ref, { password });
  if (!response.ok) throw await failure(response, `the secret ${ref} could not be kept`);
}
