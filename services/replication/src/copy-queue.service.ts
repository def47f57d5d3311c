import { PolicyChanged, PolicyDeleted, SnapshotForgotten, SnapshotStored, TOPICS } from '@arca/contracts';
import { Outbox } from '@arca/messaging';
import { currentTraceHeaders } from '@arca/telemetry';
import { qualifiedTable } from '@arca/persistence';
import { Injectable } from '@nestjs/common';
import os from 'node:os';
import { DataSource, EntityManager, In } from 'typeorm';
import { afterFailure, PendingCopy, replicaRpoBreached, retryDelayMs, rpoChange, siteLag, SiteLag } from './copy-rules';
import { replicationSettings } from './config';
import { ReplicationCopyEntity } from './entities/replication-copy.entity';
import { ReplicationObjectOpEntity } from './entities/replication-object-op.entity';
import { ReplicationPolicyEntity } from './entities/replication-policy.entity';
import { ReplicationRpoBreachEntity } from './entities/replication-rpo-breach.entity';
import { ReplicationSiteEntity } from './entities/replication-site.entity';

/** How long a worker holds a claimed copy without renewing it (each object copied renews it). */
export const CLAIM_MS = 60_000;

/**
 * The durable copy queue in replication's schema: a row per snapshot and site, queued with the
 * snapshot.stored that announced it, claimed by the copy worker, and finished (with its event in
 * the outbox, in the same transaction) when the copy reaches the site.
 */
@Injectable()
export class CopyQueue {
  readonly settings = replicationSettings();
  /** This process, as it signs its claims: a restarted worker on the same host takes the dead one's copies back at once. */
  readonly worker = `${os.hostname()}:${process.pid}`;

  constructor(private readonly dataSource: DataSource, private readonly outbox: Outbox) {}

  private table(): string {
    return qualifiedTable(this.dataSource, ReplicationCopyEntity);
  }

  /** Queues the snapshot's copy to this service's site (once: a redelivered event finds the row). */
  async queue(m: EntityManager, tenant: string, p: SnapshotStored): Promise<void> {
    await m.createQueryBuilder().insert().into(ReplicationCopyEntity).values({
      snapshotId: p.snapshotId, site: this.settings.site, tenant, policyId: p.policyId ?? null, jobId: p.jobId, traceHeaders: currentTraceHeaders(),
      manifestKey: p.manifestKey, packListKey: p.packListKey, snapshotTime: new Date(p.time),
      bytesPending: p.stats.bytesStored,
    }).orIgnore().execute();
  }

  async applyPolicy(m: EntityManager, tenant: string, p: PolicyChanged): Promise<void> {
    const held = await m.findOneBy(ReplicationPolicyEntity, { policyId: p.policyId });
    if (held && held.version >= p.version) return;
    await m.save(ReplicationPolicyEntity, {
      policyId: p.policyId, tenant, version: p.version, name: p.spec.name, replicate: p.spec.replicate ?? null,
      replicaSites: p.spec.replicaSites ?? null, rpoMinutes: p.spec.rpoMinutes, deleted: false,
    });
  }

  async applyPolicyDeleted(m: EntityManager, p: PolicyDeleted): Promise<void> {
    await m.update(ReplicationPolicyEntity, { policyId: p.policyId }, { deleted: true });
  }

  /** A forgotten snapshot is not copied any more: a prune may delete its packs at the primary. */
  async abandon(m: EntityManager, p: SnapshotForgotten): Promise<void> {
    await m.createQueryBuilder().update(ReplicationCopyEntity)
      .set({ status: 'abandoned', finishedAt: () => 'now()', claimedBy: null, claimedUntil: null, lastError: `snapshot forgotten: ${p.reason}`.slice(0, 4000) })
      .where('snapshot_id = :id AND status = :pending', { id: p.snapshotId, pending: 'pending' }).execute();
  }

  /** Queues puts (a pack a prune rewrote) or deletes (packs a prune deleted) at this service's site; a later op on a key replaces a pending one. */
  async queueObjects(m: EntityManager, op: 'put' | 'delete', keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await m.createQueryBuilder().insert().into(ReplicationObjectOpEntity)
      .values(keys.map((key) => ({ key, site: this.settings.site, op, attempts: 0, nextAttemptAt: new Date(), lastError: null })))
      .orUpdate(['op', 'attempts', 'next_attempt_at', 'last_error'], ['key', 'site']).execute();
  }

