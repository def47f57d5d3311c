import { EventEnvelope, PolicyChanged, PolicyDeleted, tenantOfEvent, TOPICS } from '@arca/contracts';
import { decodePolicyRecord, encodePolicyRecord, newestPolicyRecords, PolicyRecord, policyRecordKey } from '@arca/datapath';
import { ObjectStore } from '@arca/object-store';
import { Controller, Injectable } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RepositoryKeyService } from './repository-key.service';
import { SiteStores } from './site-stores';

/**
 * Every policy version, sealed under the repository key, in the object store of each site
 * (policies/<id>/<version>), written as policy.changed and policy.deleted arrive: the bucket of
 * either site alone then brings the policies back (`arca repository recover`). Writing a version
 * again writes the same record, so a redelivery is harmless.
 */
@Injectable()
export class PolicyArchiveService {
  constructor(private readonly keys: RepositoryKeyService, private readonly sites: SiteStores) {}

  async store(record: PolicyRecord): Promise<void> {
    await this.sites.putEverywhere(policyRecordKey(record.policyId, record.version), await encodePolicyRecord(this.keys.key, record));
  }

  /** The newest version of every policy a site's bucket holds (deleted ones included, with a null spec). */
  async newest(store: ObjectStore): Promise<PolicyRecord[]> {
    const keys: string[] = [];
    for await (const item of store.list('policies/')) keys.push(item.key);
    const out: PolicyRecord[] = [];
    for (const key of newestPolicyRecords(keys)) out.push(await decodePolicyRecord(this.keys.key, key, await store.get(key)));
    return out;
  }
}

@Controller()
export class PolicyArchiveController {
  constructor(private readonly archive: PolicyArchiveService) {}

  @EventPattern(TOPICS.policyChanged)
  onChanged(@Payload() event: EventEnvelope<PolicyChanged>) {
    const p = event.payload;
    return this.archive.store({ policyId: p.policyId, version: p.version, tenant: tenantOfEvent(event), spec: { ...p.spec } as Record<string, unknown>, updatedAt: p.updatedAt });
  }

  @EventPattern(TOPICS.policyDeleted)
  onDeleted(@Payload() event: EventEnvelope<PolicyDeleted>) {
    return this.archive.store({ policyId: event.payload.policyId, version: event.payload.version, tenant: tenantOfEvent(event), spec: null, updatedAt: event.occurredAt });
  }
}
