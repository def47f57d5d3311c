import { qualifiedTable } from '@arca/persistence';
import { Injectable } from '@nestjs/common';
import os from 'node:os';
import { DataSource, EntityManager } from 'typeorm';
import { IngestJobEntity, IngestJobKind } from './entities/ingest-job.entity';

/** How long a claimed job stays with its worker without a renewal; a dead worker's job is retried after it. */
export const LEASE_SECONDS = 60;
/** A job that kept killing its workers is failed rather than retried forever. */
export const MAX_ATTEMPTS = 3;

/**
 * A worker's hold on a job: the job id and the attempt it claimed. The attempt is the fencing
 * token: a claim by another worker increments it, so a worker that lost its lease (paused, cut
 * off, presumed dead) can no longer end the job, and a job never completes twice.
 */
export interface JobLease {
  id: string;
  attempt: number;
  /** The tenant whose job it is: its events carry it, and it reads only that tenant's snapshots. */
  tenant: string;
}

/** The job was taken over by another worker (or ended) while this one ran it: its outcome is not recorded. */
export class LeaseLostError extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} is no longer held by this worker (its lease ran out and another worker took it over); this run's outcome is discarded`);
    this.name = 'LeaseLostError';
  }
}

/** This process, as job rows name their worker. */
export const WORKER = `${os.hostname()}:${process.pid}`;

/** The durable queue of ingest jobs (see IngestJobEntity). */
@Injectable()
export class JobQueueService {
  constructor(private readonly dataSource: DataSource) {}

  /** Idempotent on the job id: a redelivered request does not queue the job twice. */
  async enqueue(kind: IngestJobKind, id: string, request: Record<string, unknown>, traceHeaders: Record<string, string>, tenant: string, m?: EntityManager): Promise<boolean> {
    const result = await (m ?? this.dataSource).createQueryBuilder().insert().into(IngestJobEntity)
      .values({ id, kind, tenant, request: request as never, traceHeaders, status: 'queued' }).orIgnore().returning(['id']).execute();
    return (result.raw as unknown[]).length > 0;
  }

  /**
   * Claims the oldest runnable job of a lane: queued, or running under an expired lease. Backups,
   * restores, checks and recoveries share the `jobs` lane; prunes have a lane of their own, so a prune waiting
   * for backups never holds a backup slot, and at most one prune runs across every worker (the
   * claim takes a transaction-scoped advisory lock and skips while another prune holds its lease).
   */
  async claim(lane: 'jobs' | 'maintenance' = 'jobs'): Promise<IngestJobEntity | undefined> {
    const table = qualifiedTable(this.dataSource, IngestJobEntity);
    const kinds = lane === 'jobs' ? ['backup', 'restore', 'check', 'recover', 'verify'] : ['prune'];
    return this.dataSource.transaction(async (m) => {
      if (lane === 'maintenance') {
        await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${table}:prune`]);
        const [busy] = await m.query(`SELECT 1 FROM ${table} WHERE kind = 'prune' AND status = 'running' AND lease_until >= now() LIMIT 1`);
        if (busy) return undefined;
      }
      const result: [IngestJobEntity[], number] = await m.query(
        `UPDATE ${table} SET status = 'running', attempts = attempts + 1, lease_until = now() + make_interval(secs => $1), worker = $2
         WHERE id = (SELECT id FROM ${table}
                     WHERE kind = ANY($3) AND (status = 'queued' OR (status = 'running' AND lease_until < now()))
                     ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
         RETURNING id, kind, tenant, request, trace_headers AS "traceHeaders", attempts, cancel_reason AS "cancelReason"`,
        [LEASE_SECONDS, WORKER, kinds],
      );
      // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
      return result[0][0];
    });
  }

  /** Renews a lease; false when the job is no longer this worker's (taken over, or ended). */
  async renewLease(lease: JobLease): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE ${qualifiedTable(this.dataSource, IngestJobEntity)} SET lease_until = now() + make_interval(secs => $3)
       WHERE id = $1 AND attempts = $2 AND status = 'running'`,
      [lease.id, lease.attempt, LEASE_SECONDS],
    );
    return affected > 0;
  }

  /**
   * Ends a job in the caller's transaction, as long as the lease is still this worker's: otherwise
   * LeaseLostError, and the transaction (with the events it would have published) rolls back.
   */
  async finish(m: EntityManager, lease: JobLease, outcome: { status: 'completed' } | { status: 'failed' | 'cancelled'; error: string }): Promise<void> {
    const result = await m.createQueryBuilder().update(IngestJobEntity)
      .set({ status: outcome.status, error: outcome.status === 'completed' ? null : outcome.error, finishedAt: new Date(), leaseUntil: null })
      .where('id = :id AND attempts = :attempt AND status = :running', { id: lease.id, attempt: lease.attempt, running: 'running' })
      .execute();
    if (!result.affected) throw new LeaseLostError(lease.id);
  }

  /**
   * Records a cancel request on a job not yet ended: true when it is queued or running (the worker
   * holding it, or the next to claim it, stops it), false when it has ended or is unknown here.
   */
  async requestCancel(id: string, reason: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await this.dataSource.query(
      `UPDATE ${qualifiedTable(this.dataSource, IngestJobEntity)} SET cancel_reason = coalesce(cancel_reason, $2)
       WHERE id = $1 AND status IN ('queued', 'running')`,
      [id, reason],
    );
    return affected > 0;
  }

  /** The cancel request on a job, if any (a worker running it on another instance learns of it here). */
  async cancelReason(id: string): Promise<string | null> {
    const [row] = await this.dataSource.query(`SELECT cancel_reason FROM ${qualifiedTable(this.dataSource, IngestJobEntity)} WHERE id = $1`, [id]);
    return (row?.cancel_reason as string | null | undefined) ?? null;
  }

  /**
   * Jobs whose worker was a process on this host that no longer runs (killed, crashed, restarted
   * by the supervisor): their leases end now, so they are taken over at once rather than after
   * LEASE_SECONDS. Workers elsewhere are left to their leases: their processes cannot be seen from here.
   */
  async releaseDeadWorkersJobs(): Promise<number> {
    const table = qualifiedTable(this.dataSource, IngestJobEntity);
    const prefix = `${os.hostname()}:`;
    const rows: Array<{ id: string; worker: string }> = await this.dataSource.query(
      `SELECT id, worker FROM ${table} WHERE status = 'running' AND worker LIKE $1 AND worker <> $2`, [`${prefix}%`, WORKER],
    );
    const dead = rows.filter((r) => !processRuns(Number(r.worker.slice(prefix.length))));
    if (dead.length === 0) return 0;
    await this.dataSource.query(`UPDATE ${table} SET lease_until = now() - interval '1 second' WHERE id = ANY($1) AND status = 'running'`, [dead.map((r) => r.id)]);
    return dead.length;
  }
}

function processRuns(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true; // not ours to judge
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}