  /** The object ops due at this site, oldest first (a single worker per site works them). */
  async dueObjects(limit = 100): Promise<ReplicationObjectOpEntity[]> {
    return this.dataSource.getRepository(ReplicationObjectOpEntity).createQueryBuilder('o')
      .where('o.site = :site AND o.next_attempt_at <= now()', { site: this.settings.site }).orderBy('o.next_attempt_at').limit(limit).getMany();
  }

  /** Done: gone from the queue (unless a newer op on the key replaced it meanwhile). */
  async objectDone(op: ReplicationObjectOpEntity): Promise<void> {
    await this.dataSource.getRepository(ReplicationObjectOpEntity).delete({ key: op.key, site: op.site, op: op.op, attempts: op.attempts });
  }

  async objectFailed(op: ReplicationObjectOpEntity, reason: string, now = new Date()): Promise<Date> {
    const nextAttemptAt = new Date(now.getTime() + retryDelayMs(op.attempts + 1, this.settings.backoff));
    await this.dataSource.getRepository(ReplicationObjectOpEntity).update({ key: op.key, site: op.site, op: op.op, attempts: op.attempts },
      { attempts: op.attempts + 1, nextAttemptAt, lastError: reason.slice(0, 4000) });
    return nextAttemptAt;
  }

  /** Releases the claims of workers of this host that have died (a restart takes their copies over at once). */
  async releaseDeadClaims(): Promise<number> {
    const host = `${os.hostname()}:`;
    const rows: Array<{ claimed_by: string }> = await this.dataSource.query(
      `SELECT DISTINCT claimed_by FROM ${this.table()} WHERE status = 'pending' AND claimed_by LIKE $1 AND claimed_by <> $2`, [`${host}%`, this.worker]);
    const dead = rows.map((r) => r.claimed_by).filter((w) => !isAlive(Number(w.slice(host.length))));
    if (dead.length === 0) return 0;
    const [, count] = await this.dataSource.query(`UPDATE ${this.table()} SET claimed_by = NULL, claimed_until = NULL WHERE status = 'pending' AND claimed_by = ANY($1)`, [dead]);
    return Number(count);
  }

