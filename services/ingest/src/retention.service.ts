import { RetentionSpec, TENANT_HEADER, TOPICS } from '@arca/contracts';
import { Outbox } from '@arca/messaging';
import { applyRetention } from '@arca/schedule';
import { serviceUrl } from '@arca/service-kit';
import { ConflictException, HttpException, Injectable, NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { SnapshotEntity } from './entities/snapshot.entity';
import { SnapshotCatalogService } from './snapshot-catalog.service';
import { SnapshotStateArchive } from './snapshot-state.archive';

/** What retention decides for one policy: every live snapshot, kept with its reasons or forgotten. */
export interface RetentionPlan {
  policyId: string;
  timezone: string;
  retention: RetentionSpec;
  keep: Array<{ snapshotId: string; time: string; reasons: string[] }>;
  forget: Array<{ snapshotId: string; time: string }>;
  dryRun: boolean;
}

/** The parts of a policy retention needs, as the policy service shows it. */
interface PolicyRules {
  retention: RetentionSpec;
  schedule: { timezone: string };
}

/**
 * Carries out a policy's retention rules over its snapshots (restic's `forget`), and legal holds.
 * The rules live with the policy service; the snapshots, their holds and the decision live here,
 * in one transaction that locks the policy's snapshot rows, so a hold placed at the same moment is
 * either seen by the decision or waits for it.
 */
@Injectable()
export class RetentionService {
  constructor(private readonly dataSource: DataSource, private readonly outbox: Outbox, private readonly catalog: SnapshotCatalogService, private readonly states: SnapshotStateArchive) {}

  /** Decides, and unless `dryRun` forgets, what the policy's rules release. */
  async apply(policyId: string, options: { dryRun?: boolean; actor: string; jobId?: string; tenant: string }): Promise<RetentionPlan> {
    const rules = await this.policyRules(policyId, options.tenant);
    const dryRun = options.dryRun === true;
    return this.dataSource.transaction(async (m) => {
      const snapshots = await m.getRepository(SnapshotEntity).createQueryBuilder('s')
        .where('s.policy_id = :policyId AND s.tenant = :tenant AND s.forgotten_at IS NULL', { policyId, tenant: options.tenant })
        .andWhere('(s.repository_id = :repositoryId OR s.repository_id IS NULL)', { repositoryId: this.catalog.repositoryId }).orderBy('s.time', 'DESC')
        .setLock('pessimistic_write').getMany();
      const byId = new Map(snapshots.map((s) => [s.id, s]));
      const decision = applyRetention(snapshots.map((s) => ({ id: s.id, time: s.time, held: s.heldAt !== null })), rules.retention, rules.schedule.timezone);
      const plan: RetentionPlan = {
        policyId, timezone: rules.schedule.timezone, retention: rules.retention, dryRun,
        keep: decision.keep.map((k) => ({ snapshotId: k.id, time: byId.get(k.id)!.time.toISOString(), reasons: k.reasons })),
        forget: decision.forget.map((id) => ({ snapshotId: id, time: byId.get(id)!.time.toISOString() })),
      };
      if (!dryRun) await this.forget(m, plan, options);
      return plan;
    });
  }

  private async forget(m: EntityManager, plan: RetentionPlan, options: { actor: string; jobId?: string; tenant: string }): Promise<void> {
    if (plan.forget.length === 0) return;
    const reason = `retention: kept by no rule of ${JSON.stringify(plan.retention)} (${plan.timezone})`;
    await m.getRepository(SnapshotEntity).createQueryBuilder().update()
      .set({ forgottenAt: () => 'now()', forgottenReason: reason })
      .where('id IN (:...ids) AND forgotten_at IS NULL AND held_at IS NULL', { ids: plan.forget.map((f) => f.snapshotId) }).execute();
    // Sealed in the buckets too, so a recovery does not bring these snapshots back to life.
    for (const forgotten of await m.findBy(SnapshotEntity, { id: In(plan.forget.map((f) => f.snapshotId)) })) await this.states.record(forgotten);
    for (const f of plan.forget) {
      await this.outbox.enqueue(m, TOPICS.snapshotForgotten, {
        snapshotId: f.snapshotId, policyId: plan.policyId, reason, by: 'retention', actor: options.actor, ...(options.jobId ? { jobId: options.jobId } : {}),
      }, { actor: options.actor, tenant: options.tenant, ...(options.jobId ? { jobId: options.jobId } : {}) });
    }
  }

  /** Places a legal hold: the snapshot is kept by every retention decision and every prune until it is released. */
  async hold(tenant: string, idOrPrefix: string, reason: string, actor: string): Promise<SnapshotEntity> {
    const { id } = await this.catalog.get(tenant, idOrPrefix);
    return this.dataSource.transaction(async (m) => {
      const snapshot = await m.findOne(SnapshotEntity, { where: { id, forgottenAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (!snapshot) throw new NotFoundException(`snapshot ${id} was forgotten while the hold was asked for`);
      if (snapshot.heldAt) throw new ConflictException(`snapshot ${id} is already held (by ${snapshot.heldBy} since ${snapshot.heldAt.toISOString()}: ${snapshot.holdReason})`);
      Object.assign(snapshot, { heldAt: new Date(), heldBy: actor, holdReason: reason });
      const held = await m.save(snapshot);
      await this.states.record(held); // a hold a recovery would lose is no hold: refused unless the bucket takes it
      return held;
    });
  }

  /** Releases a legal hold; retention decides about the snapshot again from the next run on. */
  async release(tenant: string, idOrPrefix: string, actor: string): Promise<SnapshotEntity> {
    const snapshot = await this.catalog.get(tenant, idOrPrefix);
    if (!snapshot.heldAt) throw new ConflictException(`snapshot ${snapshot.id} is not held`);
    Object.assign(snapshot, { heldAt: null, heldBy: null, holdReason: null });
    void actor; // the release is audited by the gateway under the caller's name, with its reason
    return this.dataSource.transaction(async (m) => {
      const released = await m.save(snapshot);
      await this.states.record(released);
      return released;
    });
  }

  /** The policy's rules, asked as its tenant: another tenant's policy is not found. */
  private async policyRules(policyId: string, tenant: string): Promise<PolicyRules> {
    const url = `${serviceUrl('policy')}/policies/${encodeURIComponent(policyId)}`;
    let response: Response;
    try {
      response = await fetch(url, { headers: { [TENANT_HEADER]: tenant } });
    } catch (error) {
      throw new ServiceUnavailableException(`the policy service is unavailable at ${url} (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message}); retention needs the policy's rules`);
    }
    const body = (await response.json().catch(() => ({}))) as Partial<PolicyRules> & { message?: unknown };
    if (response.status === 404) throw new NotFoundException(`policy ${policyId} not found`);
    if (!response.ok) throw new HttpException(body, response.status);
    return { retention: body.retention ?? {}, schedule: { timezone: body.schedule?.timezone ?? 'UTC' } };
  }
}
