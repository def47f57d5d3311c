import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A source's password, sealed (SecretBox), under the reference events carry instead of it. */
@Entity({ name: 'policy_secrets' })
export class PolicySecretEntity {
  /** `policy:<policy id>:source` or `job:<job id>:source` (SECRET_REF). */
  @PrimaryColumn({ type: 'text' })
  ref: string;

  @Column({ type: 'bytea' })
  sealed: Buffer;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