  /** Claims the next due copy of this site (oldest due first), or undefined when none is due. */
  async claimNext(): Promise<ReplicationCopyEntity | undefined> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected count].
    const [rows]: [Array<{ snapshot_id: string }>, number] = await this.dataSource.query(`
      UPDATE ${this.table()} SET claimed_by = $1, claimed_until = now() + make_interval(secs => $3)
      WHERE (snapshot_id, site) = (
        SELECT snapshot_id, site FROM ${this.table()}
        WHERE status = 'pending' AND site = $2 AND next_attempt_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
        ORDER BY next_attempt_at, snapshot_time LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING snapshot_id`, [this.worker, this.settings.site, CLAIM_MS / 1000]);
    const id = rows[0]?.snapshot_id;
    return id ? (await this.dataSource.getRepository(ReplicationCopyEntity).findOneBy({ snapshotId: id, site: this.settings.site })) ?? undefined : undefined;
  }

  async policyOf(copy: ReplicationCopyEntity): Promise<ReplicationPolicyEntity | undefined> {
    if (!copy.policyId) return undefined;
    return (await this.dataSource.getRepository(ReplicationPolicyEntity).findOneBy({ policyId: copy.policyId })) ?? undefined;
  }

  /** Progress of a claimed copy: what the site still lacks, what has gone; renews the claim. */
  async progress(copy: ReplicationCopyEntity, figures: { bytesPending: number; bytesCopied: number; objectsCopied: number }): Promise<void> {
    await this.dataSource.query(
      `UPDATE ${this.table()} SET bytes_pending = $3, bytes_copied = $4, objects_copied = $5, claimed_until = now() + make_interval(secs => $6) WHERE snapshot_id = $1 AND site = $2 AND claimed_by = $7`,
      [copy.snapshotId, copy.site, figures.bytesPending, figures.bytesCopied, figures.objectsCopied, CLAIM_MS / 1000, this.worker]);
  }

  /** Not yet: try again at `at` (its policy is not known here yet), without counting an attempt. */
  async postpone(copy: ReplicationCopyEntity, at: Date): Promise<void> {
    await this.dataSource.getRepository(ReplicationCopyEntity).update({ snapshotId: copy.snapshotId, site: copy.site }, { nextAttemptAt: at, claimedBy: null, claimedUntil: null });
  }

  async skip(copy: ReplicationCopyEntity, reason: string): Promise<void> {
    await this.dataSource.getRepository(ReplicationCopyEntity).update({ snapshotId: copy.snapshotId, site: copy.site },
      { status: 'skipped', lastError: reason, bytesPending: 0, finishedAt: new Date(), claimedBy: null, claimedUntil: null });
  }

  /** The copy reached its site: finished, the site's episode (if any) over, replication.completed in the outbox. */
  async complete(copy: ReplicationCopyEntity, figures: { objectsCopied: number; bytesCopied: number }, now = new Date()): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const { affected } = await m.update(ReplicationCopyEntity, { snapshotId: copy.snapshotId, site: copy.site, status: 'pending' },
        { status: 'completed', attempts: copy.attempts + 1, bytesPending: 0, bytesCopied: figures.bytesCopied, objectsCopied: figures.objectsCopied, finishedAt: now, claimedBy: null, claimedUntil: null, lastError: null });
      if (!affected) return; // forgotten meanwhile: its abandonment stands
      await m.createQueryBuilder().insert().into(ReplicationSiteEntity).values({ site: copy.site, tenant: copy.tenant, failingSince: null, lastSuccessAt: now })
        .orUpdate(['failing_since', 'last_success_at'], ['site', 'tenant']).execute();
      await this.outbox.enqueue(m, TOPICS.replicationCompleted, {
        snapshotId: copy.snapshotId, site: copy.site, objectsCopied: figures.objectsCopied, bytesCopied: figures.bytesCopied,
        lagMs: Math.max(0, now.getTime() - copy.snapshotTime.getTime()), attempts: copy.attempts + 1,
      }, { tenant: copy.tenant });
    });
  }

  /**
   * A failed attempt: scheduled again with backoff; replication.failed in the outbox when it
   * begins the site's failure episode (copy-rules). Returns whether it was announced.
   */
  async fail(copy: ReplicationCopyEntity, reason: string, now = new Date()): Promise<{ announced: boolean; nextAttemptAt: Date }> {
    return this.dataSource.transaction(async (m) => {
      await m.createQueryBuilder().insert().into(ReplicationSiteEntity).values({ site: copy.site, tenant: copy.tenant, failingSince: null, lastSuccessAt: null }).orIgnore().execute();
      const site = await m.getRepository(ReplicationSiteEntity).createQueryBuilder('s').setLock('pessimistic_write')
        .where('s.site = :site AND s.tenant = :tenant', { site: copy.site, tenant: copy.tenant }).getOneOrFail();
      const next = afterFailure({ attempts: copy.attempts, announced: copy.announced, siteFailingSince: site.failingSince }, now, this.settings.backoff);
      const { affected } = await m.update(ReplicationCopyEntity, { snapshotId: copy.snapshotId, site: copy.site, status: 'pending' },
        { attempts: next.attempts, nextAttemptAt: next.nextAttemptAt, announced: next.announced, lastError: reason.slice(0, 4000), claimedBy: null, claimedUntil: null });
      if (!affected) return { announced: false, nextAttemptAt: next.nextAttemptAt };
      await m.update(ReplicationSiteEntity, { site: copy.site, tenant: copy.tenant }, { failingSince: next.siteFailingSince });
      if (next.announce) {
        await this.outbox.enqueue(m, TOPICS.replicationFailed, {
          snapshotId: copy.snapshotId, site: copy.site, reason: reason.slice(0, 4000), attempt: next.attempts,
          failingSince: (next.siteFailingSince ?? now).toISOString(), nextAttemptAt: next.nextAttemptAt.toISOString(),
        }, { tenant: copy.tenant });
      }
      return { announced: next.announce, nextAttemptAt: next.nextAttemptAt };
    });
  }

  /**
   * The RPO watch at the replica sites: publishes policy.rpo_breached (with the site) when a
   * snapshot of a policy has waited for a site longer than the policy's RPO, once per breach, and
   * policy.rpo_restored when the site has caught up. Returns the events published.
   */
  async watchRpo(now = new Date()): Promise<number> {
    const pending: Array<{ policy_id: string; site: string; oldest: Date }> = await this.dataSource.query(
      `SELECT policy_id, site, min(snapshot_time) AS oldest FROM ${this.table()} WHERE status = 'pending' AND policy_id IS NOT NULL GROUP BY policy_id, site`);
    const breaches = await this.dataSource.getRepository(ReplicationRpoBreachEntity).find();
    const key = (policyId: string, site: string) => `${policyId}/${site}`;
    const oldest = new Map(pending.map((r) => [key(r.policy_id, r.site), new Date(r.oldest)]));
    const announced = new Map(breaches.map((b) => [key(b.policyId, b.site), b.breachedAt]));
    const pairs = new Map([...pending.map((r) => [key(r.policy_id, r.site), { policyId: r.policy_id, site: r.site }] as const), ...breaches.map((b) => [key(b.policyId, b.site), { policyId: b.policyId, site: b.site }] as const)]);
    if (pairs.size === 0) return 0;
    const policies = new Map((await this.dataSource.getRepository(ReplicationPolicyEntity).findBy({ policyId: In([...new Set([...pairs.values()].map((p) => p.policyId))]) })).map((p) => [p.policyId, p]));
    let published = 0;
    for (const [k, { policyId, site }] of pairs) {
      const policy = policies.get(policyId);
      if (!policy) continue; // its RPO is not known here yet
      const change = rpoChange(replicaRpoBreached(oldest.get(k) ?? null, policy.rpoMinutes, now), announced.get(k) ?? null);
      if (!change) continue;
      await this.dataSource.transaction(async (m) => {
        const [last]: Array<{ at: Date | null }> = await m.query(`SELECT max(finished_at) AS at FROM ${this.table()} WHERE policy_id = $1 AND site = $2 AND status = 'completed'`, [policyId, site]);
        const lastSuccessAt = last?.at ? new Date(last.at).toISOString() : null;
        if (change.kind === 'breached') {
          await m.insert(ReplicationRpoBreachEntity, { policyId, site, breachedAt: now });
          await this.outbox.enqueue(m, TOPICS.policyRpoBreached, { policyId, lastSuccessAt, rpoMinutes: policy.rpoMinutes, detectedAt: now.toISOString(), site }, { tenant: policy.tenant });
        } else {
          await m.delete(ReplicationRpoBreachEntity, { policyId, site });
          await this.outbox.enqueue(m, TOPICS.policyRpoRestored, {
            policyId, lastSuccessAt: lastSuccessAt ?? now.toISOString(), rpoMinutes: policy.rpoMinutes, breachedAt: change.breachedAt.toISOString(), restoredAt: now.toISOString(), site,
          }, { tenant: policy.tenant });
        }
      });
      published++;
    }
    return published;
  }

  /** The lag of each site (of one tenant's snapshots, or of all): time and bytes not yet copied. */
  async lag(tenant?: string, now = new Date()): Promise<Array<{ site: string; failingSince: string | null; lastSuccessAt: string | null } & SiteLag>> {
    const copies = await this.dataSource.getRepository(ReplicationCopyEntity).find({
      select: { site: true, snapshotTime: true, bytesPending: true }, where: { status: 'pending', ...(tenant ? { tenant } : {}) },
    });
    const sites = await this.dataSource.getRepository(ReplicationSiteEntity).find({ where: tenant ? { tenant } : {} });
    const names = [...new Set([this.settings.site, ...copies.map((c) => c.site)])].sort();
    const earliest = (dates: Array<Date | null>) => dates.filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0]?.toISOString() ?? null;
    return names.map((name) => {
      const episodes = sites.filter((x) => x.site === name);
      const pending: PendingCopy[] = copies.filter((c) => c.site === name);
      // Over several tenants (the metrics): failing since the earliest episode, last success the latest.
      const lastSuccess = episodes.map((e) => e.lastSuccessAt).filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0];
      return { site: name, ...siteLag(pending, now), failingSince: earliest(episodes.map((e) => e.failingSince)), lastSuccessAt: lastSuccess?.toISOString() ?? null };
    });
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
