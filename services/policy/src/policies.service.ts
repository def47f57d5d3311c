import { PolicySpec, TOPICS } from '@arca/contracts';
import { Outbox } from '@arca/messaging';
import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { PolicyVersionEntity } from './entities/policy-version.entity';
import { PolicyEntity } from './entities/policy.entity';
import { policyProblems } from './policy-rules';
import { shownSpec, withStoredSecret } from './policy-secrets';

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
 * and policy.changed in the outbox, so the scheduler hears of exactly the changes that happened.
 */
@Injectable()
export class PoliciesService {
  constructor(private readonly dataSource: DataSource, private readonly outbox: Outbox) {}

  private check(spec: PolicySpec): void {
    const problems = policyProblems(spec);
    if (problems.length > 0) throw new BadRequestException(problems);
  }

  async create(spec: PolicySpec, actor: string): Promise<PolicyView> {
    this.check(spec);
    return this.dataSource.transaction(async (m) => {
      if (await m.existsBy(PolicyEntity, { name: spec.name })) throw new ConflictException(`a policy named "${spec.name}" already exists`);
      const entity = m.create(PolicyEntity, { id: randomUUID(), name: spec.name, version: 1, spec });
      await m.save(entity);
      await this.recordVersion(m, entity, actor);
      return view(await m.findOneByOrFail(PolicyEntity, { id: entity.id }));
    });
  }

  async update(id: string, given: PolicySpec, actor: string): Promise<PolicyView> {
    this.check(given);
    return this.dataSource.transaction(async (m) => {
      const entity = await m.findOne(PolicyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!entity) throw new NotFoundException(`policy ${id} not found`);
      const spec = withStoredSecret(given, entity.spec);
      if (spec.name !== entity.name && (await m.existsBy(PolicyEntity, { name: spec.name }))) throw new ConflictException(`a policy named "${spec.name}" already exists`);
      Object.assign(entity, { name: spec.name, spec, version: entity.version + 1, updatedAt: new Date() });
      await m.save(entity);
      await this.recordVersion(m, entity, actor);
      return view(entity);
    });
  }

  async remove(id: string, actor: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const entity = await m.findOne(PolicyEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!entity) throw new NotFoundException(`policy ${id} not found`);
      await m.delete(PolicyEntity, { id });
      await m.insert(PolicyVersionEntity, { policyId: id, version: entity.version + 1, spec: null, actor });
      await this.outbox.enqueue(m, TOPICS.policyDeleted, { policyId: id, version: entity.version + 1 }, { actor });
    });
  }

  async list(): Promise<PolicyView[]> {
    return (await this.dataSource.getRepository(PolicyEntity).find({ order: { name: 'ASC' } })).map(view);
  }

  async get(id: string): Promise<PolicyView> {
    const entity = await this.dataSource.getRepository(PolicyEntity).findOneBy({ id });
    if (!entity) throw new NotFoundException(`policy ${id} not found`);
    return view(entity);
  }

  async history(id: string): Promise<PolicyVersionEntity[]> {
    const versions = await this.dataSource.getRepository(PolicyVersionEntity).find({ where: { policyId: id }, order: { version: 'ASC' } });
    return versions.map((v) => ({ ...v, spec: v.spec && shownSpec(v.spec) }));
  }

  private async recordVersion(m: EntityManager, entity: PolicyEntity, actor: string): Promise<void> {
    await m.insert(PolicyVersionEntity, { policyId: entity.id, version: entity.version, spec: entity.spec, actor });
    await this.outbox.enqueue(m, TOPICS.policyChanged, { policyId: entity.id, version: entity.version, spec: entity.spec, updatedAt: new Date().toISOString() }, { actor });
  }
}
