import { BROKER_HEALTH, Messaging1763999999000, MessagingModule, OutboxEntity, ProcessedEventEntity } from '@arca/messaging';
import { createObjectStore, ObjectStore, objectStoreConfigFromEnv } from '@arca/object-store';
import { DATABASE_HEALTH, PersistenceModule } from '@arca/persistence';
import { DynamicModule, Inject, Injectable, Module, OnModuleInit, Optional } from '@nestjs/common';
import { HealthCheck, HealthRegistry } from './health/health-registry';
import { loggingModule } from './logging';
import { ServiceKitModule } from './service-kit.module';

/** The primary site's object store (packs, manifests, keys). */
export const OBJECT_STORE = Symbol('OBJECT_STORE');
/** The secondary site's object store (replication target, disaster restores). */
export const REPLICA_OBJECT_STORE = Symbol('REPLICA_OBJECT_STORE');

export interface ArcaServiceOptions {
  serviceName: string;
  /** The service's own tables; omit for a service without a database. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations?: Function[];
  objectStore?: boolean;
  replicaObjectStore?: boolean;
}

function storeHealth(name: string, store: ObjectStore): HealthCheck {
  return { name, check: async () => { await store.ping(); return { store: store.describe() }; } };
}

/** Puts each dependency this service uses on its /health. */
@Injectable()
class DependencyHealth implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    @Inject(BROKER_HEALTH) private readonly broker: HealthCheck,
    @Optional() @Inject(DATABASE_HEALTH) private readonly database?: HealthCheck,
    @Optional() @Inject(OBJECT_STORE) private readonly store?: ObjectStore,
    @Optional() @Inject(REPLICA_OBJECT_STORE) private readonly replica?: ObjectStore,
  ) {}

  onModuleInit(): void {
    if (this.database) this.registry.register(this.database);
    this.registry.register(this.broker);
    if (this.store) this.registry.register(storeHealth('s3', this.store));
    if (this.replica) this.registry.register(storeHealth('s3-replica', this.replica));
  }
}

/**
 * Everything an Arca service stands on, in one import: health and metrics, its Postgres schema
 * with migrations (plus the outbox and processed-events tables), Kafka, and the object stores it uses.
 */
@Module({})
export class ArcaServiceModule {
  static forRoot(options: ArcaServiceOptions): DynamicModule {
    const imports: DynamicModule[] = [ServiceKitModule.forRoot({ serviceName: options.serviceName }), MessagingModule.forService({ serviceName: options.serviceName }), loggingModule(options.serviceName)];
    if (options.entities) {
      imports.push(PersistenceModule.forService({
        service: options.serviceName,
        entities: [...options.entities, OutboxEntity, ProcessedEventEntity],
        migrations: [Messaging1763999999000, ...(options.migrations ?? [])],
      }));
    }
    const providers: DynamicModule['providers'] = [DependencyHealth];
    const exports: Array<symbol> = [];
    if (options.objectStore) {
      providers.push({ provide: OBJECT_STORE, useFactory: () => createObjectStore(objectStoreConfigFromEnv(process.env)) });
      exports.push(OBJECT_STORE);
    }
    if (options.replicaObjectStore) {
      providers.push({ provide: REPLICA_OBJECT_STORE, useFactory: () => createObjectStore(objectStoreConfigFromEnv(process.env, 'REPLICA_')) });
      exports.push(REPLICA_OBJECT_STORE);
    }
    return { module: ArcaServiceModule, global: true, imports, providers, exports };
  }
}
