import { qualifiedTable } from '@arca/persistence';
import { arcaCounter, arcaHistogram, observeGauge, sharedPerScrape } from '@arca/telemetry';
import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobViewEntity } from './entities/job-view.entity';
import { PolicyViewEntity } from './entities/policy-view.entity';
import { ReplicationViewEntity } from './entities/replication-view.entity';
import { JobMeasurement, policyRpoGauge } from './job-metrics';

/**
 * The platform's job, RPO and replication metrics on reporting's /metrics: reporting consumes every
 * job event once (handleOnce), so it counts each job once, whichever service ran it; the gauges
 * are read from its read models at each scrape.
 */
@Injectable()
export class ReportingMetrics implements OnModuleInit, OnModuleDestroy {
  private stops: (() => void)[] = [];

  constructor(private readonly dataSource: DataSource) {}

  /** A job reached its outcome (called once the event's transaction committed). */
  recordJob(m: JobMeasurement): void {
    arcaCounter('jobs').add(1, { kind: m.kind, outcome: m.outcome, tenant: m.tenant });
    arcaHistogram('jobDuration').record(m.durationSeconds, { kind: m.kind, outcome: m.outcome });
    if (m.bytes) {
      for (const [measure, value] of Object.entries(m.bytes)) arcaHistogram('jobBytes').record(value, { kind: m.kind, measure });
    }
  }

  onModuleInit(): void {
    const policies = sharedPerScrape(async () => {
      const now = new Date();
      return (await this.dataSource.getRepository(PolicyViewEntity).findBy({ deleted: false })).map((p) => policyRpoGauge(p, now));
    });
    const replication = sharedPerScrape(() => this.replicationState());
    this.stops = [
      observeGauge('rpoBreached', async (observe) => (await policies()).forEach((p) => observe(p.breached, p.labels))),
      observeGauge('rpoTarget', async (observe) => (await policies()).forEach((p) => observe(p.rpoSeconds, p.labels))),
      observeGauge('lastSuccessAge', async (observe) => (await policies()).forEach((p) => observe(p.lastSuccessAgeSeconds, p.labels))),
      observeGauge('replicationPending', async (observe) => observe((await replication()).pending)),
      observeGauge('replicationOldestPending', async (observe) => observe((await replication()).oldestSeconds)),
      observeGauge('replicationLag', async (observe) => (await replication()).lagBySite.forEach(({ site, seconds }) => observe(seconds, { site }))),
    ];
  }

  onModuleDestroy(): void {
    for (const stop of this.stops) stop();
  }

  /** Completed backups whose snapshot no site has a completed copy of yet (of policies that replicate), and each site's latest lag. */
  private async replicationState(): Promise<{ pending: number; oldestSeconds: number; lagBySite: { site: string; seconds: number }[] }> {
    const jobs = qualifiedTable(this.dataSource, JobViewEntity);
    const copies = qualifiedTable(this.dataSource, ReplicationViewEntity);
    // A policy with replicate: false is never copied: its snapshots are not waiting (the replication service's own queue gauges know the sites).
    const policies = qualifiedTable(this.dataSource, PolicyViewEntity);
    const [pending] = await this.dataSource.query(`
      SELECT count(*) AS count, coalesce(extract(epoch FROM now() - min(j.finished_at)), 0) AS oldest
      FROM ${jobs} j WHERE j.kind = 'backup' AND j.status = 'completed' AND j.snapshot_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM ${copies} r WHERE r.snapshot_id = j.snapshot_id AND r.status = 'completed')
        AND NOT EXISTS (SELECT 1 FROM ${policies} p WHERE p.policy_id = j.policy_id AND (p.promised->>'replicate') = 'false')`);
    const lags: { site: string; lag_ms: string }[] = await this.dataSource.query(`
      SELECT DISTINCT ON (site) site, lag_ms FROM ${copies} WHERE status = 'completed' AND lag_ms IS NOT NULL ORDER BY site, at DESC`);
    return {
      pending: Number(pending.count), oldestSeconds: Math.max(0, Number(pending.oldest)),
      lagBySite: lags.map((l) => ({ site: l.site, seconds: Number(l.lag_ms) / 1000 })),
    };
  }
}
