import { qualifiedTable } from '@arca/persistence';
import { DEFAULT_TENANT } from '@arca/contracts';
import { Injectable, Logger, NotFoundException, OnApplicationBootstrap } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DataSource, IsNull, Repository } from 'typeorm';
import { ApiKeyEntity } from '../entities/api-key.entity';
import type { Principal } from './principal';
import type { Role } from './roles';

/** A key to make: its name, role and tenant. */
export interface KeySpec {
  name: string;
  role: Role;
  tenant: string;
}

/** What the API shows of a key: never its secret or hash. */
export type ApiKeyView = Omit<ApiKeyEntity, 'secretHash'>;
/** A key just made: the only time its secret is shown. */
export type NewApiKey = ApiKeyView & { key: string };

const KEY_PATTERN = /^arca_[A-Za-z0-9_-]{43}$/;
/** How stale last_used_at may get, so authenticating is not one write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * A key is `arca_` and 256 random bits (base64url). Only SHA-256 of it is stored. A slow,
 * salted password hash (scrypt, bcrypt) protects guessable secrets against offline guessing;
 * 256 random bits cannot be guessed whatever the hash costs, so a fast hash loses nothing, and
 * being unsalted lets a presented key be found by one unique-index probe.
 */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function view(entity: ApiKeyEntity): ApiKeyView {
  const { secretHash: _hash, ...rest } = entity;
  return rest;
}

@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ApiKeys');

  constructor(private readonly dataSource: DataSource) {}

  /** `npm start` names a file (ARCA_ADMIN_KEY_FILE): the first admin key is written there when no key exists yet. */
  async onApplicationBootstrap(): Promise<void> {
    const file = process.env.ARCA_ADMIN_KEY_FILE;
    if (file) await this.createFirstAdminKey(file);
  }

  async createFirstAdminKey(file: string): Promise<NewApiKey | undefined> {
    const created = await this.dataSource.transaction(async (m) => {
      // One gateway at a time decides whether the table is empty.
      await m.query(`LOCK TABLE ${qualifiedTable(this.dataSource, ApiKeyEntity)} IN SHARE ROW EXCLUSIVE MODE`);
      if ((await m.count(ApiKeyEntity)) > 0) return undefined;
      return this.insert(m.getRepository(ApiKeyEntity), { name: 'first-admin', role: 'admin', tenant: DEFAULT_TENANT }, 'arca-start');
    });
    if (!created) return undefined;
    mkdirSync(path.dirname(file), { recursive: true });
    if (existsSync(file)) this.logger.warn(`replacing ${file}: it held a key from an earlier database`);
    writeFileSync(file, created.key + '\n', { mode: 0o600 });
    this.logger.log(`no API key existed: created the first admin key ${created.id} in ${file}`);
    return created;
  }

  async create(spec: KeySpec, createdBy: string): Promise<NewApiKey> {
    return this.insert(this.dataSource.getRepository(ApiKeyEntity), spec, createdBy);
  }

  /** The tenant's keys; another tenant's are not there. */
  async list(tenant: string): Promise<ApiKeyView[]> {
    return (await this.dataSource.getRepository(ApiKeyEntity).find({ where: { tenant }, order: { createdAt: 'ASC' } })).map(view);
  }

  /** Another tenant's key is "not found", like a key that does not exist. */
  async revoke(id: string, tenant: string): Promise<ApiKeyView> {
    const repository = this.dataSource.getRepository(ApiKeyEntity);
    const key = await repository.findOneBy({ id, tenant });
    if (!key) throw new NotFoundException(`API key ${id} not found`);
    if (!key.revokedAt) {
      key.revokedAt = new Date();
      await repository.update({ id }, { revokedAt: key.revokedAt });
    }
    return view(key);
  }

  /** A new secret for the same name and role; the old key stops working at once. */
  async rotate(id: string, tenant: string, by: string): Promise<NewApiKey> {
    return this.dataSource.transaction(async (m) => {
      const repository = m.getRepository(ApiKeyEntity);
      const old = await repository.findOne({ where: { id, tenant, revokedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (!old) throw new NotFoundException(`API key ${id} not found or already revoked`);
      await repository.update({ id }, { revokedAt: new Date() });
      return this.insert(repository, { name: old.name, role: old.role, tenant: old.tenant }, by, old.id);
    });
  }

  /** The principal a presented key stands for, or undefined for an unknown, malformed or revoked key. */
  async authenticate(key: string): Promise<Principal | undefined> {
    if (!KEY_PATTERN.test(key)) return undefined;
    const repository = this.dataSource.getRepository(ApiKeyEntity);
    const found = await repository.findOneBy({ secretHash: hashKey(key), revokedAt: IsNull() });
    if (!found) return undefined;
    const now = new Date();
    if (!found.lastUsedAt || now.getTime() - found.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await repository.update({ id: found.id }, { lastUsedAt: now });
    }
    return { type: 'api-key', id: found.id, name: found.name, roles: [found.role], tenant: found.tenant };
  }

  private async insert(repository: Repository<ApiKeyEntity>, spec: KeySpec, createdBy: string, rotatedFrom: string | null = null): Promise<NewApiKey> {
    const key = `arca_${randomBytes(32).toString('base64url')}`;
    const entity: ApiKeyEntity = {
      id: randomUUID(), name: spec.name, role: spec.role, tenant: spec.tenant, secretHash: hashKey(key), prefix: key.slice(0, 12),
      createdBy, createdAt: new Date(), lastUsedAt: null, revokedAt: null, rotatedFrom,
    };
    await repository.insert(entity);
    return { ...view(entity), key };
  }
}
