import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, IsNull } from 'typeorm';
import { PolicyViewEntity } from '../entities/policy-view.entity';
import { WebhooksService } from './webhooks.service';

const CHECK_EVERY_MS = 60_000;

/**
 * Notices policies whose last successful backup is older than their RPO (a policy never backed up:
 * its RPO after reporting first heard of it) and sends `policy.rpo_breached` once per breach; a
 * policy that is compliant again may breach, and be reported, again.
 */
@Injectable()
export class RpoWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RpoWatcher');
  private timer?: NodeJS.Timeout;

  constructor(private readonly dataSource: DataSource, private readonly webhooks: WebhooksService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.check().catch((error) => this.logger.warn(`RPO check failed, will retry: ${(error as Error).message}`));
    }, CHECK_EVERY_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Returns how many breaches it reported. */
  async check(now = new Date()): Promise<number> {
    const policies = await this.dataSource.getRepository(PolicyViewEntity).findBy({ deleted: false });
    let reported = 0;
    for (const policy of policies) {
      const since = policy.lastSuccessAt ?? policy.firstSeenAt!;
      const breached = now.getTime() - since.getTime() > policy.rpoMinutes * 60_000;
      if (!breached) {
        if (policy.rpoBreachedAt) await this.dataSource.getRepository(PolicyViewEntity).update({ policyId: policy.policyId }, { rpoBreachedAt: null });
        continue;
      }
      if (policy.rpoBreachedAt) continue;
      await this.dataSource.transaction(async (m) => {
        // Only the instance whose update takes the flag reports the breach.
        const { affected } = await m.update(PolicyViewEntity, { policyId: policy.policyId, rpoBreachedAt: IsNull() }, { rpoBreachedAt: now });
        if (!affected) return;
        await this.webhooks.enqueue(m, 'policy.rpo_breached', randomUUID(), now, {
          policyId: policy.policyId, name: policy.name, rpoMinutes: policy.rpoMinutes, lastSuccessAt: policy.lastSuccessAt,
          ageMinutes: Math.round((now.getTime() - since.getTime()) / 6_000) / 10,
        });
        reported += 1;
      });
    }
    return reported;
  }
}
