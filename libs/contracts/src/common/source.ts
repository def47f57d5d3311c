import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

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
  connection?: string;

  /** stream: the name the stream is stored under. */
  @IsOptional()
  @IsString()
  @Matches(/^[^/\0]{1,255}$/, { message: 'name must be 1-255 characters without "/"' })
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
 * The source as events other than backup.requested and read models may show it: a postgres URL's
 * password (in the authority or a `password` parameter) replaced by "***". Only the ingest worker
 * that runs pg_dump needs it.
 */
export function redactedSource<T extends SourceSpec>(source: T): T {
  if (source.kind !== 'postgres' || !source.connection) return source;
  try {
    const url = new URL(source.connection);
    if (!url.password && !url.searchParams.has('password')) return source;
    if (url.password) url.password = '***';
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return { ...source, connection: url.toString() };
  } catch {
    return { ...source, connection: '(unparsable URL)' };
  }
}
