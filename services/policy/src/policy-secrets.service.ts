import { SECRET_REF, SourceSecret } from '@arca/contracts';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { PolicySecretEntity } from './entities/policy-secret.entity';
import { SecretBox } from './secret-box';

/** The passwords the policy service keeps for sources, sealed at rest (policy_secrets). */
@Injectable()
export class PolicySecretsService {
  private readonly box = new SecretBox(process.env.ARCA_SECRETS_KEY ?? '');

  constructor(private readonly dataSource: DataSource) {}

  private static checkRef(ref: string): void {
    if (!SECRET_REF.test(ref)) throw new BadRequestException(['ref must be policy:<uuid>:source or job:<uuid>:source']);
  }

  async put(m: EntityManager, ref: string, password: string): Promise<void> {
    PolicySecretsService.checkRef(ref);
    await m.upsert(PolicySecretEntity, { ref, sealed: this.box.seal(ref, password), updatedAt: new Date() }, ['ref']);
  }

  async remove(m: EntityManager, ref: string): Promise<void> {
    await m.delete(PolicySecretEntity, { ref });
  }

  /** A one-off job's password, kept by the scheduler before it announces the job. */
  async putJobSecret(ref: string, password: unknown): Promise<void> {
    PolicySecretsService.checkRef(ref);
    if (!ref.startsWith('job:')) throw new BadRequestException(['only a job:<uuid>:source secret is written through this route; a policy keeps its own']);
    if (typeof password !== 'string' || password.length === 0 || password.length > 4096) throw new BadRequestException(['password must be a string of 1-4096 characters']);
    await this.put(this.dataSource.manager, ref, password);
  }

  async get(ref: string): Promise<SourceSecret> {
    PolicySecretsService.checkRef(ref);
    const row = await this.dataSource.getRepository(PolicySecretEntity).findOneBy({ ref });
    if (!row) throw new NotFoundException(`no secret ${ref} is held`);
    return { ref, password: this.box.open(ref, row.sealed) };
  }
}
