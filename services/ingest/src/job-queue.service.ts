import { qualifiedTable } from '@arca/persistence';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IngestJobEntity, IngestJobKind } from './entities/ingest-job.entity';

/** How long a claimed job stays with its worker without a renewal; a dead worker's job is retried after it. */
export const LEASE_SECONDS = 60;
/** A job that kept killing its workers is failed rather than retried forever. */
export const MAX_ATTEMPTS = 3;

/** The durable queue of ingest jobs (see IngestJobEntity). */
@Injectable()
export class JobQueueService {
  constructor(private readonly dataSource: DataSource) {}

  /** Idempotent on the job id: a redelivered request does not queue the job twice. */
  async enqueue(kind: IngestJobKind, id: string, request: Record<string, unknown>, traceHeaders: Record<string, string>): Promise<boolean> {
    const result = await this.dataSource.createQueryBuilder().insert().into(IngestJobEntity)
      .values({ id, kind, request: request as never, traceHeaders, status: 'queued' }).orIgnore().returning(['id']).execute();
    return (result.raw as unknown[]).length > 0;
  }

  /** Claims the oldest runnable job: queued, or running under an expired lease. */
  async claim(): Promise<IngestJobEntity | undefined> {
    const table = qualifiedTable(this.dataSource, IngestJobEntity);
    const result: [IngestJobEntity[], number] = await this.dataSource.query(
      `UPDATE ${table} SET status = 'running', attempts = attempts + 1, lease_until = now() + make_interval(secs => $1)
       WHERE id = (SELECT id FROM ${table}
                   WHERE status = 'queued' OR (status = 'running' AND lease_until < now())
                   ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
       RETURNING id, kind, request, trace_headers AS "traceHeaders", attempts`,
      [LEASE_SECONDS],
    );
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    return result[0][0];
  }

  async renewLease(id: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${qualifiedTable(this.dataSource, IngestJobEntity)} SET lease_until = now() + make_interval(secs => $2) WHERE id = $1 AND status = 'running'`,
      [id, LEASE_SECONDS],
    );
  }
}
