import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '../auth/roles';

/** An API key. Only the SHA-256 of its secret is kept; the secret is shown once, at creation. */
@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  role: Role;

  /** The tenant whose objects the key sees and touches. */
  @Column({ type: 'text', default: 'default' })
  tenant: string;

  /** SHA-256 of the whole key (hex); unique, so a presented key is found by one index probe. */
  @Column({ name: 'secret_hash', type: 'text', unique: true })
  secretHash: string;

  /** The key's first characters, so people can tell keys apart in a list. */
  @Column({ type: 'text' })
  prefix: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** The key this one replaced by rotation. */
  @Column({ name: 'rotated_from', type: 'uuid', nullable: true })
  rotatedFrom: string | null;
}
