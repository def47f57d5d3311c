import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { STREAM_NAME, STREAM_NAME_RULE } from './ids';

/** A reference to a source's password held by the policy service (see SourceSpec.secretRef). */
export const SECRET_REF = /^(policy|job):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:source$/;

export const policySecretRef = (policyId: string): string => `policy:${policyId}:source`;
export const jobSecretRef = (jobId: string): string => `job:${jobId}:source`;

/** What a backup reads: a directory tree, a PostgreSQL database (pg_dump), or a named byte stream. */
export class SourceSpec {
  @IsIn(['directory', 'postgres', 'stream'], { message: 'kind must be one of directory, postgres, stream' })
  kind: 'directory' | 'postgres' | 'stream';

  /** directory: an absolute path the ingest worker can read. */
  @IsOptional()
  @IsString()
  @Matches(/^\//, { message: 'path must be an absolute path' })
  @MaxLength(4096)
  path?: string;

  /** postgres: a connection URL for pg_dump. */
  @IsOptional()
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'connection must be a postgres:// URL' })
  @MaxLength(4096)
  connection?: string;

  /**
   * postgres: where the password is kept (set by the platform, never by a caller). Events carry the
   * URL without its password and this reference instead; the ingest worker that runs the job asks
   * the policy service for the password (GET /secrets/:ref) and hands it to pg_dump.
   */
  @IsOptional()
  @Matches(SECRET_REF, { message: 'secretRef must be policy:<uuid>:source or job:<uuid>:source' })
  secretRef?: string;

  /** stream: the name the stream is stored under. */
  @IsOptional()
  @IsString()
  @Matches(STREAM_NAME, { message: STREAM_NAME_RULE })
  name?: string;
}

/** A stable identity for "the same source" across runs, used to find a backup's parent snapshot. */
export function sourceIdentity(source: SourceSpec): string {
  switch (source.kind) {
    case 'directory': return source.path ?? '';
    case 'postgres': {
      try {
        const url = new URL(source.connection ?? '');
        return `${url.hostname}:${url.port || 5432}${url.pathname}`;
      } catch {
        return source.connection ?? '';
      }
    }
    case 'stream': return source.name ?? '';
  }
}

/** The reason a source spec is incomplete for its kind, or undefined. */
export function sourceProblem(source: SourceSpec): string | undefined {
  if (source.kind === 'directory' && !source.path) return 'source.path is required for a directory source';
  if (source.kind === 'postgres' && !source.connection) return 'source.connection is required for a postgres source';
  if (source.secretRef !== undefined) return 'source.secretRef is set by the platform: give the password in source.connection';
  if (source.kind === 'stream' && !source.name) return 'source.name is required for a stream source';
  return undefined;
}

/**
 * Why the platform cannot back this source up on its own (for a policy or POST /jobs), or
 * undefined: a stream's bytes exist only on the client, which uploads them.
 */
export function runnableSourceProblem(source: SourceSpec): string | undefined {
  if (source.kind === 'stream') return 'source.kind "stream" cannot be run by the platform: upload the bytes with POST /streams?name=NAME (arca backup --stdin --name NAME)';
  return sourceProblem(source);
}

/**
 * The source as read models and the REST API show it: a postgres URL's password (in the authority
 * or a `password` parameter) replaced by "***", and a password held elsewhere (secretRef) shown as
 * "***" too, so a reader sees that one is set. Never the password itself.
 */
export function redactedSource<T extends SourceSpec>(source: T): T {
  if (source.kind !== 'postgres' || !source.connection) return source;
  try {
    const url = new URL(source.connection);
    const inUrl = !!url.password || url.searchParams.has('password');
    if (!inUrl && !source.secretRef) return source;
    if (url.password || (!inUrl && url.username)) url.password = '***';
    if (url.searchParams.has('password') || (!inUrl && !url.username)) url.searchParams.set('password', '***');
    const { secretRef: _internal, ...shown } = source; // where the password is kept is the platform's business
    return { ...shown, connection: url.toString() } as T;
  } catch {
    return { ...source, connection: '(unparsable URL)' };
  }
}

/**
 * A postgres source split into what may travel (the URL without its password) and the password
 * (from the authority, else from a `password` parameter), or the source as it is when it holds none.
 */
export function splitSourceSecret<T extends SourceSpec>(source: T): { source: T; password?: string } {
  if (source.kind !== 'postgres' || !source.connection) return { source };
  let url: URL;
  try {
    url = new URL(source.connection);
  } catch {
    return { source };
  }
  const password = url.password ? decodeURIComponent(url.password) : url.searchParams.get('password') ?? undefined;
  if (password === undefined) return { source };
  url.password = '';
  url.searchParams.delete('password');
  return { source: { ...source, connection: url.toString() }, password };
}
