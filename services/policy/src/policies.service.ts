import { PolicySpec, policySecretRef, RecoveredPolicy, RecoveredPoliciesResponse, splitSourceSecret, TOPICS } from '@arca/contracts';
import { Outbox } from '@arca/messaging';
import { BadRequestException, ConflictException, Injectable, Logger, NotFoundException, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { PolicyVersionEntity } from './entities/policy-version.entity';
import { PolicyEntity } from './entities/policy.entity';
import { policyProblems } from './policy-rules';
import { keepsStoredSecret, separateSecret, shownSpec } from './policy-secrets';
import { PolicySecretsService } from './policy-secrets.service';

export interface PolicyView extends PolicySpec {
  id: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What the API returns: never a source's password (see shownSpec). */
function view(entity: PolicyEntity): PolicyView {
  return { ...shownSpec(entity.spec), id: entity.id, version: entity.version, createdAt: entity.createdAt, updatedAt: entity.updatedAt };
}

/**
 * Policies and their history. Every change is one transaction: the new current row, a version row,
 * its source's password (sealed, in policy_secrets) and policy.changed in the outbox, so the
 * scheduler hears of exactly the changes that happened. The spec stored and announced never holds
 * a password: a postgres URL travels without it, with `secretRef` naming where it is kept.
 */
@Injectable()
export class PoliciesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('PoliciesService');

  constructor(private readonly dataSource: DataSource, private readonly outbox: Outbox, private readonly secrets: PolicySecretsService) {}

  /** Policies stored before secrets were kept apart: their passwords move to policy_secrets, once. */
  async onApplicationBootstrap(): Promise<void> {
    const legacy = (await this.dataSource.getRepository(PolicyEntity).find()).filter((p) => splitSourceSecret(p.spec.source).password !== undefined);
    for (const policy of legacy) {
      await this.dataSource.transaction(async (m) => {
        const entity = await m.findOne(PolicyEntity, { where: { id: policy.id }, lock: { mode: 'pessimistic_write' } });
        if (!entity || splitSourceSecret(entity.spec.source).password === undefined) return;
        await this.storeSecret(m, entity, entity.spec);
        Object.assign(entity, { version: entity.version + 1, updatedAt: new Date() });
        await m.save(entity);
        for (const old of await m.findBy(PolicyVersionEntity, { policyId: entity.id })) {
          if (old.spec) await m.update(PolicyVersionEntity, { policyId: old.policyId, version: old.version }, { spec: shownSpec(old.spec) });
        }
        await this.recordVersion(m, entity, 'policy-service');
      });
    }
    if (legacy.length > 0) this.logger.log(`moved the source passwords of ${legacy.length} policies out of their specs into policy_secrets`);
  }

  /** Sets entity.spec to the spec without its password, keeping the password sealed under the policy's reference. */
  private async storeSecret(m: EntityManager, entity: PolicyEntity, given: PolicySpec): Promise<void> {
    const { spec, password } = separateSecret(given, entity.id);
    if (password === undefined) await this.secrets.remove(m, policySecretRef(entity.id));
    else await this.secrets.put(m, policySecretRef(entity.id), password);
    entity.spec = spec;
  }

  private check(spec: PolicySpec): void {
    const problems = policyProblems(spec);
    if (problems.length > 0) throw new BadRequestException(problems);
  }

  async create(spec: PolicySpec, tenant: string, actor: string): Promise<PolicyView> {
    this.check(spec);
    return this.dataSource.transaction(async (m) => {
      if (await m.existsBy(PolicyEntity, { name: spec.name, tenant })) throw new ConflictException(`a policy named "${spec.name}" already exists`);
      const entity = m.create(PolicyEntity, { id: randomUUID(), name: spec.name, version: 1, tenant });
      await this.storeSecret(m, entity, spec);
      await m.save(entity);
      await this.recordVersion(m, entity, actor);
      return view(await m.findOneByOrFail(PolicyEntity, { id: entity.id }));
    });
  }

  async update(id: string, given: PolicySpec, tenant: string, actor: string): Promise<PolicyView> {
    this.check(given);
    return this.dataSource.transaction(async (m) => {
      const entity = await m.findOne(PolicyEntity, { where: { id, tenant }, lock: { mode: 'pessimistic_write' } });
      if (!entity) throw new NotFoundException(`policy ${id} not found`);
      if (given.name !== entity.name && (await m.existsBy(PolicyEntity, { name: given.name, tenant }))) throw new ConflictException(`a policy named "${given.name}" already exists`);
      if (keepsStoredSecret(given, entity.spec)) entity.spec = { ...given, source: entity.spec.source };
      else await this.storeSecret(m, entity, given);
      Object.assign(entity, { name: given.name, version: entity.version + 1, updatedAt: new Date() });
      await m.save(entity);
      await this.recordVersion(m, entity, actor);
      return view(entity);
    });
  }

  async remove(id: string, tenant: string, actor: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const entity = await m.findOne(PolicyEntity, { where: { id, tenant }, lock: { mode: 'pessimistic_write' } });
      if (!entity) throw new NotFoundException(`policy ${id} not found`);
      await m.delete(PolicyEntity, { id });
      await this.secrets.remove(m, policySecretRef(id));
      await m.insert(PolicyVersionEntity, { policyId: id, version: entity.version + 1, spec: null, actor });
      await this.outbox.enqueue(m, TOPICS.policyDeleted, { policyId: id, version: entity.version + 1 }, { actor, tenant });
    });
  }

  async list(tenant: string): Promise<PolicyView[]> {
    return (await this.dataSource.getRepository(PolicyEntity).find({ where: { tenant }, order: { name: 'ASC' } })).map(view);
  }

  /** Another tenant's policy is not found, exactly like one that does not exist. */
  async get(id: string, tenant: string): Promise<PolicyView> {
    const entity = await this.dataSource.getRepository(PolicyEntity).findOneBy({ id, tenant });
    if (!entity) throw new NotFoundException(`policy ${id} not found`);
    return view(entity);
  }

  async history(id: string, tenant: string): Promise<PolicyVersionEntity[]> {
    await this.get(id, tenant);
    const versions = await this.dataSource.getRepository(PolicyVersionEntity).find({ where: { policyId: id }, order: { version: 'ASC' } });
    return versions.map((v) => ({ ...v, spec: v.spec && shownSpec(v.spec) }));
  }

  /**
   * Policies a recovery found sealed in the object store (`arca repository recover`): each one this
   * service lacks comes back with its id, name, tenant and version, and is announced (policy.changed)
   * so the scheduler runs it again. A policy held already is never changed, nor one whose name its
   * tenant has given to another policy since. A postgres source's password is not in the object
   * store: the policy comes back without it (set it again by updating the policy).
   */
  async restore(policies: RecoveredPolicy[]): Promise<RecoveredPoliciesResponse> {
    const out: RecoveredPoliciesResponse = { restored: [], kept: [], skipped: [] };
    for (const p of policies) {
      const problems = policyProblems(p.spec);
      if (problems.length > 0) {
        out.skipped.push({ policyId: p.policyId, reason: problems.join('; ') });
        continue;
      }
      await this.dataSource.transaction(async (m) => {
        if (await m.existsBy(PolicyEntity, { id: p.policyId })) return void out.kept.push(p.policyId);
        if (await m.existsBy(PolicyEntity, { name: p.spec.name, tenant: p.tenant })) return void out.skipped.push({ policyId: p.policyId, reason: `tenant ${p.tenant} has another policy named "${p.spec.name}" now` });
        const entity = m.create(PolicyEntity, { id: p.policyId, name: p.spec.name, tenant: p.tenant, version: p.version, spec: shownSpec(p.spec), updatedAt: new Date(p.updatedAt) });
        await m.save(entity);
        await this.recordVersion(m, entity, 'recovery');
        out.restored.push(p.policyId);
      });
    }
    return out;
  }

    private async recordVersion(m: EntityManager, entity: PolicyEntity, actor: string): Promise<void> {
    await m.insert(PolicyVersionEntity, { policyId: entity.id, version: entity.version, spec: entity.spec, actor });
    await this.outbox.enqueue(m, TOPICS.policyChanged, { policyId: entity.id, version: entity.version, spec: entity.spec, updatedAt: new Date().toISOString() }, { actor, tenant: entity.tenant });
  }
}
